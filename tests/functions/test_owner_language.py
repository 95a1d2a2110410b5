"""The owner reads about a call in the business's language: a Spanish-speaking owner gets Spanish labels
and words from the agent definition; an English owner gets English labels for a call held in Spanish,
the caller's words kept as said and the call's language noted."""

from __future__ import annotations

import httpx

from functions.notification_messages import owner_email_text, summarize
from shared.agents.templates import load_template
from shared.call_report import ReportField, TranscriptEntry
from shared.database import Database
from shared.repositories import agent_definitions
from shared.repositories.businesses import Business, update_business
from shared.repositories.calls import get_call
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import make_report, post_report

SPANISH_CALL = [
    ReportField(name="problem", label="Problema", kind="free_text", value="se reventó un tubo en la cocina"),
    ReportField(name="name", label="Nombre", kind="person_name", value="José Martínez", status="confirmed"),
    ReportField(name="address", label="Dirección", kind="address", value="Calle Olmo 42", status="confirmed"),
    ReportField(name="callback", label="Número para devolver la llamada", kind="phone", value="+15125550199"),
    ReportField(name="urgency", label="Urgencia", kind="enum", value="emergency", spoken="emergencia"),
]
SPANISH_TRANSCRIPT = [
    TranscriptEntry(speaker="caller", text="Hola, se me reventó un tubo en la cocina.", start_ms=0, end_ms=2000),
    TranscriptEntry(
        speaker="system", text="Language: English → Spanish (detected, 0.97, caller turn 1)", start_ms=2000, end_ms=2000
    ),
]


async def _plumbing_agent(db: Database, business: Business) -> int:
    return await agent_definitions.save_definition(db, business.id, load_template("plumbing"), "test", "plumbing")


async def test_a_spanish_owner_reads_the_call_in_spanish(
    client: httpx.AsyncClient, settings: Settings, db: Database, business: Business
) -> None:
    # GIVEN a business whose owner reads Spanish, answering with the plumbing agent
    version = await _plumbing_agent(db, business)
    await update_business(db, business.id, language="es")
    # WHEN a call held in Spanish is reported
    report = make_report(fields=SPANISH_CALL, transcript=SPANISH_TRANSCRIPT, language="es", agent_version=version)
    response = await post_report(client, settings, report)
    assert response.status_code == 200, response.text
    call = await get_call(db, response.json()["call_id"])
    assert call is not None
    sent = {n.purpose: n for n in await list_for_call(db, call.id)}
    # THEN the text and the email are in Spanish, with the caller's words (accents) as said
    sms = sent["owner_sms"].body
    assert sms.startswith("[EMERGENCIA] Nueva llamada para Rapid Rooter Plumbing")
    assert "Nombre: José Martínez" in sms
    assert "Problema: se reventó un tubo en la cocina" in sms
    assert "Número para devolver la llamada: (512) 555-0199" in sms
    email = sent["owner_email"]
    assert "Transcripción" in email.body
    assert "Cliente: Hola, se me reventó un tubo en la cocina." in email.body
    assert email.html_body is not None
    assert 'lang="es"' in email.html_body
    assert "Abrir la página de la llamada" in email.html_body
    # AND the call page too
    page = await client.get(f"/c/{call.id}")
    assert "Transcripción" in page.text
    assert "Número para devolver la llamada" in page.text
    assert "EMERGENCIA" in page.text
    assert "Hola, se me reventó un tubo en la cocina." in page.text


async def test_an_english_owner_gets_english_labels_and_the_call_language_noted(
    client: httpx.AsyncClient, settings: Settings, db: Database, business: Business
) -> None:
    # GIVEN an English-reading owner WHEN a Spanish call is reported
    version = await _plumbing_agent(db, business)
    report = make_report(fields=SPANISH_CALL, transcript=SPANISH_TRANSCRIPT, language="es", agent_version=version)
    response = await post_report(client, settings, report)
    call = await get_call(db, response.json()["call_id"])
    assert call is not None
    sms = next(n for n in await list_for_call(db, call.id) if n.purpose == "owner_sms").body
    # THEN the labels come from the definition in English; the caller's words stay Spanish; the language is noted
    assert sms.startswith("[EMERGENCY] New call for Rapid Rooter Plumbing")
    assert "Name: José Martínez" in sms
    assert "Problem: se reventó un tubo en la cocina" in sms
    assert "Urgency: emergency" in sms
    assert "Call language: Spanish" in sms
    page = await client.get(f"/c/{call.id}")
    assert "Call language" in page.text
    assert "Name" in page.text


def test_without_the_definition_the_labels_stay_as_the_call_gave_them() -> None:
    report = make_report(fields=SPANISH_CALL, language="es")
    summary = summarize(report, business_name="Rapid", timezone="America/Chicago", call_url="https://x/c/1")
    text = owner_email_text(summary)
    assert "Nombre:" in text
    assert "Call language:" in text
    assert "Spanish" in text
