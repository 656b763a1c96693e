"""The agent console: signed-in agents see the queue, read a conversation, reply live, hand back.

Pages at /agent for people, and a JSON API at /agent/api for the page (and any other client).
Every API call needs a live agent session: the console's HttpOnly cookie, or
`Authorization: Bearer <token>` from `POST /agent/api/signin`. Shoppers' sessions are a different
cookie and open nothing here. Calls that change something must be JSON, which a cross-site form
cannot send, and the cookie is SameSite=Strict (and Secure over HTTPS and in production). The
HTML forms (sign in, sign out) carry a token tied to a cookie (bot/console/csrf.py). Failed
sign-ins are throttled per username and client address (bot/handoff/agents.py), and every
sign-in, sign-out and ticket opened, taken, answered or closed is written to the audit log
(bot/handoff/audit.py).
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.console.csrf import (
    FORM_COOKIE,
    FORM_FIELD,
    form_token,
    new_nonce,
    nonce_or_new,
    token_valid,
)
from bot.handoff.agents import agent_of, sign_out, throttled_sign_in
from bot.handoff.audit import record, record_opened
from bot.handoff.console_views import queue_view, ticket_view
from bot.handoff.relay import Notice, RelayError, send_notice
from bot.handoff.tickets import Line, TicketError, add_line, assign, close
from bot.rasa_server.guard import client_address
from bot.store.models import Agent, HandoffTicket, TicketState
from bot.store.off_loop import Query, StoreUnavailable, store_queries

CONSOLE_DIR = Path(__file__).resolve().parent
CONSOLE_FILES = {
    "console.js": CONSOLE_DIR / "console.js",
    "console.css": CONSOLE_DIR / "console.css",
}
AGENT_COOKIE = "shopdesk_agent"
COOKIE_MAX_AGE_S = 8 * 3600
MAX_REPLY_CHARS = 5_000
NOT_DELIVERED = "The shopper's chat could not be reached, so nothing was sent. Please try again."
WRONG_SIGNIN = "Wrong username or password."


def came_over_https(
    scheme: str, forwarded_proto: str | None, peer: str, trusted: frozenset[str]
) -> bool:
    """Whether the browser reached us over HTTPS: directly, or as a trusted proxy reports."""
    if scheme == "https":
        return True
    hops = {hop.strip().lower() for hop in (forwarded_proto or "").split(",")}
    return peer in trusted and "https" in hops


def _token(request: Request) -> str | None:
    scheme, _, bearer = (request.headers.get("Authorization") or "").partition(" ")
    return bearer if scheme == "Bearer" and bearer else request.cookies.get(AGENT_COOKIE)


def _sent_json(request: Request) -> bool:
    return "application/json" in (request.headers.get("Content-Type") or "")


def _body(request: Request) -> dict[str, Any]:
    return request.json if isinstance(request.json, dict) else {}


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def console_blueprint(settings: Settings, query: Query, templates: Environment) -> Blueprint:
    bp = Blueprint("agent_console", url_prefix="/agent")

    async def signed_in(request: Request) -> tuple[int, str] | None:
        """The signed-in agent's id and display name."""
        token = _token(request)
        if not token:
            return None

        def find(session: Session) -> tuple[int, str] | None:
            agent = agent_of(session, token=token, now=datetime.utcnow())
            return (agent.id, agent.display_name) if agent else None

        return await query(find)

    def api(handler):  # type: ignore[no-untyped-def]
        """Refuse callers without an agent session, and cookie-borne changes that are not JSON."""

        @wraps(handler)
        async def checked(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            agent = await signed_in(request)
            if agent is None:
                return _error("sign in as an agent first", 401)
            if request.method == "POST" and not _sent_json(request):
                return _error("send JSON", 415)
            return await handler(request, agent, *args, **kwargs)

        return checked

    def page(template: str, status: int = 200, **values: Any) -> HTTPResponse:
        html = templates.get_template(template).render(**values)
        return response.html(html, status=status, headers={"Cache-Control": "no-store"})

    def set_cookie(answer: HTTPResponse, request: Request, name: str, value: str, age: int) -> None:
        """An HttpOnly, SameSite=Strict cookie for /agent; Secure over HTTPS and in production."""
        answer.cookies[name] = value
        cookie = answer.cookies[name]
        cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", "/agent"
        cookie["max-age"] = age
        cookie["secure"] = settings.is_production or came_over_https(
            request.scheme,
            request.headers.get("X-Forwarded-Proto"),
            request.ip,
            settings.trusted_proxies,
        )

    def form_page(
        request: Request, template: str, form: str, status: int = 200, **values: Any
    ) -> HTTPResponse:
        """A page with a form: its token in a hidden field, the nonce it fits in a cookie."""
        nonce = nonce_or_new(request.cookies.get(FORM_COOKIE))
        token = form_token(settings.hashing_secret, nonce=nonce, form=form)
        answer = page(template, status, form_token=token, **values)
        set_cookie(answer, request, FORM_COOKIE, nonce, COOKIE_MAX_AGE_S)
        return answer

    def form_valid(request: Request, form: str) -> bool:
        """Whether a form post carries the token of a page this console gave this browser."""
        return token_valid(
            settings.hashing_secret,
            nonce=request.cookies.get(FORM_COOKIE),
            form=form,
            token=request.form.get(FORM_FIELD),
        )

    def form_refused() -> HTTPResponse:
        return page("agent_form_refused.html", 403)

    async def start_session(
        request: Request, username: str, password: str, via: str
    ) -> tuple[str, str] | None:
        """A new session and the agent's name; None for a wrong or throttled sign-in alike."""
        client = client_address(
            request.ip, request.headers.get("X-Forwarded-For"), settings.trusted_proxies
        )

        def attempt(session: Session) -> tuple[str, str] | None:
            now = datetime.utcnow()
            token = throttled_sign_in(
                session,
                username=username[:60],
                password=password[:200],
                client=client,
                secret=settings.hashing_secret,
                now=now,
            )
            agent = agent_of(session, token=token, now=now) if token else None
            if agent is None or token is None:
                return None
            agent.on_duty = True
            record(session, agent_id=agent.id, action="signed_in", now=now, detail=f"via {via}")
            return token, agent.display_name

        return await query(attempt)

    async def end_session(request: Request, agent: tuple[int, str], via: str) -> None:
        """End the session the request came with; the agent goes off duty."""
        token = _token(request)

        def end(session: Session) -> None:
            if token:
                sign_out(session, token=token)
            found = session.get(Agent, agent[0])
            if found is not None:
                found.on_duty = False
            record(
                session,
                agent_id=agent[0],
                action="signed_out",
                now=datetime.utcnow(),
                detail=f"via {via}",
            )

        await query(end)

    def signed_in_answer(request: Request, answer: HTTPResponse, token: str) -> HTTPResponse:
        set_cookie(answer, request, AGENT_COOKIE, token, COOKIE_MAX_AGE_S)
        set_cookie(answer, request, FORM_COOKIE, new_nonce(), COOKIE_MAX_AGE_S)
        return answer

    def signed_out_answer(request: Request, answer: HTTPResponse) -> HTTPResponse:
        set_cookie(answer, request, AGENT_COOKIE, "", 0)
        set_cookie(answer, request, FORM_COOKIE, new_nonce(), COOKIE_MAX_AGE_S)
        return answer

    @bp.get("/")
    async def console(request: Request) -> HTTPResponse:
        agent = await signed_in(request)
        if agent is None:
            return response.redirect("/agent/signin")
        return form_page(request, "agent_console.html", "signout", agent_name=agent[1])

    async def console_file(name: str) -> HTTPResponse:
        return await response.file(CONSOLE_FILES[name], headers={"Cache-Control": "no-cache"})

    @bp.get("/console.js")
    async def console_js(_: Request) -> HTTPResponse:
        return await console_file("console.js")

    @bp.get("/console.css")
    async def console_css(_: Request) -> HTTPResponse:
        return await console_file("console.css")

    @bp.get("/signin")
    async def signin_page(request: Request) -> HTTPResponse:
        return form_page(request, "agent_signin.html", "signin", error=None)

    @bp.post("/signin")
    async def signin_form(request: Request) -> HTTPResponse:
        if not form_valid(request, "signin"):
            return form_refused()
        started = await start_session(
            request,
            str(request.form.get("username") or ""),
            str(request.form.get("password") or ""),
            "form",
        )
        if started is None:
            return form_page(request, "agent_signin.html", "signin", 401, error=WRONG_SIGNIN)
        return signed_in_answer(request, response.redirect("/agent/"), started[0])

    @bp.post("/signout")
    async def signout(request: Request) -> HTTPResponse:
        if not form_valid(request, "signout"):
            return form_refused()
        agent = await signed_in(request)
        if agent is not None:
            await end_session(request, agent, "form")
        return signed_out_answer(request, response.redirect("/agent/signin"))

    @bp.post("/api/signin")
    async def signin_api(request: Request) -> HTTPResponse:
        if not _sent_json(request):  # a cross-site form could post text/plain JSON
            return _error("send JSON", 415)
        body = _body(request)
        started = await start_session(
            request, str(body.get("username") or ""), str(body.get("password") or ""), "api"
        )
        if started is None:
            return _error(WRONG_SIGNIN, 401)
        token, name = started
        return signed_in_answer(request, response.json({"token": token, "agent": name}), token)

    @bp.post("/api/signout")
    @api
    async def signout_api(request: Request, agent: tuple[int, str]) -> HTTPResponse:
        await end_session(request, agent, "api")
        return signed_out_answer(request, response.json({"ok": True}))

    @bp.get("/api/queue")
    @api
    async def queue(request: Request, agent: tuple[int, str]) -> HTTPResponse:
        return response.json(
            await query(lambda s: queue_view(s, agent_id=agent[0], now=datetime.utcnow()))
        )

    @bp.post("/api/duty")
    @api
    async def duty(request: Request, agent: tuple[int, str]) -> HTTPResponse:
        on_duty = bool(_body(request).get("on_duty"))

        def set_duty(session: Session) -> None:
            found = session.get(Agent, agent[0])
            if found is not None:
                found.on_duty = on_duty

        await query(set_duty)
        return response.json({"on_duty": on_duty})

    @bp.get("/api/tickets/<ticket_id:int>")
    @api
    async def ticket(request: Request, agent: tuple[int, str], ticket_id: int) -> HTTPResponse:
        try:
            after = max(0, int(request.args.get("after", "0")))
        except ValueError:
            return _error("after must be a line id", 400)

        def read(session: Session) -> dict[str, Any] | None:
            view = ticket_view(session, ticket_id=ticket_id, after=after)
            if view is not None:
                record_opened(
                    session, agent_id=agent[0], ticket_id=ticket_id, now=datetime.utcnow()
                )
            return view

        view = await query(read)
        return response.json(view) if view else _error("no such ticket", 404)

    async def change(ticket_id: int, work: Any) -> tuple[str | None, Any]:
        """Run `work(session, ticket)`; an error text for a missing ticket or a refused change."""

        def run(session: Session) -> tuple[str | None, Any]:
            found = session.get(HandoffTicket, ticket_id, with_for_update=True)
            if found is None:
                return "no such ticket", None
            try:
                return None, work(session, found)
            except TicketError as exc:
                return str(exc), None

        return await query(run)

    def owned(agent_id: int):  # type: ignore[no-untyped-def]
        def check(_: Session, ticket: HandoffTicket) -> str:
            if ticket.state != TicketState.ASSIGNED or ticket.agent_id != agent_id:
                raise TicketError("take the conversation first")
            return ticket.conversation_id

        return check

    async def notify(conversation_id: str, kind: str, agent: str, text: str = "") -> bool:
        try:
            await send_notice(
                settings.rasa_url, settings.relay_secret, Notice(conversation_id, kind, agent, text)
            )
        except RelayError:
            return False
        return True

    @bp.post("/api/tickets/<ticket_id:int>/take")
    @api
    async def take(request: Request, agent: tuple[int, str], ticket_id: int) -> HTTPResponse:
        def do(session: Session, found: HandoffTicket) -> str:
            me = session.get(Agent, agent[0])
            assert me is not None
            was, now = found.state.value, datetime.utcnow()
            assign(session, ticket=found, agent=me, now=now)
            record(
                session,
                agent_id=me.id,
                action="took",
                ticket_id=found.id,
                now=now,
                detail=f"was {was}",
            )
            return found.conversation_id

        error, conversation_id = await change(ticket_id, do)
        if error:
            return _error(error, 404 if error == "no such ticket" else 409)
        # Taking again is harmless, so an agent whose first try was not delivered can retry.
        if not await notify(conversation_id, "joined", agent[1]):
            return _error(NOT_DELIVERED, 502)
        return response.json({"ok": True})

    @bp.post("/api/tickets/<ticket_id:int>/reply")
    @api
    async def reply(request: Request, agent: tuple[int, str], ticket_id: int) -> HTTPResponse:
        text = str(_body(request).get("text") or "").strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            return _error(f"a reply is 1 to {MAX_REPLY_CHARS} characters", 400)
        error, conversation_id = await change(ticket_id, owned(agent[0]))
        if error:
            return _error(error, 404 if error == "no such ticket" else 409)
        if not await notify(conversation_id, "message", agent[1], text):
            return _error(NOT_DELIVERED, 502)
        line = Line("agent", text, datetime.utcnow())

        def keep(session: Session, found: HandoffTicket) -> None:
            add_line(session, ticket=found, line=line)
            record(
                session,
                agent_id=agent[0],
                action="replied",
                ticket_id=found.id,
                now=line.at,
                detail=f"{len(text)} characters",
            )

        await change(ticket_id, keep)
        return response.json({"ok": True})

    async def finish(agent: tuple[int, str], ticket_id: int, kind: str, note: str) -> HTTPResponse:
        """Hand the conversation back to the assistant, or close the case; the shopper is told."""
        error, conversation_id = await change(ticket_id, owned(agent[0]))
        if error:
            return _error(error, 404 if error == "no such ticket" else 409)
        if not await notify(conversation_id, kind, agent[1]):
            return _error(NOT_DELIVERED, 502)

        def do(session: Session, found: HandoffTicket) -> None:
            me = session.get(Agent, agent[0])
            assert me is not None
            now = datetime.utcnow()
            close(session, ticket=found, agent=me, note=note, now=now)
            record(session, agent_id=me.id, action=kind, ticket_id=found.id, now=now)

        await change(ticket_id, do)
        return response.json({"ok": True})

    @bp.post("/api/tickets/<ticket_id:int>/hand-back")
    @api
    async def hand_back(request: Request, agent: tuple[int, str], ticket_id: int) -> HTTPResponse:
        return await finish(
            agent, ticket_id, "handed_back", f"{agent[1]} handed back to the assistant"
        )

    @bp.post("/api/tickets/<ticket_id:int>/close")
    @api
    async def close_case(request: Request, agent: tuple[int, str], ticket_id: int) -> HTTPResponse:
        return await finish(agent, ticket_id, "closed", f"{agent[1]} closed the case")

    return bp


def create_app(settings: Settings, sessions: sessionmaker) -> Sanic:
    """The agent console as its own web app (its own process: `python -m bot console`)."""
    app = Sanic("shopdesk_console")
    templates = Environment(
        loader=FileSystemLoader(str(CONSOLE_DIR / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    app.blueprint(
        console_blueprint(settings, store_queries(sessions, settings.db_timeout_s), templates)
    )

    @app.exception(StoreUnavailable)
    async def store_down(_: Request, __: Exception) -> HTTPResponse:
        return _error("the store database is not answering; try again in a moment", 503)

    @app.get("/")
    async def root(_: Request) -> HTTPResponse:
        return response.redirect("/agent/")

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    return app
