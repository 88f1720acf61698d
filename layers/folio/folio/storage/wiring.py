"""Composition root: the core wired to real storage. Handlers call these, never boto3."""

from __future__ import annotations

from .config import settings
from ..core import DocumentService


def document_service() -> DocumentService:
    from .dynamodb import DocumentTable, FileStore  # boto3 is imported on first use only

    cfg = settings()

    def resolve_lock(txid: str, pk: str) -> bool:
        return batch_service().recover(txid, [pk])

    return DocumentService(DocumentTable(cfg), FileStore(cfg), max_attempts=cfg.max_write_attempts,
                           resolve_lock=resolve_lock)


def batch_service():
    """Multi-document atomic writes (artu) over the same table."""
    from ..core.batches import BatchService
    from .dynamodb import BatchTable

    cfg = settings()
    return BatchService(BatchTable(cfg))


def file_store():
    from .dynamodb import FileStore

    return FileStore(settings())
