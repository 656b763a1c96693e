"""The recommendation service over HTTP (Sanic): search, similar items, recommendations for a
shopper, frequently bought together, a shopper's profile, and /health.

Every blocking step (database, encoding, ranking) runs on a worker thread, never on the event
loop. The catalog is re-read every `recommender_refresh_s` seconds; only new or changed products
are encoded again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.recommender.encoder import load_encoder, model_id
from bot.recommender.engine import Answer, NotReady, Recommender, UnknownProduct
from bot.recommender.params import (
    ParamError,
    positive_id,
    product_params,
    profile_params,
    search_params,
    shopper_params,
)
from bot.recommender.ranking import Recommendation
from bot.service_auth import require_service_token
from bot.store.off_loop import StoreUnavailable, off_loop

logger = logging.getLogger(__name__)
T = TypeVar("T")
REQUEST_TIMEOUT_S = 10.0


def recommendation_json(found: Recommendation) -> dict[str, Any]:
    """One result: the product, why it is recommended, and all its card needs (the action
    server draws the card from this alone: actions/product_cards.py `pick_card`)."""
    item = found.item
    return {
        "product_id": item.id,
        "sku": item.sku,
        "title": item.title,
        "category": item.category,
        "brand": item.brand,
        "price": f"{item.price:.2f}",
        "image_url": item.image_url,
        "score": found.score,
        "reason": found.reasons[0],
        "reasons": found.reasons,
        "available": [
            {"colour": v.colour, "size": v.size, "stock": v.stock} for v in found.available
        ],
    }


def query_args(request: Request) -> dict[str, list[str]]:
    """The query string, every parameter with all its values."""
    return {name: list(values) for name, values in request.args.items()}


def answer_json(answer: Answer) -> HTTPResponse:
    return response.json(
        {
            "personal": answer.personal,
            "count": len(answer.results),
            "results": [recommendation_json(r) for r in answer.results],
        }
    )


def create_app(settings: Settings, sessions: sessionmaker) -> Sanic:
    app = Sanic("shopdesk_recommender")
    app.config.FALLBACK_ERROR_FORMAT = "json"
    require_service_token(app, settings.service_token)
    app.ctx.engine = None
    app.ctx.refresh_error = None

    async def keep_fresh() -> None:
        """Load the model, then read the catalog now and every refresh interval."""
        try:
            encode = await asyncio.to_thread(load_encoder)
        except Exception:
            logger.exception("could not load the sentence model; the service stays unready")
            app.ctx.refresh_error = "the sentence model could not be loaded"
            return
        engine = Recommender(
            sessions,
            encode,
            folder=settings.recommender_dir,
            model=model_id(),
            ann_above=settings.recommender_ann_above,
        )
        while True:
            try:
                await asyncio.to_thread(engine.refresh)
            except (SQLAlchemyError, OSError) as exc:
                app.ctx.refresh_error = type(exc).__name__
                logger.warning("could not refresh the catalog (%s)", type(exc).__name__)
            except Exception:  # keep serving the last good snapshot, and keep trying
                app.ctx.refresh_error = "refresh failed"
                logger.exception("refreshing the catalog failed")
            else:
                app.ctx.engine, app.ctx.refresh_error = engine, None
            await asyncio.sleep(settings.recommender_refresh_s)

    @app.after_server_start
    async def start_refreshing(app: Sanic, _: Any) -> None:
        app.ctx.refresher = asyncio.create_task(keep_fresh())

    @app.before_server_stop
    async def stop_refreshing(app: Sanic, _: Any) -> None:
        app.ctx.refresher.cancel()

    def engine() -> Recommender:
        if app.ctx.engine is None:
            raise NotReady("the recommender is still reading the catalog")
        found: Recommender = app.ctx.engine
        return found

    async def blocking(work: Callable[[], T]) -> T:
        """`work()` off the event loop; a store that does not answer: StoreUnavailable (503)."""
        return await off_loop(work, REQUEST_TIMEOUT_S)

    def error(status: int, message: str) -> HTTPResponse:
        return response.json({"error": message}, status=status)

    @app.exception(ParamError)
    async def bad_parameter(_: Request, exc: Exception) -> HTTPResponse:
        return error(400, str(exc))

    @app.exception(UnknownProduct)
    async def unknown_product(_: Request, exc: Exception) -> HTTPResponse:
        return error(404, f"no product with SKU '{exc.args[0]}'")

    @app.exception(NotReady)
    async def not_ready(_: Request, exc: Exception) -> HTTPResponse:
        return error(503, str(exc))

    @app.exception(StoreUnavailable)
    async def store_down(_: Request, __: Exception) -> HTTPResponse:
        return error(503, "the store database is not answering; try again shortly")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        current: Recommender | None = app.ctx.engine
        if current is None or current.last_refresh is None:
            return response.json({"status": "starting", "error": app.ctx.refresh_error}, status=503)
        last = current.last_refresh
        index = current.snapshot.index
        return response.json(
            {
                "status": "ok",
                "products": last.products,
                "orders": last.orders,
                "index": index.kind if index is not None else "exact",
                "refreshed_at": last.at.isoformat(timespec="seconds"),
                "refresh_error": app.ctx.refresh_error,
                "encoded_total": current.encoded_total,
                "last_refresh": {
                    "encoded": last.embeddings.encoded,
                    "reused": last.embeddings.reused,
                    "dropped": last.embeddings.dropped,
                },
            }
        )

    @app.get("/search")
    async def search(request: Request) -> HTTPResponse:
        p = search_params(query_args(request))
        recommender = engine()
        answer = await blocking(
            lambda: recommender.search(
                text=p.text, filters=p.filters, customer_id=p.customer_id, limit=p.limit
            )
        )
        return answer_json(answer)

    @app.get("/products/<sku>/similar")
    async def similar(request: Request, sku: str) -> HTTPResponse:
        p = product_params(query_args(request))
        recommender = engine()
        answer = await blocking(
            lambda: recommender.similar(
                sku=sku, filters=p.filters, customer_id=p.customer_id, limit=p.limit
            )
        )
        return answer_json(answer)

    @app.get("/products/<sku>/bought-together")
    async def bought_together(request: Request, sku: str) -> HTTPResponse:
        p = product_params(query_args(request))
        recommender = engine()
        answer = await blocking(
            lambda: recommender.bought_together(sku=sku, filters=p.filters, limit=p.limit)
        )
        return answer_json(answer)

    @app.get("/shoppers/<customer>/recommendations")
    async def for_shopper(request: Request, customer: str) -> HTTPResponse:
        customer_id = positive_id(customer, "customer id")
        p = shopper_params(query_args(request))
        recommender = engine()
        answer = await blocking(
            lambda: recommender.for_shopper(
                customer_id=customer_id,
                hints=p.hints,
                text=p.text,
                filters=p.filters,
                limit=p.limit,
            )
        )
        return answer_json(answer)

    @app.get("/shoppers/<customer>/profile")
    async def profile(request: Request, customer: str) -> HTTPResponse:
        customer_id = positive_id(customer, "customer id")
        hints = profile_params(query_args(request))
        recommender = engine()
        found = await blocking(lambda: recommender.profile(customer_id, hints))
        return response.json(found.as_dict())

    return app
