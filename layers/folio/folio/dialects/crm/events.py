"""How crm names its documents in change events (DESIGN §11): the route a consumer reads them at."""

from __future__ import annotations

from ...core import Document
from ...core.changes import Subject
from .constants import KIND


def document_subject(document: Document) -> Subject:
    return Subject("crm", f"/api/v1/Document/{document.key.id}", document.key.id)


SUBJECTS = {KIND: document_subject}
