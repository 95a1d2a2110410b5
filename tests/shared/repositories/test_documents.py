"""Documents in, searched, replaced and removed on every backend: the libSQL file (exact search in the
worker) and a real sqld server over HTTP and WebSocket (libSQL's vector index, `vector_top_k`)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from shared.database import Database
from shared.knowledge.documents import DocumentRejected
from shared.knowledge.indexing import EmbeddedPassages, LocalPassageEmbedding, Upload, index_document
from shared.knowledge.search import KnowledgeSearch
from shared.repositories.businesses import create_business
from shared.repositories.documents import delete_document, list_documents
from tests.shared.knowledge.memo_embedder import MemoEmbedder, shared_embedder

SERVICES = b"""# Services
## Tankless water heaters
Yes, we install and repair tankless water heaters from Rinnai and Navien.
## Drains
We clear clogged sinks and main sewer lines with hydro-jetting.
"""
AREA = b"We serve Springfield, Shelbyville and Ogdenville, up to 25 miles from our shop."


@pytest.fixture
def embedder() -> MemoEmbedder:
    return shared_embedder()


async def _business(db: Database) -> str:
    business = await create_business(db, name="Pipes", owner_phone="+15550100002")
    return business.id


async def _ask(db: Database, embedder: MemoEmbedder, business_id: str, question: str, language: str = "en"):
    search = KnowledgeSearch(dim=embedder.dim)
    query = embedder.embed_queries([question])[0]
    return await search.nearest(
        db, business_id=business_id, language=language, model=embedder.model_name, query=query, question=question
    )


async def test_a_question_finds_the_chunk_that_answers_it_on_every_backend(any_db: Database, embedder) -> None:
    # GIVEN a business with a service list and a service-area note
    business_id = await _business(any_db)
    local = LocalPassageEmbedding(embedder)
    for title, name, data in (("Service list", "services.md", SERVICES), ("Service area", "area.txt", AREA)):
        await index_document(any_db, local, Upload(business_id, "en", title, name, data))
    # WHEN a caller asks about tankless heaters, and about towns
    tankless = await _ask(any_db, embedder, business_id, "Do you work on tankless water heaters?")
    towns = await _ask(any_db, embedder, business_id, "Do you come out to Ogdenville?")
    # THEN the best chunk holds the answer, with its document's title and heading
    assert (tankless[0].title, tankless[0].heading) == ("Service list", "Services > Tankless water heaters")
    assert towns[0].title == "Service area"
    assert tankless[0].score > tankless[1].score


async def test_another_business_or_language_never_answers(any_db: Database, embedder) -> None:
    business_id = await _business(any_db)
    other = await create_business(any_db, name="Other", owner_phone="+15550100003")
    local = LocalPassageEmbedding(embedder)
    await index_document(any_db, local, Upload(other.id, "en", "Service list", "services.md", SERVICES))
    await index_document(any_db, local, Upload(business_id, "es", "Servicios", "s.md", b"Reparamos calentadores."))
    # WHEN the first business is asked in English
    hits = await _ask(any_db, embedder, business_id, "Do you work on tankless water heaters?")
    # THEN nothing comes back: the other business's and the Spanish documents are not its English index
    assert hits == []


async def test_replacing_a_document_swaps_its_chunks_and_deleting_removes_them(any_db: Database, embedder) -> None:
    business_id = await _business(any_db)
    local = LocalPassageEmbedding(embedder)
    document = await index_document(any_db, local, Upload(business_id, "en", "Service list", "services.md", SERVICES))
    # WHEN it is replaced by a new version that no longer mentions tankless heaters
    replaced = await index_document(
        any_db,
        local,
        Upload(business_id, "en", "Service list 2026", "services.md", b"# Services\nWe fix leaks."),
        replace_id=document.id,
    )
    hits = await _ask(any_db, embedder, business_id, "Do you work on tankless water heaters?")
    # THEN the same document id holds only the new text
    assert (replaced.id, replaced.chunk_count) == (document.id, 1)
    assert [(hit.title, hit.text) for hit in hits] == [("Service list 2026", "We fix leaks.")]
    # AND deleting it leaves nothing to find
    assert await delete_document(any_db, document.id)
    assert await _ask(any_db, embedder, business_id, "leaks") == []
    assert await list_documents(any_db, business_id=business_id) == []


class FailingEmbedding:
    async def embed_passages(self, texts: Sequence[str]) -> EmbeddedPassages:
        raise DocumentRejected("no worker could embed the document")


async def test_a_failed_upload_leaves_nothing_half_indexed(db: Database, embedder) -> None:
    business_id = await _business(db)
    local = LocalPassageEmbedding(embedder)
    document = await index_document(db, local, Upload(business_id, "en", "Service list", "services.md", SERVICES))
    # WHEN a replacement fails while embedding, and a new upload is malformed
    with pytest.raises(DocumentRejected):
        await index_document(
            db, FailingEmbedding(), Upload(business_id, "en", "New", "n.md", b"text"), replace_id=document.id
        )
    with pytest.raises(DocumentRejected, match="damaged"):
        await index_document(db, local, Upload(business_id, "en", "Broken", "b.pdf", b"%PDF-1.4 junk"))
    # THEN the original is untouched and no stray chunk exists
    assert [d.title for d in await list_documents(db, business_id=business_id)] == ["Service list"]
    count = await db.fetch_one("SELECT COUNT(*) AS n FROM knowledge_chunks")
    assert count is not None
    assert count["n"] == document.chunk_count
