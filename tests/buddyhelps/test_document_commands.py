"""`buddyhelps documents add|list|search|remove` and seed-demo's documents, against a temp data dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from buddyhelps.cli import main as cli
from shared.demo_business import DEMO_BUSINESS_ID
from tests.buddyhelps.test_data_commands import add_business, data_dir, query

__all__ = ["data_dir"]


def test_seed_demo_loads_the_demo_documents_once(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN seed-demo runs twice
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    first = capsys.readouterr().out
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    # THEN the demo business has its documents, each once
    assert "Service list" in first
    assert "documents: already loaded" in capsys.readouterr().out
    rows = query("SELECT title, language FROM knowledge_documents WHERE business_id = ?", (DEMO_BUSINESS_ID,))
    assert sorted(row["title"] for row in rows) == [
        "FAQ",
        "Policies",
        "Preguntas frecuentes",
        "Price sheet",
        "Service area and hours",
        "Service list",
    ]
    # AND a question retrieves the right one
    assert cli(["documents", "search", "Do you work on tankless water heaters?", "--business", DEMO_BUSINESS_ID]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[1:3] == [
        "Service list",
        "Services > Tankless water heaters",
    ]


def test_add_list_and_remove_a_document(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    business_id = add_business(capsys)
    faq = tmp_path / "pre-op-instructions.md"
    faq.write_text("# Before surgery\nDo not eat after midnight.\n", encoding="utf-8")
    assert cli(["documents", "add", str(faq), "--business", business_id]) == 0
    added = capsys.readouterr().out
    assert "'Pre op instructions' (en, 1 chunks)" in added
    document_id = added.split()[1].rstrip(":")
    assert cli(["documents", "list", "--business", business_id]) == 0
    assert "Pre op instructions" in capsys.readouterr().out
    assert cli(["documents", "remove", document_id]) == 0
    assert query("SELECT COUNT(*) AS n FROM knowledge_chunks")[0]["n"] == 0


def test_bad_input_is_one_clear_error_line(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    business_id = add_business(capsys)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert cli(["documents", "add", str(empty), "--business", business_id]) == 1
    assert "error: 'empty.md' is empty" in capsys.readouterr().err
    assert cli(["documents", "add", str(tmp_path / "missing.pdf"), "--business", business_id]) == 1
    assert "error:" in capsys.readouterr().err
    assert cli(["documents", "remove", "doc_nope"]) == 1
    assert "no document with id 'doc_nope'" in capsys.readouterr().err
