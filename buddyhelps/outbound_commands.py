"""`buddyhelps campaign create|place|results|run|eval`: outbound calls that pursue a goal.

`create` and `place` queue numbers in the database; `buddyhelps serve` (or the EventBridge-scheduled
Lambda on AWS) rings them within each callee's calling hours. A campaign runs `--agent` (a template or a
definition file, kept as the campaign's own definition) or else the business's own agent, which must then
be an outbound one; either way its calls run that agent, never the business's receptionist.
`run --simulate BOOK` runs a whole campaign here against simulated callees and writes the results CSV;
`eval` does that for every shipped callee book and writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from buddyhelps.outbound_campaign_run import RunOptions, run_simulated
from buddyhelps.outbound_figures import campaign_figures
from buddyhelps.simulator.callee_book import CalleeBookError, available_books, load_book
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template, template_names
from shared.agents.yaml_io import definition_from_yaml
from shared.database import Database, open_database
from shared.outbound import campaigns
from shared.outbound.calling_rules import CallingHours
from shared.outbound.campaign_results import campaign_results_csv
from shared.outbound.csv_numbers import read_numbers
from shared.repositories import agent_definitions, businesses
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("campaign", help="outbound calls that pursue a goal (queue, run, results)")
    actions = parser.add_subparsers(dest="campaign_action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="queue a CSV of numbers (number[,label]) for a business's agent")
    _common(create)
    create.add_argument("--numbers", type=Path, required=True, help="CSV: number[,label] per line")
    create.set_defaults(func=lambda args: _run(_create(args)))
    place = actions.add_parser("place", help="queue one outbound call")
    _common(place)
    place.add_argument("--to", required=True, help="the number to call")
    place.set_defaults(func=lambda args: _run(_create(args)))
    results = actions.add_parser("results", help="a campaign's results as CSV")
    results.add_argument("--campaign", required=True)
    results.add_argument("--out", type=Path, help="write here instead of standard output")
    results.set_defaults(func=lambda args: _run(_results(args)))
    run = actions.add_parser("run", help="run a campaign here against simulated callees (--simulate BOOK)")
    _common(run)
    run.add_argument("--numbers", type=Path, help="CSV of numbers (default: every callee in the book)")
    run.add_argument("--simulate", required=True, help=f"callee book: {', '.join(available_books())} or a path")
    run.add_argument("--out", type=Path, default=Path("artifacts/campaign-results.csv"))
    run.set_defaults(func=lambda args: _run(_simulated(args)))
    evaluate = actions.add_parser("eval", help="every callee book through a simulated campaign; JSON figures")
    evaluate.add_argument("--json", type=Path, default=Path("artifacts/outbound-eval.json"))
    evaluate.add_argument("--books", nargs="*", default=available_books())
    evaluate.set_defaults(func=lambda args: _run(_evaluate(args)))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--business", required=True, help="the business the calls are made for")
    parser.add_argument("--agent", help=AGENT_HELP)
    parser.add_argument("--from", dest="from_number", default="+12125550100", help="the number we call from")
    parser.add_argument("--name", default="campaign")
    parser.add_argument("--hours", default="09:00-20:00", help="callee's local calling hours, HH:MM-HH:MM")
    parser.add_argument("--max-attempts", type=int, default=3)
    parser.add_argument("--retry-base-s", type=int, default=900, help="backoff after busy/no-answer/failed")


AGENT_HELP = (
    f"the agent that calls: a template ({', '.join(template_names())}) or a definition YAML file;"
    " default: the business's own agent, if it is an outbound one"
)


def read_agent(text: str | None) -> AgentDefinition | None:
    """--agent: a shipped template's name or a definition YAML file; None when not given."""
    if not text:
        return None
    if text in template_names():
        return load_template(text)
    path = Path(text)
    if path.is_file():
        return definition_from_yaml(path.read_text("utf-8"))
    raise ValueError(f"--agent {text!r}: neither a template ({', '.join(template_names())}) nor a definition file")


def _run(work: Any) -> int:
    try:
        result: int = asyncio.run(work)
    except (ValueError, OSError) as error:
        print(f"campaign: {error}", file=sys.stderr)
        return 2
    return result


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


