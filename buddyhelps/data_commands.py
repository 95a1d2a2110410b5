"""CLI: set up the database and its businesses, numbers, prompts and keywords; serve locally."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from buddyhelps.cli_database import Action, with_database
from shared.agents.templates import TemplateError
from shared.business_from_template import add_business_from_template
from shared.database import Database
from shared.phone_format import InvalidPhoneNumber, normalize_e164
from shared.repositories import agent_definitions, businesses, keyword_corrections, phone_numbers, prompts
from shared.settings import Settings, load_settings


def _with_database(action: Action) -> Callable[[argparse.Namespace], int]:
    return with_database(action, expected=(InvalidPhoneNumber, TemplateError))


async def _migrate(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    applied = await db.migrate()  # open_database already migrated; this reports the state
    row = await db.fetch_one("SELECT MAX(version) AS version FROM schema_migrations")
    print(
        f"database {db.url.split('?')[0]} at schema version {row['version'] if row else 0}"
        + (f" (applied {', '.join(applied)})" if applied else "")
    )
    migrated = await agent_definitions.migrate_all(db)  # businesses from before agent definitions
    if migrated:
        print(f"agent definitions created from their prompts for {len(migrated)} business(es)")
    return 0


async def _business_add(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    business = await add_business_from_template(
        db,
        template=args.template,
        name=args.name,
        owner_phone=normalize_e164(args.owner_phone),
        owner_email=args.owner_email,
        timezone=args.timezone,
        opening_hours=args.opening_hours,
    )
    print(f"created business {business.id} ({business.name}) with the {args.template} agent")
    return 0


async def _require_business(db: Database, business_id: str) -> None:
    if await businesses.get_business(db, business_id) is None:
        raise ValueError(f"no business with id {business_id!r} (see `buddyhelps business list`)")


async def _business_list(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    for business in await businesses.list_businesses(db):
        state = "enabled" if business.enabled else "disabled"
        print(f"{business.id}\t{business.name}\t{business.owner_phone}\t{state}")
    return 0


async def _number_add(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    e164 = normalize_e164(args.number)
    await _require_business(db, args.business)
    if await phone_numbers.get_number(db, e164):
        raise ValueError(f"{e164} is already registered")
    await phone_numbers.add_number(db, e164=e164, business_id=args.business, mode=args.mode)
    print(f"number {e164} → {args.business} ({args.mode})")
    return 0


async def _prompt_set(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    await _require_business(db, args.business)
    system_prompt = await asyncio.to_thread(Path(args.file).read_text, encoding="utf-8") if args.file else args.text
    current = await prompts.current_prompt(db, business_id=args.business, mode=args.mode)
    greeting = args.greeting or (current.greeting if current else "")
    prompt = await prompts.add_prompt_version(
        db,
        business_id=args.business,
        mode=args.mode,
        system_prompt=system_prompt or "",
        greeting=greeting,
        created_by="cli",
    )
    print(f"{args.mode} prompt for {args.business} is now version {prompt.version}")
    return 0


async def _keyword_add(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    if args.business:
        await _require_business(db, args.business)
    scope = args.business or "all businesses"
    for existing in await keyword_corrections.list_corrections(db):
        if existing.business_id == args.business and existing.heard.lower() == args.heard.strip().lower():
            raise ValueError(f"a correction for {args.heard.strip()!r} already exists for {scope} (id {existing.id})")
    correction = await keyword_corrections.add_correction(
        db, heard=args.heard, corrected=args.corrected, business_id=args.business
    )
    print(f"correction {correction.id}: {correction.heard!r} → {correction.corrected!r} for {scope}")
    return 0


async def _seed_demo(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    from shared import demo_business as demo

    worker = await demo.seed_demo_business(
        db, worker_url=args.worker_url or settings.default_worker_url, worker_capacity=settings.worker_capacity
    )
    print(
        f"demo business {demo.DEMO_NAME} ({demo.DEMO_BUSINESS_ID}) answers {demo.DEMO_NUMBER};"
        f" worker {worker.id} at {worker.base_url}"
    )
    from buddyhelps.document_commands import seed_demo_documents

    added = await seed_demo_documents(db, demo.DEMO_BUSINESS_ID)
    print(f"documents: {', '.join(d.title for d in added) or 'already loaded'}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from shared.structured_logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    if args.only == "worker":
        from gpu_worker.runpod_entry import build_server

        # The pod's server: the same socket limits and a bounded shutdown (SIGTERM → gone within seconds).
        build_server(settings, host=args.host, port=args.worker_port, behind_proxy=False).run()
        return 0
    from functions.local_app import create_local_app
    from functions.notification_retry import with_retry_loop
    from functions.proxy_trust import uvicorn_proxy_options

    child: subprocess.Popen[bytes] | None = None
    if args.only is None:
        asyncio.run(_register_served_worker(settings, args))
        command = [
            sys.executable,
            "-m",
            "buddyhelps.cli",
            "serve",
            "--only",
            "worker",
            "--host",
            args.host,
            "--worker-port",
            str(args.worker_port),
        ]
        child = subprocess.Popen(command)  # noqa: S603 - our own CLI, same interpreter
        _exit_with(child)
    app = create_local_app(settings)
    if args.notification_retry_s > 0:  # as the EventBridge schedule does on AWS
        app = with_retry_loop(app, interval_s=args.notification_retry_s)
    from functions.recording_retention import with_retention_loop

    app = with_retention_loop(app)  # hourly, as the EventBridge schedule does on AWS
    if args.outbound_queue_s > 0:  # as the outbound EventBridge Scheduler schedule does on AWS
        from functions.outbound.call_queue import with_call_queue_loop

        app = with_call_queue_loop(app, interval_s=args.outbound_queue_s, max_concurrent=args.outbound_concurrent)
    if args.voicemail_jobs_s > 0:  # as the SQS queue's consumer does on AWS
        from functions.voicemail.voicemail_jobs import with_voicemail_loop

        app = with_voicemail_loop(app, interval_s=args.voicemail_jobs_s)
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.functions_port,
            log_config=None,
            **uvicorn_proxy_options(settings),
        )
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=15)
    return 0


async def _register_served_worker(settings: Settings, args: argparse.Namespace) -> None:
    from buddyhelps.served_worker import register_served_worker
    from shared.database import connected

    host = "127.0.0.1" if args.host in {"0.0.0.0", "::"} else args.host
    url = f"http://{host}:{args.worker_port}"
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        served, warnings = await register_served_worker(db, url=url, capacity=settings.worker_capacity)
    print(f"buddyhelps serve: worker {served.id} registered at {served.base_url}", file=sys.stderr)
    for warning in warnings:
        print(f"buddyhelps serve: WARNING {warning}", file=sys.stderr)


def _exit_with(child: subprocess.Popen[bytes]) -> None:
    """If the worker process dies, stop the functions too: half a stack must not look healthy."""

    def watch() -> None:
        code = child.wait()
        print(f"buddyhelps serve: the worker exited with {code}; stopping", file=sys.stderr)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="worker-watch", daemon=True).start()


def _add(sub: Any, name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=func)
    return parser


def register(subparsers: Any) -> None:
    db_parser = subparsers.add_parser("db", help="database commands")
    db_sub = db_parser.add_subparsers(dest="db_command", required=True)
    _add(db_sub, "migrate", "apply pending schema migrations and print the schema version", _with_database(_migrate))

    biz = subparsers.add_parser("business", help="manage businesses").add_subparsers(dest="sub", required=True)
    add = _add(biz, "add", "create a business", _with_database(_business_add))
    add.add_argument("--name", required=True)
    add.add_argument("--owner-phone", required=True, help="owner's mobile for SMS, e.g. +15551234567")
    add.add_argument("--owner-email", default="")
    add.add_argument("--timezone", default="America/New_York")
    add.add_argument("--opening-hours", default="")
    add.add_argument("--template", default="plumbing", help="the agent to start from (`buddyhelps agent templates`)")
    _add(biz, "list", "list businesses", _with_database(_business_list))

    num = subparsers.add_parser("number", help="manage phone numbers").add_subparsers(dest="sub", required=True)
    add = _add(num, "add", "route a phone number to a business", _with_database(_number_add))
    add.add_argument("number", help="E.164, e.g. +15550100001")
    add.add_argument("--business", required=True, help="business id")
    add.add_argument("--mode", choices=("demo", "live"), default="live")

    prm = subparsers.add_parser("prompt", help="manage prompts").add_subparsers(dest="sub", required=True)
    add = _add(prm, "set", "store a new version of a business's system prompt", _with_database(_prompt_set))
    add.add_argument("--business", required=True)
    add.add_argument("--mode", choices=("demo", "live"), default="live")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the system prompt")
    source.add_argument("--file", help="read the system prompt from a file")
    add.add_argument("--greeting", help="first words of every call (default: keep the current greeting)")

    kw = subparsers.add_parser("keyword", help="manage keyword corrections").add_subparsers(dest="sub", required=True)
    add = _add(kw, "add", "correct a word speech-to-text mishears (whole word, any case)", _with_database(_keyword_add))
    add.add_argument("heard", help="what speech-to-text writes, e.g. quogged")
    add.add_argument("corrected", help="what the caller said, e.g. clogged")
    add.add_argument("--business", help="business id (default: every business)")

    seed = _add(
        subparsers,
        "seed-demo",
        "create the demo plumbing business, its number, prompts and keywords",
        _with_database(_seed_demo),
    )
    seed.add_argument("--worker-url", help="register this worker (default: DEFAULT_WORKER_URL)")

    serve = _add(subparsers, "serve", "run the functions (and the worker) on loopback", _serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--functions-port", type=int, default=8000)
    serve.add_argument("--worker-port", type=int, default=8001)
    serve.add_argument("--only", choices=("functions", "worker"), help="run one side only")
    serve.add_argument(
        "--notification-retry-s",
        type=float,
        default=60.0,
        help="send due notification retries every this many seconds (0: off)",
    )
    serve.add_argument(
        "--outbound-queue-s",
        type=float,
        default=5.0,
        help="ring due outbound campaign calls every this many seconds (0: off)",
    )
    serve.add_argument(
        "--outbound-concurrent", type=int, default=2, help="outbound calls at once at most (also bounded by workers)"
    )
    serve.add_argument(
        "--voicemail-jobs-s",
        type=float,
        default=5.0,
        help="transcribe due voicemails (the database job queue) every this many seconds (0: off)",
    )
