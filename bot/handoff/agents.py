"""Agent accounts: scrypt-hashed passwords, and sessions that expire (only token hashes stored).

Sign-ins through the console are counted (bot/store/throttle.py): failures per username and per
client address; while either is over its limit even the right password is refused, with the
answer a wrong one gets. An unknown username costs the same scrypt work as a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.keyed_hash import keyed_hash
from bot.store.models import Agent, AgentSession
from bot.store.throttle import Key, count_attempt, over_limit, refused_keys

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD_CHARS = 10
SESSION_LENGTH = timedelta(hours=8)
SIGNIN_FAILURES_PER_USERNAME = 5
"""Failed sign-ins one username may have in 15 minutes (four times that in 24 hours)."""
SIGNIN_FAILURES_PER_CLIENT = 20
"""Failed sign-ins one client address may have in 15 minutes (four times that in 24 hours)."""
UNKNOWN_AGENT_HASH = "$".join(
    ["scrypt", str(SCRYPT["n"]), str(SCRYPT["r"]), str(SCRYPT["p"]), "00" * 16, "00" * 32]
)
"""Checked when no agent has the username, so that an unknown name takes as long as a known one."""


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


def _verified_agent(session: Session, *, username: str, password: str) -> Agent | None:
    """The agent the username and password name; the same scrypt work when no agent has it."""
    agent = session.execute(
        select(Agent).where(Agent.username == username.strip().lower())
    ).scalar()
    matches = password_matches(password, agent.password_hash if agent else UNKNOWN_AGENT_HASH)
    return agent if agent is not None and matches else None


def sign_in(session: Session, *, username: str, password: str, now: datetime) -> str | None:
    """A new session token for the agent, or None (the same for a wrong name or password)."""
    agent = _verified_agent(session, username=username, password=password)
    if agent is None:
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


def signin_keys(secret: str, *, username: str, client: str) -> list[Key]:
    """The keys a console sign-in is counted against: the username and the client address."""
    per_user, per_client = SIGNIN_FAILURES_PER_USERNAME, SIGNIN_FAILURES_PER_CLIENT
    user = keyed_hash(secret, "agent_username", username)
    address = keyed_hash(secret, "client", client)
    return [
        Key("agent_signin_user", user, per_user, per_user * 4),
        Key("agent_signin_client", address, per_client, per_client * 4, actor=True),
    ]


def throttled_sign_in(
    session: Session, *, username: str, password: str, client: str, secret: str, now: datetime
) -> str | None:
    """`sign_in`, with failures counted; while throttled every attempt fails.

    A refused attempt counts against the keys that refused it and the client, so that a
    throttled address cannot lock every username it names with one try each.
    """
    keys = signin_keys(secret, username=username, client=client)
    throttled_by = over_limit(session, keys=keys, now=now)
    if throttled_by:
        _verified_agent(session, username=username, password=password)  # same work, no oracle
        count_attempt(session, keys=refused_keys(keys, throttled_by), now=now, locked=throttled_by)
        return None
    token = sign_in(session, username=username, password=password, now=now)
    if token is None:
        count_attempt(session, keys=keys, now=now)
    return token
