"""The command line: database set-up, catalog import, tokens, and starting the services."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.auth import issue_shopper_token
from bot.config import PROJECT_ROOT, SettingsError, get_settings
from bot.handoff.agents import AgentError, create_agent
from bot.nlu_review import export_yaml
from bot.pii import install_log_masking
from bot.rasa_env import rasa_environment
from bot.shopper_data import erase, export_json
from bot.store.customers import customer_by_email
from bot.store.db import make_engine, make_session_factory, migrate, session_scope
from bot.store.importer import CatalogImportError, import_catalog
from bot.store.models import Product
from bot.store.seed import seed_store

RASA = str(Path(sys.executable).with_name("rasa"))


def _factory() -> sessionmaker:
    """Sessions on the store database, migrated to the newest schema first."""
    settings = get_settings()
    migrate(settings.store_db_url)
    return make_session_factory(make_engine(settings.store_db_url, timeout_s=settings.db_timeout_s))


def cmd_db(args: argparse.Namespace) -> int:
    factory = _factory()
    if args.action == "migrate":
        print("store database schema is up to date")
        return 0
    with session_scope(factory) as session:
        if args.action == "seed":
            seed_store(session, seed=args.seed)
        elif args.action == "ensure":
            if session.execute(select(func.count(Product.id))).scalar():
                print("store database already has a catalog; leaving it as it is")
                return 0
            seed_store(session, seed=args.seed)
        elif args.action == "import":
            try:
                count = import_catalog(session, path=Path(args.file))
            except (CatalogImportError, OSError) as exc:
                print(f"import failed, nothing was changed: {exc}", file=sys.stderr)
                return 1
            print(f"imported {count} products")
            return 0
    print(f"store database ready ({args.action})")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Write the queued uncertain messages as Rasa NLU YAML for labelling."""
    with session_scope(_factory()) as session:
        text, count = export_yaml(session, include_exported=args.all, now=datetime.utcnow())
    Path(args.file).write_text(text, encoding="utf-8")
    print(f"wrote {count} message(s) to {args.file}")
    return 0


def cmd_shopper(args: argparse.Namespace) -> int:
    """Export as JSON, or erase, everything the store and the tracker store keep about a shopper."""
    tracker = make_engine(get_settings().tracker_url)
    try:
        with session_scope(_factory()) as session:
            if args.action == "export":
                text = export_json(session, tracker, email=args.email)
            else:
                erased = erase(session, tracker, email=args.email)
    finally:
        tracker.dispose()
    if args.action == "export":
        if text is None:
            print(f"nothing is kept about {args.email}", file=sys.stderr)
            return 1
        print(text)
    elif erased is None:
        print(f"nothing is kept about {args.email}; nothing to erase")
    else:
        print(
            f"erased: {erased.conversations} conversation(s) ({erased.tracker_events} events), "
            f"{erased.tickets} ticket(s), {erased.cases} case(s), {erased.reviews} review row(s); "
            f"{erased.orders} order(s) kept anonymised"
        )
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    settings = get_settings()
    with session_scope(_factory()) as session:
        customer = customer_by_email(session, email=args.email)
        if customer is None:
            print(f"no customer with e-mail {args.email}", file=sys.stderr)
            return 1
        print(issue_shopper_token(customer.id, secret=settings.jwt_secret, ttl_s=args.ttl))
    return 0


def cmd_settings(_: argparse.Namespace) -> int:
    """Print the effective settings, one NAME=value a line; secrets and passwords masked."""
    for name, value in get_settings().shown().items():
        print(f"{name}={value}")
    return 0


DEFAULT_PORTS = {
    "actions": 5055,
    "serve": 5005,
    "shell": 5005,
    "web": 8000,
    "console": 8001,
    "recommender": 5056,
}
APP_SERVICES = ("web", "console", "recommender", "actions")
"""Our own Sanic apps, each served in a process of its own by `python -m bot NAME`."""


def cmd_agent(args: argparse.Namespace) -> int:
    """Create an account for a person who answers shoppers in the agent console."""
    password = os.environ.get("SHOPDESK_AGENT_PASSWORD") or getpass.getpass("password: ")
    with session_scope(_factory()) as session:
        try:
            agent = create_agent(
                session,
                username=args.username,
                display_name=args.name or args.username,
                password=password,
                now=datetime.utcnow(),
            )
        except AgentError as exc:
            print(f"no agent created: {exc}", file=sys.stderr)
            return 1
        print(f"agent {agent.username} ({agent.display_name}) created")
    return 0


def service_command(
    service: str, port: int, env: dict[str, str], extra: Sequence[str] = ()
) -> list[str]:
    """The command line that starts one of our services in the environment `env`."""
    if service in APP_SERVICES:
        return [sys.executable, "-m", "bot", service, "--port", str(port), *extra]
    endpoints = [
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--model",
        env["SHOPDESK_MODEL_DIR"],
    ]
    if service == "shell":
        return [RASA, "shell", *endpoints, *extra]
    # No --cors: the widget's channel checks origins itself (SHOPDESK_STORE_ORIGINS), and a
    # second set of CORS headers from Rasa's sanic-cors would make browsers refuse both.
    return [RASA, "run", *endpoints, "--port", str(port), *extra]


