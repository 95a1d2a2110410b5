"""The tools one call's agent may use, built at the call's start from its definition, the business's
people and calendar, and the deployment's settings; closed (calendar connections) when the call ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from gpu_worker.tools.book_visit import BookVisitTool
from gpu_worker.tools.functions_actions import FunctionsActions
from gpu_worker.tools.hours import HoursTool
from gpu_worker.tools.knowledge import DocumentAnswerer, KnowledgeTool
from gpu_worker.tools.take_message import TakeMessageTool
from gpu_worker.tools.tool import Tool, ToolContext
from gpu_worker.tools.tool_desk import ToolDesk
from gpu_worker.tools.transfer import TransferTool, TwilioRedirector
from shared.agents.definition import AgentDefinition
from shared.calendars.calendar_choice import calendar_choice
from shared.database import Database
from shared.people.directory import Directory, load_directory
from shared.settings import Settings

TWILIO_API = "https://api.twilio.com"
HTTP_TIMEOUT_S = 8.0


@dataclass(frozen=True)
class CallParties:
    call_sid: str
    business_id: str
    business_name: str
    caller: str
    called: str


@contextlib.asynccontextmanager
async def open_call_tools(
    settings: Settings,
    db: Database,
    definition: AgentDefinition,
    call: CallParties,
    knowledge: DocumentAnswerer | None = None,
    people: Directory | None = None,
) -> AsyncIterator[ToolDesk]:
    """`knowledge`: the worker's answerer (None where no embedding model runs: the facts-only answer);
    `people`: the business's people as the call read them at its start (None: read here)."""
    context = ToolContext(
        definition=definition,
        call_sid=call.call_sid,
        business_id=call.business_id,
        business_name=call.business_name,
        caller_number=call.caller,
        now=lambda: datetime.now(UTC),
    )
    wanted = set(definition.tools)
    functions_url = settings.functions_base_url or settings.public_base_url
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(timeout=HTTP_TIMEOUT_S))
        actions = FunctionsActions(
            base_url=functions_url,
            secret=settings.dashboard_webhook_secret,
            call_sid=call.call_sid,
            business_id=call.business_id,
            caller=call.caller,
            called=call.called,
            client=client,
        )
        directory = None
        if wanted & {"take_message", "transfer"}:  # the call's own copy when it has one (read at its start)
            directory = people if people is not None else await load_directory(db, call.business_id)
        tools: dict[str, Tool] = {}
        if definition.facts.hours is not None:
            tools["hours"] = HoursTool(context)
        if directory is not None:
            tools["take_message"] = TakeMessageTool(context, directory, actions)
            redirector = TwilioRedirector(
                base_url=settings.twilio_api_base_url or TWILIO_API,
                account_sid=settings.twilio_account_sid,
                auth_token=settings.twilio_auth_token,
                client=client,
            )
            # Twilio requests the <Dial action> from outside, signed over the public URL
            tools["transfer"] = TransferTool(context, directory, redirector, functions_url=settings.public_base_url)
        if knowledge is not None:
            tools["knowledge"] = KnowledgeTool(context, knowledge, db)
        hours = definition.facts.hours
        if "book_visit" in wanted and hours is not None:
            from shared.calendars.factory import open_booking_desk  # the providers' clients: worker only

            choice = await calendar_choice(db, call.business_id, settings)
            desk = await stack.enter_async_context(open_booking_desk(settings, choice, hours))
            tools["book_visit"] = BookVisitTool(context, desk, actions, timezone=hours.timezone)
        yield ToolDesk(tools, context)
