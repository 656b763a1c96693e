"""The demo store (development only): product pages, a demo sign-in, and the chat widget.

A real store keeps its own site and adds the widget with one script tag; this site shows how, on
the seeded catalog, and is what the browser tests drive.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.auth import SITE, issue_shopper_token, verify_shopper_token
from bot.config import Settings
from bot.store.customers import customer_by_email, first_customers, get_customer
from bot.store.models import Customer
from bot.store.off_loop import StoreUnavailable, store_queries
from bot.store.products import catalog_categories, catalog_page, product_by_sku
from bot.widget import widget_file

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).resolve().parent
SESSION_COOKIE = "shopdesk_demo_session"
SESSION_TTL_S = 8 * 3600
WIDGET_TOKEN_TTL_S = 3600
PAGE_SIZE = 24


def placeholder_svg(name: str) -> str:
    """A product picture drawn from the category name, so the demo needs no image files."""
    hue = int(hashlib.sha1(name.encode()).hexdigest()[:4], 16) % 360
    label = "".join(c for c in name if c.isalnum() or c == " ")[:18]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="180" viewBox="0 0 240 180">'
        f'<rect width="240" height="180" fill="hsl({hue},55%,86%)"/>'
        f'<circle cx="120" cy="78" r="42" fill="hsl({hue},45%,62%)"/>'
        f'<text x="120" y="156" font-family="sans-serif" font-size="18" text-anchor="middle" '
        f'fill="hsl({hue},40%,25%)">{label}</text></svg>'
    )


def create_app(settings: Settings, sessions: sessionmaker) -> Sanic:
    if settings.is_production:
        raise RuntimeError("the demo store and its sign-in never run in production")
    app = Sanic("shopdesk_store")
    templates = Environment(
        loader=FileSystemLoader(str(SITE_DIR / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    app.static("/static/store.css", str(SITE_DIR / "static" / "store.css"), name="store_css")

    query = store_queries(sessions, settings.db_timeout_s)

    def signed_in_id(request: Request) -> int | None:
        return verify_shopper_token(
            request.cookies.get(SESSION_COOKIE), secret=settings.jwt_secret, audience=SITE
        )

    async def render(
        request: Request, template: str, status: int = 200, **values: Any
    ) -> HTTPResponse:
        customer_id = signed_in_id(request)

        def shared(session: Session) -> tuple[list[str], Customer | None]:
            customer = get_customer(session, customer_id=customer_id) if customer_id else None
            return catalog_categories(session), customer

        categories, customer = await query(shared)
        token = (
            issue_shopper_token(customer.id, secret=settings.jwt_secret, ttl_s=WIDGET_TOKEN_TTL_S)
            if customer
            else None
        )
        html = templates.get_template(template).render(
            categories=categories,
            customer=customer,
            shopper_token=token,
            chat_url=settings.chat_url,
            **values,
        )
        return response.html(html, status=status, headers={"Cache-Control": "no-store"})

    @app.exception(StoreUnavailable)
    async def store_down(request: Request, _: Exception) -> HTTPResponse:
        return response.html(
            templates.get_template("unavailable.html").render(chat_url=settings.chat_url),
            status=503,
        )

    @app.get("/")
    async def home(request: Request) -> HTTPResponse:
        category = request.args.get("category") or None
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        products, total = await query(
            lambda s: catalog_page(
                s, category=category, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
        )
        return await render(
            request,
            "home.html",
            products=products,
            category=category,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
        )

    @app.get("/products/<sku>")
    async def product(request: Request, sku: str) -> HTTPResponse:
        found = await query(lambda s: product_by_sku(s, sku=sku))
        if found is None:
            return await render(request, "not_found.html", status=404)
        return await render(request, "product.html", product=found)

    @app.get("/static/products/<name>")
    async def product_image(_: Request, name: str) -> HTTPResponse:
        return response.text(
            placeholder_svg(name.removesuffix(".svg")),
            content_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/signin")
    async def signin_page(request: Request) -> HTTPResponse:
        customers = await query(lambda s: first_customers(s))
        return await render(request, "signin.html", demo_customers=customers, error=None)

    @app.post("/signin")
    async def signin(request: Request) -> HTTPResponse:
        email = str(request.form.get("email") or "")[:254]
        customer = await query(lambda s: customer_by_email(s, email=email)) if email else None
        if customer is None:
            customers = await query(lambda s: first_customers(s))
            return await render(
                request,
                "signin.html",
                status=401,
                demo_customers=customers,
                error="There is no account with that e-mail address in the demo store.",
            )
        done = response.redirect("/")
        done.cookies[SESSION_COOKIE] = issue_shopper_token(
            customer.id, secret=settings.jwt_secret, ttl_s=SESSION_TTL_S, audience=SITE
        )
        cookie = done.cookies[SESSION_COOKIE]
        cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Lax", "/"
        cookie["max-age"] = SESSION_TTL_S
        return done

    @app.post("/signout")
    async def signout(_: Request) -> HTTPResponse:
        done = response.redirect("/")
        del done.cookies[SESSION_COOKIE]
        return done

    @app.get("/widget/<name>")
    async def widget(_: Request, name: str) -> HTTPResponse:
        return await widget_file(name)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return app
