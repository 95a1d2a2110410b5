"""The console's documents pages against the real worker on loopback (its /knowledge/embed route and
the real embedding model): upload, list, replace, delete, refusals that save nothing, the threshold,
and the citations log of questions asked on calls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from functions.admin import router as admin_router
from functions.edge_app import create_function_app
from gpu_worker.knowledge.citation_log import record_citation
from gpu_worker.knowledge.embed_route import knowledge_of
from gpu_worker.server import create_app as create_worker_app
from shared.database import Database, open_database
from shared.repositories.businesses import create_business
from shared.repositories.documents import list_documents, min_score_for
from shared.repositories.operators import create_operator
from shared.settings import Settings
from tests.functions.admin.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, sign_in
from tests.functions.admin.live_server import LiveServer, run_async
from tests.gpu_worker.fake_stages import fake_models
from tests.shared.knowledge.memo_embedder import shared_embedder
from tests.shared.knowledge.pdf_samples import text_pdf

SERVICES = b"# Services\n## Tankless water heaters\nYes, we install and repair tankless water heaters.\n"


@dataclass(frozen=True)
class Site:
    base_url: str
    settings: Settings
    worker: object  # the worker app, for its answerer


async def _seed(settings: Settings) -> None:
    db = await open_database(settings.database_url)
    try:
        await create_operator(db, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        await create_business(db, name="Pipes Inc", owner_phone="+15550100002", business_id="biz_pipes")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("documents")
    models = fake_models(caller_lines=[], replies=["Yes, we install and repair tankless water heaters."] * 5)
    worker_settings = Settings(data_dir=data_dir)
    worker_app = create_worker_app(worker_settings, models=models)
    worker_app.state.embedder = shared_embedder()  # the real model, loaded once for the test run
    with LiveServer(worker_app) as worker:
        settings = Settings(data_dir=data_dir, default_worker_url=worker.base_url)
        run_async(lambda: _seed(settings))
        with LiveServer(create_function_app(admin_router, settings=settings)) as console:
            yield Site(console.base_url, settings, worker_app)


@pytest.fixture
async def console(site: Site) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with httpx.AsyncClient(base_url=site.base_url, timeout=60) as client:
        yield client, await sign_in(client)


@pytest.fixture
async def db(site: Site) -> AsyncIterator[Database]:
    database = await open_database(site.settings.database_url)
    try:
        yield database
    finally:
        await database.close()


async def _upload(client: httpx.AsyncClient, csrf: str, name: str, data: bytes, title: str = "", path: str = ""):
    return await client.post(
        path or "/admin/documents",
        data={"csrf_token": csrf, "business_id": "biz_pipes", "language": "en", "title": title},
        files={"file": (name, data)},
    )


async def test_an_uploaded_document_is_listed_and_answers_questions(console, db, site) -> None:
    client, csrf = console
    # WHEN the operator uploads a service list and a PDF of policies
    first = await _upload(client, csrf, "services.md", SERVICES, "Service list")
    second = await _upload(client, csrf, "policies.pdf", text_pdf(["Payment", "We accept cash and all cards."]))
    # THEN both are listed with their titles and sources
    assert (first.status_code, second.status_code) == (303, 303)
    page = await client.get("/admin/documents?business_id=biz_pipes")
    assert "Service list" in page.text
    assert "Policies" in page.text  # the title taken from the file name
    assert "services.md" in page.text
    # AND the worker answers from them with the source said
    answer = await knowledge_of(site.worker).answer(
        business_id="biz_pipes", question="Do you work on tankless water heaters?", language="en"
    )
    assert answer.text.endswith("That's from our service list.")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"hello", "not a supported type"),
        ("empty.md", b"", "is empty"),
        ("broken.pdf", b"%PDF-1.4 nonsense", "damaged or unreadable PDF"),
    ],
)
async def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_saved(console, db, name, data, message):
    client, csrf = console
    before = len(await list_documents(db))
    response = await _upload(client, csrf, name, data, "Bad one")
    assert response.status_code == 422
    assert message in response.text
    assert len(await list_documents(db)) == before


async def test_replacing_and_deleting_a_document(console, db) -> None:
    client, csrf = console
    await _upload(client, csrf, "hours.txt", b"We open at 7 am.", "Opening hours")
    document = next(d for d in await list_documents(db) if d.title == "Opening hours")
    # WHEN a new version is uploaded over it
    replaced = await _upload(
        client,
        csrf,
        "hours-2027.txt",
        b"We open at 8 am.\n\nWe close at 5 pm.",
        "Opening hours",
        path=f"/admin/documents/{document.id}/replace",
    )
    assert replaced.status_code == 303
    updated = next(d for d in await list_documents(db) if d.id == document.id)
    assert (updated.file_name, updated.title) == ("hours-2027.txt", "Opening hours")
    # AND deleted
    deleted = await client.post(f"/admin/documents/{document.id}/delete", data={"csrf_token": csrf})
    assert deleted.status_code == 303
    assert all(d.id != document.id for d in await list_documents(db))


async def test_no_worker_means_a_clear_refusal(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, default_worker_url="http://127.0.0.1:9")
    await _seed(settings)
    with LiveServer(create_function_app(admin_router, settings=settings)) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            response = await _upload(client, await sign_in(client), "services.md", SERVICES, "Service list")
    assert response.status_code == 422
    assert "no worker could index the document" in response.text


async def test_the_embed_route_wants_the_worker_token(site) -> None:
    worker_url = site.settings.default_worker_url
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(worker_url + "/knowledge/embed", json={"texts": ["hello"]})
    assert response.status_code == 401


async def test_the_threshold_is_set_per_business(console, db) -> None:
    client, csrf = console
    saved = await client.post(
        "/admin/documents/threshold", data={"csrf_token": csrf, "business_id": "biz_pipes", "min_score": "0.95"}
    )
    refused = await client.post(
        "/admin/documents/threshold", data={"csrf_token": csrf, "business_id": "biz_pipes", "min_score": "lots"}
    )
    assert saved.status_code == 303
    assert refused.status_code == 422
    assert "must be a number" in refused.text
    assert await min_score_for(db, "biz_pipes") == 0.95


async def test_the_citations_log_shows_what_callers_asked(console, db, site) -> None:
    client, csrf = console
    await _upload(client, csrf, "services.md", SERVICES, "Service list")
    answer = await knowledge_of(site.worker).answer(
        business_id="biz_pipes", question="Who won the game last night?", language="en"
    )
    await record_citation(db, call_sid="CA900", answer=answer)
    page = await client.get("/admin/documents/citations?business_id=biz_pipes&unanswered=1")
    assert "Who won the game last night?" in page.text
    assert "not in the documents" in page.text
    assert "CA900" in page.text
