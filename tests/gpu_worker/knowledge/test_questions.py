"""Which caller turns are questions the documents might answer (English and Spanish)."""

from __future__ import annotations

import pytest

from gpu_worker.knowledge.questions import is_question


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Do you work on tankless water heaters?", "en"),
        ("what areas do you cover", "en"),
        ("I wanted to know if you do gas lines.", "en"),
        ("Okay. And how much is the call-out fee", "en"),
        ("I was wondering whether you take credit cards", "en"),
        ("¿Qué zonas cubren?", "es"),
        ("Quería saber si aceptan tarjetas", "es"),
        ("trabajan los fines de semana", "es"),
    ],
)
def test_questions_are_recognised(text: str, language: str) -> None:
    assert is_question(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("My kitchen sink is clogged.", "en"),
        ("Can you send someone today?", "en"),
        ("Could you come out this afternoon?", "en"),
        ("Is anyone there?", "en"),
        ("Yes.", "en"),
        ("It's 42 Maple Street.", "en"),
        ("Mi nombre es Ana.", "es"),
        ("¿Pueden venir hoy?", "es"),
    ],
)
def test_statements_and_requests_for_service_are_not(text: str, language: str) -> None:
    assert not is_question(text, language)
