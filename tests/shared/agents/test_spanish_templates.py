"""The shipped templates speak Spanish: every caller-facing text has its Spanish line (the definition
refuses to load otherwise), and Spanish callers' words trigger the same safety rules and urgencies."""

from __future__ import annotations

import re

import pytest

from shared.agents.definition import AgentDefinition
from shared.agents.fields.lexicons import lexicon_for
from shared.agents.fields.options import extract_option
from shared.agents.templates import load_template

SPANISH_TEMPLATES = ("electrician", "front_desk", "gym_information", "hvac", "plumbing", "preop_reminder")


@pytest.mark.parametrize("name", SPANISH_TEMPLATES)
def test_the_template_enables_spanish_in_the_usted_form(name: str) -> None:
    definition = load_template(name)
    assert definition.languages == ["en", "es"]
    # the greeting addresses the caller as "usted" ("le atiende", "le puedo ayudar"), never "tú"
    greeting = definition.greeting["es"]
    assert re.search(r"\b(le|su|usted)\b", greeting, re.IGNORECASE)
    assert not re.search(r"\b(tú|te|puedes)\b", greeting)
    assert definition.voice_for("es", business_voice="af_heart") == "ef_dora"


def test_outbound_templates_disclose_the_automated_call_in_spanish() -> None:
    for name in ("gym_information", "preop_reminder"):
        outbound = load_template(name).outbound
        assert outbound is not None
        assert "llamada automática de parte de {business}" in outbound.disclosure["es"]


@pytest.mark.parametrize(
    ("template", "caller", "rule"),
    [
        ("preop_reminder", "me duele mucho, tengo dolor de pecho", "urgent_symptoms"),
        ("plumbing", "se reventó un tubo y hay agua por todas partes", "water"),
        ("plumbing", "huele a gas en la cocina", "gas"),
        ("plumbing", "las aguas negras se están saliendo por el baño", "sewage"),
        ("electrician", "el enchufe de la cocina está sacando chispas", "sparking"),
        ("electrician", "huele a quemado en el panel", "burning"),
        ("electrician", "a mi hijo le dio una descarga el interruptor", "shock"),
        ("electrician", "nos quedamos sin luz en toda la casa", "power_out"),
        ("hvac", "está sonando la alarma de monóxido", "carbon_monoxide"),
        ("hvac", "no tenemos calefacción y afuera está helando", "no_heat_freezing"),
    ],
)
def test_spanish_safety_rules_match_what_callers_say(template: str, caller: str, rule: str) -> None:
    definition = load_template(template)
    matched = [r.name for r in definition.safety if any(re.search(p, caller, re.IGNORECASE) for p in r.patterns["es"])]
    assert rule in matched


@pytest.mark.parametrize(
    ("template", "caller", "urgency"),
    [
        ("plumbing", "Se me inundó el sótano", "emergency"),
        ("plumbing", "El inodoro está tapado", "soon"),
        ("plumbing", "Quisiera una cotización para instalar un calentador, no es urgente", "routine"),
        ("hvac", "El aire acondicionado no enfría", "soon"),
    ],
)
def test_spanish_words_imply_the_urgency(template: str, caller: str, urgency: str) -> None:
    spec = load_template(template).field("urgency")
    assert extract_option(spec, caller, lexicon_for("es"), answering=False) == urgency


def test_a_language_speaks_in_its_own_voice_unless_the_definition_names_one() -> None:
    data = load_template("plumbing").model_dump(mode="json")
    plain = load_template("plumbing")
    # the business's English voice speaks English; Spanish falls to ef_dora; a Spanish business voice stays
    assert plain.voice_for("en", business_voice="am_michael") == "am_michael"
    assert plain.voice_for("es", business_voice="am_michael") == "ef_dora"
    assert plain.voice_for("es", business_voice="em_alex") == "em_alex"
    # a definition's own choice wins, and a bad voice name is refused when the definition loads
    chosen = AgentDefinition.model_validate({**data, "voices": {"es": "em_alex"}})
    assert chosen.voice_for("es", business_voice="af_heart") == "em_alex"
    with pytest.raises(ValueError, match="voices"):
        AgentDefinition.model_validate({**data, "voices": {"es": "Dora!"}})