def _serve(args: argparse.Namespace, service: str, create_app: Callable[..., Any]) -> int:
    """Run one of our Sanic apps in this process.

    No migration here: the app starts, and answers politely, even while the database is down.
    """
    settings = get_settings()
    engine = make_engine(settings.store_db_url, timeout_s=settings.db_timeout_s)
    app = create_app(settings, make_session_factory(engine))
    app.run(host=args.host, port=args.port or DEFAULT_PORTS[service], access_log=False)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the demo store's pages and its demo sign-in in this process (development only)."""
    if get_settings().is_production:
        print("the demo store is for development only; production never starts it", file=sys.stderr)
        return 2
    from bot.demo_site.app import create_app  # Sanic is only needed here

    return _serve(args, "web", create_app)


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the agent console in this process."""
    from bot.console.app import create_app

    return _serve(args, "console", create_app)


def cmd_actions(args: argparse.Namespace) -> int:
    """Serve the custom actions to the Rasa server in this process."""
    from bot.action_server import create_app

    settings = get_settings()
    create_app(settings).run(
        host=args.host, port=args.port or DEFAULT_PORTS["actions"], access_log=False
    )
    return 0


def cmd_recommender(args: argparse.Namespace) -> int:
    """Serve recommendations over HTTP in this process."""
    from bot.recommender.service import create_app  # Sanic and the sentence model: only here

    return _serve(args, "recommender", create_app)


def _stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def cmd_service(args: argparse.Namespace) -> int:
    """Run one service in the foreground, or all of them with `run`."""
    env = rasa_environment()
    if args.service != "run":
        port = args.port or DEFAULT_PORTS[args.service]
        return subprocess.call(
            service_command(args.service, port, env, args.extra), cwd=PROJECT_ROOT, env=env
        )
    rasa_port = args.port or DEFAULT_PORTS["serve"]
    env.setdefault("SHOPDESK_CHAT_URL", f"http://localhost:{rasa_port}")
    env.setdefault("SHOPDESK_RASA_URL", f"http://127.0.0.1:{rasa_port}")
    services = [("actions", DEFAULT_PORTS["actions"]), ("serve", rasa_port)]
    services += [(name, DEFAULT_PORTS[name]) for name in ("console", "recommender")]
    if not get_settings().is_production:
        services.append(("web", DEFAULT_PORTS["web"]))
    procs = [
        subprocess.Popen(service_command(name, port, env), cwd=PROJECT_ROOT, env=env)
        for name, port in services
    ]
    print(
        "Shopdesk is starting. When Rasa says 'Rasa server is up and running':\n"
        f"  the demo store with the chat widget:  http://localhost:{DEFAULT_PORTS['web']}\n"
        f"  the agent console:  http://localhost:{DEFAULT_PORTS['console']}/agent/ "
        "(python -m bot agent create NAME makes an account)\n"
        "  chat in a terminal:  make shell\n"
        f"  recommendations:  http://127.0.0.1:{DEFAULT_PORTS['recommender']}/health\n"
        f"  REST:  curl -s localhost:{rasa_port}/webhooks/rest/webhook "
        '-d \'{"sender": "me", "message": "hi"}\'\n'
        "Ctrl-C stops everything.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in procs):
            with contextlib.suppress(subprocess.TimeoutExpired):
                procs[0].wait(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_all(procs)
    return max((p.returncode or 0) for p in procs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="create, seed or import into the store database")
    db.add_argument(
        "action",
        choices=("migrate", "seed", "ensure", "import"),
        help="(every action migrates the schema first) migrate: only that; "
        "seed: replace with the demo store; ensure: seed only if empty; "
        "import: load a catalog CSV",
    )
    db.add_argument("file", nargs="?", help="CSV file for import")
    db.add_argument("--seed", type=int, default=7, help="random seed of the demo store")
    db.set_defaults(func=cmd_db)
    review = sub.add_parser("review", help="export uncertain messages for labelling")
    review.add_argument("action", choices=("export",))
    review.add_argument("file", help="the Rasa NLU YAML file to write")
    review.add_argument("--all", action="store_true", help="include already exported ones")
    review.set_defaults(func=cmd_review)
    shopper = sub.add_parser("shopper", help="export or erase a shopper's personal data")
    shopper.add_argument("action", choices=("export", "erase"), help="export: JSON on stdout")
    shopper.add_argument("email")
    shopper.set_defaults(func=cmd_shopper)
    token = sub.add_parser("token", help="print a store-signed token for a customer")
    token.add_argument("email")
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(func=cmd_token)
    settings = sub.add_parser(
        "settings", help="print the effective settings (secrets masked), one NAME=value a line"
    )
    settings.set_defaults(func=cmd_settings)
    for name, text in (
        ("run", "start every service together"),
        ("serve", "start the Rasa server (REST + socket.io)"),
        ("shell", "chat with the assistant in this terminal"),
    ):
        service = sub.add_parser(name, help=text)
        service.add_argument("--port", type=int, default=0)
        service.add_argument("extra", nargs=argparse.REMAINDER, help="passed on to rasa")
        service.set_defaults(func=cmd_service, service=name)
    agent = sub.add_parser("agent", help="create an agent account for the agent console")
    agent.add_argument("action", choices=("create",))
    agent.add_argument("username")
    agent.add_argument("--name", help="the name shoppers see (default: the username)")
    agent.set_defaults(func=cmd_agent)
    for name, text, serve in (
        ("web", "serve the demo store, development only (port 8000)", cmd_web),
        ("console", "serve the agent console (port 8001)", cmd_console),
        ("recommender", "serve product recommendations over HTTP (port 5056)", cmd_recommender),
        ("actions", "serve the custom actions to the Rasa server (port 5055)", cmd_actions),
    ):
        app = sub.add_parser(name, help=text)
        app.add_argument("--port", type=int, default=0)
        app.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: loopback only)"
        )
        app.set_defaults(func=serve)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    install_log_masking()
    args = build_parser().parse_args(argv)
    if getattr(args, "action", None) == "import" and not args.file:
        build_parser().error("db import needs a CSV file")
    try:
        code = args.func(args)
    except SettingsError as exc:
        print(f"settings: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
