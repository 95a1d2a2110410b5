"""The demo plumbing business's documents (demo_documents/), loaded by `buddyhelps seed-demo`."""

from __future__ import annotations

import asyncio
from importlib import resources

from shared.database import Database
from shared.knowledge.indexing import PassageEmbedding, Upload, index_document
from shared.repositories.documents import KnowledgeDocument, list_documents

# (file in demo_documents/, title said as the source, language)
DEMO_DOCUMENTS = (
    ("service-list.md", "Service list", "en"),
    ("price-sheet.html", "Price sheet", "en"),
    ("service-area.txt", "Service area and hours", "en"),
    ("policies.md", "Policies", "en"),
    ("faq.md", "FAQ", "en"),
    ("preguntas-frecuentes.md", "Preguntas frecuentes", "es"),
)


def demo_document_bytes(file_name: str) -> bytes:
    return (resources.files("shared.knowledge") / "demo_documents" / file_name).read_bytes()


async def load_demo_documents(
    db: Database, embedding: PassageEmbedding, *, business_id: str
) -> list[KnowledgeDocument]:
    """Index each demo document the business doesn't have yet (by title and language); returns the new ones."""
    existing = {(doc.title, doc.language) for doc in await list_documents(db, business_id=business_id)}
    added: list[KnowledgeDocument] = []
    for file_name, title, language in DEMO_DOCUMENTS:
        if (title, language) in existing:
            continue
        data = await asyncio.to_thread(demo_document_bytes, file_name)
        upload = Upload(business_id=business_id, language=language, title=title, file_name=file_name, data=data)
        added.append(await index_document(db, embedding, upload))
    return added
