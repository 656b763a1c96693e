"""The demo store's site over real HTTP: pages from the database, demo sign-in, widget files."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests
from sqlalchemy import select

from bot.auth import verify_shopper_token
from bot.config import get_settings
from bot.demo_site.app import SESSION_COOKIE
from bot.service_process import Service, free_port
from bot.store.db import make_engine, make_session_factory
from bot.store.models import Customer, Product
from bot.store.products import catalog_page
from tests.server_process import service_env


def _site(folder: Path, store_url: str) -> Service:
    env = service_env(store_url, f"sqlite:///{folder / 'tracker.db'}", free_port())
    env["SHOPDESK_CHAT_URL"] = "http://chat.example:5005"
    return Service("web", env, folder / "web.log").start()


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, seeded_templates: dict[str, str]
) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("site")
    shutil.copy(seeded_templates["sqlite"], folder / "store.db")
    store_url = f"sqlite:///{folder / 'store.db'}"
    web = _site(folder, store_url)
    yield f"http://127.0.0.1:{web.port}", store_url
    web.stop()


def _widget_tag(html: str) -> str:
    tags = re.findall(r"<script [^>]*shopdesk-widget\.js[^>]*>", html)
    assert len(tags) == 1, "every page carries exactly one widget script tag"
    return tags[0]


def test_the_home_page_lists_the_catalog_and_carries_the_widget(site: tuple[str, str]):
    url, store_url = site
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    with make_session_factory(make_engine(store_url))() as session:
        products, total = catalog_page(session, limit=24)
    titles = re.findall(r'<span class="title">([^<]+)</span>', page.text)
    assert titles == [p.title for p in products]
    assert f"Page 1 of {-(-total // 24)}" in page.text
    tag = _widget_tag(page.text)
    assert 'data-server="http://chat.example:5005"' in tag
    assert "data-shopper-token" not in tag  # a guest gets no token


def test_a_category_page_shows_only_that_category(site: tuple[str, str]):
    url, store_url = site
    page = requests.get(url, params={"category": "yoga"}, timeout=10)
    titles = re.findall(r'<span class="title">([^<]+)</span>', page.text)
    with make_session_factory(make_engine(store_url))() as session:
        yoga = set(
            session.execute(select(Product.title).where(Product.category == "yoga")).scalars()
        )
    assert titles and set(titles) <= yoga


def test_a_product_page_and_an_unknown_product(site: tuple[str, str]):
    url, store_url = site
    with make_session_factory(make_engine(store_url))() as session:
        product = session.execute(select(Product).order_by(Product.id.desc())).scalars().first()
        assert product is not None
        sku, title = product.sku, product.title
    page = requests.get(f"{url}/products/{sku}", timeout=10)
    assert page.status_code == 200 and f"<h1>{title}</h1>" in page.text
    missing = requests.get(f"{url}/products/NOPE-0000", timeout=10)
    assert missing.status_code == 404 and "couldn't find that page" in missing.text
    _widget_tag(missing.text)


def test_what_a_visitor_types_in_the_address_is_escaped(site: tuple[str, str]):
    url, _ = site
    page = requests.get(url, params={"category": "<script>alert(1)</script>"}, timeout=10)
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_sign_in_gives_the_widget_a_token_for_that_shopper_only(site: tuple[str, str]):
    url, store_url = site
    with make_session_factory(make_engine(store_url))() as session:
        customer = session.execute(select(Customer).order_by(Customer.id.desc())).scalars().first()
        assert customer is not None
        email, customer_id, name = customer.email, customer.id, customer.first_name
    browser = requests.Session()
    wrong = browser.post(f"{url}/signin", data={"email": "nobody@example.com"}, timeout=10)
    assert wrong.status_code == 401 and "no account with that e-mail" in wrong.text
    assert SESSION_COOKIE not in browser.cookies
    signed_in = browser.post(f"{url}/signin", data={"email": email.upper()}, timeout=10)
    assert signed_in.status_code == 200 and f"Signed in as {name}" in signed_in.text
    cookie = signed_in.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = re.search(r'data-shopper-token="([^"]+)"', _widget_tag(signed_in.text))
    assert (
        token
        and verify_shopper_token(token.group(1), secret=get_settings().jwt_secret) == customer_id
    )
    signed_out = browser.post(f"{url}/signout", timeout=10)
    assert "Signed in as" not in signed_out.text
    assert "data-shopper-token" not in _widget_tag(signed_out.text)


def test_a_forged_session_cookie_signs_nobody_in(site: tuple[str, str]):
    url, _ = site
    forged = jwt.encode(
        {"sub": "1", "iss": "shopdesk-store", "exp": 4102444800},
        "not-the-store-secret-but-long-enough-for-hs256",
    )
    page = requests.get(url, cookies={SESSION_COOKIE: forged}, timeout=10)
    assert page.status_code == 200
    assert "Signed in as" not in page.text and "data-shopper-token" not in page.text


def test_the_widget_files_come_from_our_own_origin(site: tuple[str, str]):
    url, _ = site
    client = requests.get(f"{url}/widget/socket.io.min.js", timeout=10)
    assert client.status_code == 200
    assert re.match(
        r"/\*!\s*\n?\s*\* Socket\.IO v4\.", client.text
    )  # v4 speaks to Rasa's v5 server
    script = requests.get(f"{url}/widget/shopdesk-widget.js", timeout=10)
    assert script.status_code == 200 and "attachShadow" in script.text
    code = script.text.split("*/", 1)[1]  # after the header comment with the embedding example
    assert re.findall(r"https?://[^\s\"']+", code) == ["http://www.w3.org/2000/svg"]  # a name
    assert requests.get(f"{url}/widget/../cli.py", timeout=10).status_code == 404
    image = requests.get(f"{url}/static/products/running.svg", timeout=10)
    assert image.headers["Content-Type"].startswith("image/svg+xml") and "<svg" in image.text


def test_a_store_database_that_is_down_gets_a_polite_page(tmp_path: Path):
    web = _site(tmp_path, "postgresql://postgres@127.0.0.1:1/unreachable")
    try:
        page = requests.get(f"http://127.0.0.1:{web.port}/", timeout=15)
    finally:
        web.stop()
    assert page.status_code == 503
    assert "taking a short break" in page.text
    _widget_tag(page.text)  # the assistant still answers general questions
