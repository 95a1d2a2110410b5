"""Console uploads of knowledge documents: the form read and checked, then indexed by a worker.

Every refusal (no file, unsupported type, empty, too big, malformed, no worker) is a DocumentRejected
whose message is shown on the page; nothing is stored unless the whole document is indexed.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from functions.admin.document_indexer import WorkerPassageEmbedding
from shared.database import Database
from shared.knowledge.documents import MAX_UPLOAD_BYTES, DocumentRejected
from shared.knowledge.indexing import Upload, index_document
from shared.repositories.businesses import get_business
from shared.repositories.documents import KnowledgeDocument, get_document
from shared.settings import Settings

MAX_FORM_BYTES = MAX_UPLOAD_BYTES + 64 * 1024  # the file plus the form around it


@dataclass(frozen=True)
class UploadForm:
    business_id: str
    language: str
    title: str
    file_name: str
    data: bytes

    def values(self) -> dict[str, str]:
        """What to put back in the form after a refusal."""
        return {"business_id": self.business_id, "language": self.language, "title": self.title}


async def read_upload_form(request: Request) -> UploadForm:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise DocumentRejected(f"the upload is larger than {MAX_UPLOAD_BYTES / 1e6:.0f} MB: split the document")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise DocumentRejected("choose a file to upload")
    form = await request.form(max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise DocumentRejected("choose a file to upload")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    return UploadForm(
        business_id=str(form.get("business_id", "")).strip(),
        language=str(form.get("language", "")).strip() or "en",
        title=str(form.get("title", "")).strip() or _title_from(upload.filename),
        file_name=upload.filename[:200],
        data=data,
    )


def _title_from(file_name: str) -> str:
    """'price-sheet.pdf' → 'Price sheet' when no title is given."""
    stem = file_name.rsplit(".", 1)[0].replace("-", " ").replace("_", " ").strip()
    return stem[:1].upper() + stem[1:]


async def add_document(db: Database, settings: Settings, form: UploadForm) -> KnowledgeDocument:
    if not form.business_id or await get_business(db, form.business_id) is None:
        raise DocumentRejected("choose the business the document belongs to")
    upload = Upload(form.business_id, form.language, form.title, form.file_name, form.data)
    return await index_document(db, WorkerPassageEmbedding(db, settings), upload)


async def replace_document(db: Database, settings: Settings, document_id: str, form: UploadForm) -> KnowledgeDocument:
    existing = await get_document(db, document_id)
    if existing is None:
        raise DocumentRejected("that document no longer exists")
    title = form.title if form.title and form.title != _title_from(form.file_name) else existing.title
    upload = Upload(existing.business_id, existing.language, title, form.file_name, form.data)
    return await index_document(db, WorkerPassageEmbedding(db, settings), upload, replace_id=document_id)
