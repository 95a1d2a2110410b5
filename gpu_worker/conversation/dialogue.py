"""What the agent does next on this call: the planner over the business's agent definition.

A caller turn is first *understood* on a fork of the planner (so a speculative turn can be dropped at
no cost), then *committed* when it is confirmed over: the fork becomes the call's planner. The planner
before the last commit is kept, so a turn the caller only paused in can be *retracted* and joined with
what they said next.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpu_worker.conversation.planning.planner import FieldState, Planner, ReplyPlan


@dataclass(frozen=True)
class Understood:
    """A caller turn planned on a fork of the call's planner: adopted at commit, or dropped."""

    text: str
    plan: ReplyPlan
    photo_link: bool  # the caller described something a photo would show
    planner: Planner


@dataclass(frozen=True)
class Committed:
    """The state before the last caller turn, kept in case the caller wasn't finished after all."""

    text: str
    started_ms: int
    planner: Planner
    transcript_len: int
    reply_id: int  # the reply that answers this turn


class Dialogue:
    def __init__(self, *, planner: Planner, language: str) -> None:
        self.planner = planner
        self.language = language
        self.last_commit: Committed | None = None

    def opening(self) -> ReplyPlan:
        return self.planner.opening()

    async def understand(self, text: str, *, photo_link: bool) -> Understood:
        fork = self.planner.fork()
        plan = await fork.plan(text, language=self.language)
        return Understood(text=text, plan=plan, photo_link=photo_link, planner=fork)

    def commit(self, understood: Understood, *, started_ms: int, transcript_len: int, reply_id: int) -> None:
        self.last_commit = Committed(
            text=understood.text,
            started_ms=started_ms,
            planner=self.planner,
            transcript_len=transcript_len,
            reply_id=reply_id,
        )
        self.planner = understood.planner

    def retract(self) -> Committed | None:
        """Undo the last caller turn; returns it so it can be joined with the next."""
        last, self.last_commit = self.last_commit, None
        if last is not None:
            self.planner = last.planner
        return last

    def heard(self, plan: ReplyPlan, heard_text: str, *, complete: bool) -> None:
        """What the caller heard of a reply, from the marks (a safety line cut short is said again)."""
        self.planner.heard(plan, heard_text, complete=complete)

    def silence_plan(self, count: int) -> ReplyPlan:
        return self.planner.silence(count)

    def keypad_plan(self, digit: str) -> ReplyPlan:
        return self.planner.keypad(digit)

    def snapshot(self) -> FieldState:
        return self.planner.snapshot()

    def allows(self, clause: str) -> bool:
        return self.planner.allows(clause)
