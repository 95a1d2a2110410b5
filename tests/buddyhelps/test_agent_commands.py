"""`buddyhelps agent export|import|versions|activate|templates`, `business add --template`, and the agents
`seed-demo` and `db migrate` leave, against a temp data dir."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from buddyhelps.cli import main as cli
from shared.agents.templates import load_template, template_names
from shared.agents.yaml_io import definition_from_yaml
from shared.database import open_database
from shared.demo_business import DEMO_BUSINESS_ID
from shared.repositories.businesses import create_business
from shared.settings import load_settings
from tests.buddyhelps.test_data_commands import data_dir, query

__all__ = ["data_dir"]  # the fixture, shared with the data CLI's tests


def add_business(capsys: pytest.CaptureFixture[str], *template: str) -> str:
    args = ["business", "add", "--name", "Bright Spark Electric", "--owner-phone", "+15550109999"]
    assert cli([*args, *(("--template", *template) if template else ())]) == 0
    return capsys.readouterr().out.split("created business ", 1)[1].split()[0]


def export(capsys: pytest.CaptureFixture[str], business_id: str, *version: str) -> str:
    assert cli(["agent", "export", "--business", business_id, *(("--version", *version) if version else ())]) == 0
    return capsys.readouterr().out


def test_a_business_added_from_a_template_answers_with_that_agent(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a business added with the electrician template (in Denver's time zone)
    assert cli(["business", "add", "--name", "Bright Spark Electric", "--owner-phone", "+15550109999",
                "--template", "electrician", "--timezone", "America/Denver"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "with the electrician agent" in out
    business_id = out.split("created business ", 1)[1].split()[0]
    # WHEN its agent is exported
    text = export(capsys, business_id)
    # THEN it is the electrician template, version 1
    assert text.startswith(f"# {business_id} agent definition, version 1 (")
    assert definition_from_yaml(text) == load_template("electrician")


def test_business_add_defaults_to_plumbing_and_refuses_an_unknown_template(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    business_id = add_business(capsys)
    assert definition_from_yaml(export(capsys, business_id)).template == "plumbing"
    # WHEN a template that does not exist is asked for THEN exit 1 naming the ones there are; nothing stored
    assert cli(["business", "add", "--name", "X", "--owner-phone", "+15550109998", "--template", "dentist"]) == 1
    assert "error: no template 'dentist'; templates: electrician, front_desk" in capsys.readouterr().err
    assert query("SELECT COUNT(*) AS n FROM businesses") == [{"n": 1}]


def test_an_edited_export_imports_as_the_next_version(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a business's exported agent, with its greeting edited
    business_id = add_business(capsys, "front_desk")
    data = yaml.safe_load(export(capsys, business_id))
    data["greeting"]["en"] = "Hello, {business}. Who would you like to speak to?"
    edited = tmp_path / "agent.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")
    # WHEN it is imported
    assert cli(["agent", "import", "--business", business_id, str(edited), "--note", "shorter greeting"]) == 0
    assert f"agent for {business_id} is now version 2 (Front desk)" in capsys.readouterr().out
    # THEN version 2 is active with the new greeting, and version 1 still exports unchanged
    assert "Who would you like to speak to?" in export(capsys, business_id)
    assert definition_from_yaml(export(capsys, business_id, "1")) == load_template("front_desk")
    assert cli(["agent", "versions", "--business", business_id]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("* v2\t")
    assert lines[0].endswith("\tcli\tFront desk\tshorter greeting")
    assert lines[1].startswith("  v1\t")
    # AND going back to version 1 makes it the one exported
    assert cli(["agent", "activate", "1", "--business", business_id]) == 0
    assert f"agent for {business_id} is now version 1" in capsys.readouterr().out
    assert definition_from_yaml(export(capsys, business_id)) == load_template("front_desk")


def test_an_invalid_import_prints_each_problem_with_its_path_and_saves_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a definition with a bad regular expression and a safety rule setting a field that does not exist
    business_id = add_business(capsys, "plumbing")
    data = yaml.safe_load(export(capsys, business_id))
    data["fields"][4]["options"][1]["patterns"]["en"].append("(unclosed")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    # WHEN it is imported THEN exit 1, the path of the bad pattern is printed, and there is still one version
    assert cli(["agent", "import", "--business", business_id, str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the agent definition is invalid:\n")
    assert "fields[4] (urgency).options[1] (soon).patterns: patterns[en]: invalid regular expression '(unclosed'" in err
    assert query("SELECT COUNT(*) AS n FROM agent_definitions") == [{"n": 1}]
    # AND a missing file or business is one clear line
    assert cli(["agent", "import", "--business", business_id, str(tmp_path / "nope.yaml")]) == 1
    assert "No such file or directory" in capsys.readouterr().err
    assert cli(["agent", "export", "--business", "biz_nope"]) == 1
    assert "error: no business with id 'biz_nope'" in capsys.readouterr().err


def test_agent_templates_lists_every_template(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["agent", "templates"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[0] for row in rows] == template_names()
    assert ["gym_information", "outbound", "Gym information survey", "hours, day_pass_price, classes, drop_in"] in rows


def test_seed_demo_gives_the_demo_the_plumbing_agent_once(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    capsys.readouterr()
    demo = definition_from_yaml(export(capsys, DEMO_BUSINESS_ID))
    assert demo == load_template("plumbing")  # the template's hours are already in the demo's time zone
    assert query("SELECT version, created_by FROM agent_definitions") == [{"version": 1, "created_by": "seed-demo"}]


def test_db_migrate_gives_businesses_from_before_agents_their_prompt_as_a_definition(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a business stored the way every business was before agent definitions, with a live prompt
    async def old_business() -> None:
        db = await open_database(load_settings().database_url)
        try:
            await create_business(db, name="Old Pipes", owner_phone="+15550109999", business_id="biz_old")
        finally:
            await db.close()

    asyncio.run(old_business())
    prompt = ["--text", "You answer for Old Pipes.", "--greeting", "Old Pipes, hi!"]
    assert cli(["prompt", "set", "--business", "biz_old", *prompt]) == 0
    # WHEN the database is migrated (twice)
    assert cli(["db", "migrate"]) == 0
    assert "agent definitions created from their prompts for 1 business(es)" in capsys.readouterr().out
    assert cli(["db", "migrate"]) == 0
    assert "agent definitions" not in capsys.readouterr().out
    # THEN its agent is the plumbing template speaking its prompt and greeting
    migrated = definition_from_yaml(export(capsys, "biz_old"))
    assert migrated.persona["en"] == "You answer for Old Pipes."
    assert migrated.greeting["en"] == "Old Pipes, hi!"
    assert migrated.fields == load_template("plumbing").fields
