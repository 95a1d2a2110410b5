"""Prompt versions and the "try it" box: what an operator may send, checked."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.admin.prompt_diff import diff_table, unified_diff
from functions.admin.worker_client import ChatReply, chat, worker_urls
from shared.database import Database
from shared.repositories.prompts import Prompt, current_prompt, get_prompt_version, list_prompt_versions
from shared.settings import Settings


class NewPromptVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["demo", "live"] = "live"
    system_prompt: str = Field(max_length=20_000)
    greeting: str = Field(max_length=500)


class TryPrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["demo", "live"] = "live"
    text: str = Field(min_length=1, max_length=2000)
    system_prompt: str | None = Field(None, max_length=20_000)  # unsaved draft; None → the saved version


class PromptNotFound(LookupError):
    pass


async def diff_versions(
    db: Database, *, business_id: str, mode: Literal["demo", "live"], old: int, new: int
) -> tuple[Prompt, Prompt]:
    before = await get_prompt_version(db, business_id=business_id, mode=mode, version=old)
    after = await get_prompt_version(db, business_id=business_id, mode=mode, version=new)
    if before is None or after is None:
        missing = old if before is None else new
        raise PromptNotFound(f"there is no {mode} version {missing}")
    return before, after


def render_diff(before: Prompt, after: Prompt) -> tuple[str, str]:
    """(html table, unified text) comparing system prompt and greeting."""
    labels = {"old_label": f"version {before.version}", "new_label": f"version {after.version}"}
    old_text = before.system_prompt + "\nGreeting: " + before.greeting
    new_text = after.system_prompt + "\nGreeting: " + after.greeting
    return str(diff_table(old_text, new_text, **labels)), unified_diff(old_text, new_text, **labels)


async def try_prompt(db: Database, settings: Settings, *, business_id: str, request: TryPrompt) -> ChatReply:
    system_prompt = request.system_prompt
    if not system_prompt or not system_prompt.strip():
        saved = await current_prompt(db, business_id=business_id, mode=request.mode)
        if saved is None:
            raise PromptNotFound(f"there is no {request.mode} prompt yet: save one first")
        system_prompt = saved.system_prompt
    url = (await worker_urls(db, settings))[0]
    return await chat(url, token=settings.worker_api_token, system_prompt=system_prompt, text=request.text, messages=[])


async def versions(db: Database, business_id: str, mode: Literal["demo", "live"]) -> list[Prompt]:
    return await list_prompt_versions(db, business_id=business_id, mode=mode)
