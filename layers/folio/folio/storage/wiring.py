"""Composition root: the core wired to real storage. Handlers call these, never boto3."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import DocumentKey, DocumentService
from ..core.listing import Cursors
from .config import settings

if TYPE_CHECKING:
    from ..core.batches import BatchService
    from ..core.uploads import UploadService
    from ..core import ports


def document_service() -> DocumentService:
    from .documents import DocumentTable  # boto3 is imported on first use only
    from .files import FileStore
    from .secrets import cursor_key

    cfg = settings()

    def resolve_lock(txid: str, key: DocumentKey) -> bool:
        return batch_service().recover(txid, [key])

    return DocumentService(DocumentTable(cfg), FileStore(cfg), max_attempts=cfg.max_write_attempts,
                           resolve_lock=resolve_lock, cursors=Cursors(lambda: cursor_key(cfg)))


def batch_service() -> BatchService:
    """Multi-document atomic writes (artu) over the same table."""
    from ..core.batches import BatchService  # only the functions that write batches load it
    from .batches import BatchTable

    return BatchService(BatchTable(settings()))


def upload_service() -> UploadService:
    """Upload sessions (files of any size, DESIGN §9) over the same table and bucket."""
    from ..core.service import utcnow
    from ..core.uploads import UploadService
    from .uploads import MultipartStore, UploadTable

    cfg = settings()
    documents = document_service()
    return UploadService(UploadTable(cfg), MultipartStore(cfg), utcnow, documents.holding, documents.abandon)


def file_store() -> ports.FileStore:
    from .files import FileStore

    return FileStore(settings())
