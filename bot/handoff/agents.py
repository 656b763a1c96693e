"""Agent accounts: scrypt-hashed passwords, and sessions that expire (only token hashes stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import Agent, AgentSession

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_CHARS = 10
SESSION_LENGTH = timedelta(hours=8)


class AgentError(ValueError):
    """An agent account could not be created as asked."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def create_agent(
    session: Session, *, username: str, display_name: str, password: str, now: datetime
) -> Agent:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").isalnum():
        raise AgentError("a username is letters, digits, '.' and '-'")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AgentError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if session.execute(select(Agent).where(Agent.username == username)).scalar():
        raise AgentError(f"there is already an agent called {username}")
    agent = Agent(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=hash_password(password),
        on_duty=False,
        created_at=now,
    )
    session.add(agent)
    session.flush()
    return agent


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, *, username: str, password: str, now: datetime) -> str | None:
    """A new session token for the agent, or None (the same for a wrong name or password)."""
    agent = session.execute(
        select(Agent).where(Agent.username == username.strip().lower())
    ).scalar()
    if agent is None or not password_matches(password, agent.password_hash):
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        AgentSession(
            agent_id=agent.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + SESSION_LENGTH,
        )
    )
    session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    session.flush()
    return token


def agent_of(session: Session, *, token: str | None, now: datetime) -> Agent | None:
    """The agent a session token belongs to, while the session lasts."""
    if not token or len(token) > 200:
        return None
    found = session.execute(
        select(AgentSession).where(AgentSession.token_hash == _token_hash(token))
    ).scalar()
    return found.agent if found and found.expires_at > now else None


def sign_out(session: Session, *, token: str) -> None:
    session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
