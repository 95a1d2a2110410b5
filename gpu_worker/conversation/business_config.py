"""What a call needs to know about the business it answers for, loaded once at `start`."""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Database
from shared.demo_business import DEMO_GREETING, DEMO_SYSTEM_PROMPT
from shared.keyword_correction import CorrectionRule
from shared.repositories import businesses, keyword_corrections, prompts
from shared.repositories.phone_numbers import Mode


@dataclass(frozen=True)
class BusinessConfig:
    business_id: str
    business_name: str
    owner_phone: str
    system_prompt: str
    greeting: str
    voice: str
    mode: Mode
    corrections: tuple[CorrectionRule, ...]


class BusinessNotFound(LookupError):
    pass


async def load_business_config(db: Database, *, business_id: str, mode: Mode) -> BusinessConfig:
    business = await businesses.get_business(db, business_id)
    if business is None:
        raise BusinessNotFound(f"no business {business_id!r}")
    prompt = await prompts.current_prompt(db, business_id=business_id, mode=mode)
    if prompt is None and mode == "demo":
        prompt = await prompts.current_prompt(db, business_id=business_id, mode="live")
    corrections = await keyword_corrections.corrections_for(db, business_id)
    return BusinessConfig(
        business_id=business.id,
        business_name=business.name,
        owner_phone=business.owner_phone,
        # A business without a prompt still gets a working receptionist rather than a dead line.
        system_prompt=prompt.system_prompt if prompt else DEMO_SYSTEM_PROMPT.replace("Demo Plumbing Co", business.name),
        greeting=prompt.greeting if prompt else DEMO_GREETING.replace("Demo Plumbing", business.name),
        voice=business.voice,
        mode=mode,
        corrections=tuple(CorrectionRule(heard=c.heard, corrected=c.corrected) for c in corrections),
    )


async def greetings_to_prepare(db: Database) -> list[tuple[str, str]]:
    """(greeting, voice) of every enabled business, to synthesize before the first call."""
    rows = await db.fetch_all(
        "SELECT p.greeting AS greeting, b.voice AS voice FROM prompts p JOIN businesses b ON b.id = p.business_id"
        " WHERE b.enabled = 1 AND p.version = (SELECT MAX(version) FROM prompts q"
        " WHERE q.business_id = p.business_id AND q.mode = p.mode)"
    )
    return sorted({(str(row["greeting"]), str(row["voice"])) for row in rows})
