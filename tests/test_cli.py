"""The command line a store owner uses: migrate, seed once, import a catalog, print a token."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.auth import verify_shopper_token
from bot.cli import main
from bot.config import get_settings
from bot.handoff.agents import password_matches
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Agent, Customer, Product


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    return int(exited.value.code or 0)


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'store.db'}"
    monkeypatch.setenv("SHOPDESK_DB_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def count(url: str, column) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        total = session.execute(select(func.count(column))).scalar()
    engine.dispose()
    return int(total)


def test_ensure_seeds_an_empty_store_once(empty_store: str, capsys: pytest.CaptureFixture):
    assert run("db", "ensure") == 0
    products = count(empty_store, Product.id)
    assert products >= 300
    assert run("db", "ensure") == 0
    assert "leaving it as it is" in capsys.readouterr().out
    assert count(empty_store, Product.id) == products


def test_import_reports_a_bad_file_and_exits_non_zero(
    empty_store: str, tmp_path: Path, capsys: pytest.CaptureFixture
):
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title,category,brand,price,colour,size,stock\nA,B,c,d,x,red,M,1\n")
    assert run("db", "import", str(bad)) == 1
    assert "row 2: price 'x' is not a number" in capsys.readouterr().err
    assert count(empty_store, Product.id) == 0


def test_token_for_a_seeded_customer(empty_store: str, capsys: pytest.CaptureFixture):
    run("db", "seed")
    capsys.readouterr()
    assert run("token", "maria.lopez@example.com") == 0
    token = capsys.readouterr().out.strip()
    customer_id = verify_shopper_token(token, secret=get_settings().jwt_secret)
    engine = make_engine(empty_store)
    with make_session_factory(engine)() as session:
        assert session.get(Customer, customer_id).email == "maria.lopez@example.com"
    engine.dispose()
    assert run("token", "nobody@example.com") == 1


def test_agent_accounts_are_created_with_a_hashed_password(
    empty_store: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
):
    monkeypatch.setenv("SHOPDESK_AGENT_PASSWORD", "a long enough secret")
    assert run("agent", "create", "ana", "--name", "Ana from support") == 0
    assert "agent ana (Ana from support) created" in capsys.readouterr().out
    engine = make_engine(empty_store)
    with make_session_factory(engine)() as session:
        agent = session.execute(select(Agent)).scalar_one()
    engine.dispose()
    assert password_matches("a long enough secret", agent.password_hash)
    assert run("agent", "create", "ana") == 1
    assert "already an agent called ana" in capsys.readouterr().err
    monkeypatch.setenv("SHOPDESK_AGENT_PASSWORD", "short")
    assert run("agent", "create", "bo") == 1
