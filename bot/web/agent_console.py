"""The agent console: signed-in agents see the queue, read a conversation, reply live, hand back.

Pages at /agent for people, and a JSON API at /agent/api for the page (and any other client).
Every API call needs a live agent session: the console's HttpOnly cookie, or
`Authorization: Bearer <token>` from `POST /agent/api/signin`. Shoppers' sessions are a different
cookie and open nothing here. Calls that change something must be JSON, which a cross-site form
cannot send, and the cookie is SameSite=Strict.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.handoff.agents import agent_of, sign_in, sign_out
from bot.handoff.console_views import queue_view, ticket_view
from bot.handoff.relay import Notice, RelayError, send_notice
from bot.handoff.tickets import Line, TicketError, add_line, assign, close
from bot.store.models import Agent, HandoffTicket, TicketState
from bot.web.store_queries import Query

CONSOLE_FILES = {
    "console.js": Path(__file__).resolve().parent / "console" / "console.js",
    "console.css": Path(__file__).resolve().parent / "console" / "console.css",
}
AGENT_COOKIE = "shopdesk_agent"
COOKIE_MAX_AGE_S = 8 * 3600
MAX_REPLY_CHARS = 5_000
NOT_DELIVERED = "The shopper's chat could not be reached, so nothing was sent. Please try again."


def _token(request: Request) -> str | None:
    scheme, _, bearer = (request.headers.get("Authorization") or "").partition(" ")
    return bearer if scheme == "Bearer" and bearer else request.cookies.get(AGENT_COOKIE)


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
            if request.method == "POST" and "application/json" not in (
                request.headers.get("Content-Type") or ""
            ):
                return _error("send JSON", 415)
            return await handler(request, agent, *args, **kwargs)

        return checked

    def page(template: str, status: int = 200, **values: Any) -> HTTPResponse:
        html = templates.get_template(template).render(**values)
        return response.html(html, status=status, headers={"Cache-Control": "no-store"})

    async def start_session(username: str, password: str) -> tuple[str, str] | None:
        def attempt(session: Session) -> tuple[str, str] | None:
            now = datetime.utcnow()
            token = sign_in(session, username=username[:60], password=password[:200], now=now)
            agent = agent_of(session, token=token, now=now) if token else None
            if agent is None or token is None:
                return None
            agent.on_duty = True
            return token, agent.display_name

        return await query(attempt)

    def with_cookie(answer: HTTPResponse, token: str) -> HTTPResponse:
        answer.cookies[AGENT_COOKIE] = token
        cookie = answer.cookies[AGENT_COOKIE]
        cookie["httponly"], cookie["samesite"], cookie["path"] = True, "Strict", "/agent"
        cookie["max-age"] = COOKIE_MAX_AGE_S
        return answer

    @bp.get("/")
    async def console(request: Request) -> HTTPResponse:
        agent = await signed_in(request)
        if agent is None:
            return response.redirect("/agent/signin")
        return page("agent_console.html", agent_name=agent[1])

    async def console_file(name: str) -> HTTPResponse:
        return await response.file(CONSOLE_FILES[name], headers={"Cache-Control": "no-cache"})

    @bp.get("/console.js")
    async def console_js(_: Request) -> HTTPResponse:
        return await console_file("console.js")

    @bp.get("/console.css")
    async def console_css(_: Request) -> HTTPResponse:
        return await console_file("console.css")

    @bp.get("/signin")
    async def signin_page(_: Request) -> HTTPResponse:
        return page("agent_signin.html", error=None)

    @bp.post("/signin")
    async def signin_form(request: Request) -> HTTPResponse:
        started = await start_session(
            str(request.form.get("username") or ""), str(request.form.get("password") or "")
        )
        if started is None:
            return page("agent_signin.html", 401, error="Wrong username or password.")
        return with_cookie(response.redirect("/agent/"), started[0])

    @bp.post("/signout")
    async def signout(request: Request) -> HTTPResponse:
        token = _token(request)
        agent = await signed_in(request)
        if token and agent:

            def end(session: Session) -> None:
                sign_out(session, token=token)
                found = session.get(Agent, agent[0])
                if found is not None:
                    found.on_duty = False

            await query(end)
        done = response.redirect("/agent/signin")
        done.cookies[AGENT_COOKIE] = ""
        done.cookies[AGENT_COOKIE]["path"], done.cookies[AGENT_COOKIE]["max-age"] = "/agent", 0
        return done

    @bp.post("/api/signin")
    async def signin_api(request: Request) -> HTTPResponse:
        body = _body(request)
        started = await start_session(
            str(body.get("username") or ""), str(body.get("password") or "")
        )
        if started is None:
            return _error("wrong username or password", 401)
        token, name = started
        return with_cookie(response.json({"token": token, "agent": name}), token)

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
        view = await query(lambda s: ticket_view(s, ticket_id=ticket_id, after=after))
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
                settings.rasa_url, settings.jwt_secret, Notice(conversation_id, kind, agent, text)
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
            assign(session, ticket=found, agent=me, now=datetime.utcnow())
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
        await change(ticket_id, lambda s, t: add_line(s, ticket=t, line=line).id)
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
            close(session, ticket=found, agent=me, note=note, now=datetime.utcnow())

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