def parse_hours(text: str) -> CallingHours:
    """ "09:00-20:00" → CallingHours; ValueError naming the expected form otherwise."""
    try:
        start, end = (part.strip() for part in text.split("-"))
        minutes = [int(h) * 60 + int(m) for h, m in (start.split(":"), end.split(":"))]
    except ValueError as error:
        raise ValueError(f"--hours {text!r}: expected HH:MM-HH:MM, e.g. 09:00-20:00") from error
    if not 0 <= minutes[0] < minutes[1] <= 1440:
        raise ValueError(f"--hours {text!r}: the start must come before the end, within the day")
    return CallingHours(minutes[0], minutes[1])


async def check_outbound_agent(db: Database, business_id: str, agent: AgentDefinition | None) -> None:
    """ValueError unless the business exists and the calls would run an outbound agent (one with a goal)."""
    if agent is not None:
        if await businesses.get_business(db, business_id) is None:
            raise ValueError(f"no business {business_id!r}")
        if agent.direction != "outbound" or agent.outbound is None:
            raise ValueError(f"agent {agent.name!r} answers inbound calls; an outbound call needs an outbound agent")
        return
    stored = await agent_definitions.current_definition(db, business_id)
    if stored is None:
        raise ValueError(f"no business {business_id!r}")
    if stored.definition.direction != "outbound" or stored.definition.outbound is None:
        raise ValueError(
            f"business {business_id!r} answers with an inbound agent; give it an outbound one "
            "(e.g. `buddyhelps business add --template gym_information`)"
        )


async def _create(args: argparse.Namespace) -> int:
    settings = _settings()
    entries = [(args.to, "")] if getattr(args, "to", None) else read_numbers(args.numbers.read_text("utf-8"))
    agent = read_agent(args.agent)
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        await check_outbound_agent(db, args.business, agent)
        campaign = await campaigns.create_campaign(
            db,
            business_id=args.business,
            name=args.name,
            from_number=args.from_number,
            hours=parse_hours(args.hours),
            max_attempts=args.max_attempts,
            retry_base_s=args.retry_base_s,
            agent=agent,
            created_by="cli",
        )
        queued, rejected = await campaigns.add_numbers(db, campaign, entries)
    finally:
        await db.close()
    print(f"campaign {campaign.id}: {queued} number(s) queued; `buddyhelps serve` rings them")
    for line in rejected:
        print(f"  not queued: {line.raw!r}: {line.reason}", file=sys.stderr)
    return 0 if queued else 1


async def campaign_csv(db: Database, campaign_id: str) -> str:
    text = await campaign_results_csv(db, campaign_id)
    if text is None:
        raise ValueError(f"no campaign {campaign_id!r}")
    return text


async def _results(args: argparse.Namespace) -> int:
    settings = _settings()
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        text = await campaign_csv(db, args.campaign)
    finally:
        await db.close()
    _write(text, args.out)
    return 0


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"results written to {out}")


async def _simulated(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        book = load_book(args.simulate)
    except CalleeBookError as error:
        raise ValueError(str(error)) from error
    entries = (
        read_numbers(args.numbers.read_text("utf-8"))
        if args.numbers
        else [(callee.number, callee.name) for callee in book.callees]
    )
    agent = read_agent(args.agent)
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        await check_outbound_agent(db, args.business, agent)
    finally:
        await db.close()
    options = RunOptions(
        business_id=args.business,
        agent=agent,
        from_number=args.from_number,
        hours=parse_hours(args.hours),
        max_attempts=args.max_attempts,
        retry_base_s=min(args.retry_base_s, 10),  # a simulated busy line frees up at once
    )
    voice = PiperCallerVoice(cache_dir=settings.data_dir / "caller-voice-cache")
    run = await run_simulated(settings, book, entries, options, voice)
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        _write(await campaign_csv(db, run.campaign.id), args.out)
    finally:
        await db.close()
    print(json.dumps(campaign_figures(book, run), indent=2))
    return 0


async def _evaluate(args: argparse.Namespace) -> int:
    from buddyhelps.outbound_figures import evaluate_books

    settings = _settings()
    figures = await evaluate_books(settings, list(args.books))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures["summary"], indent=2))
    print(f"figures written to {args.json}")
    return 0
