"""How capture names its documents and attachments in change events (DESIGN §11): the route a
consumer reads them at. A tenant's procedures are configuration, not documents: no events."""

from __future__ import annotations

from ...core import Document
from ...core.changes import Subject
from .constants import ATTACHMENT_KIND, DOCUMENT_KIND

_DOCUMENTS = "/capture/api/v1.1/documents"


def document_subject(document: Document) -> Subject:
    return Subject("capture", f"{_DOCUMENTS}/{document.key.id}", document.key.id, {"resource": "document"})


def attachment_subject(attachment: Document) -> Subject:
    doc_id = attachment.body.get("documentId")
    return Subject("capture", f"{_DOCUMENTS}/{doc_id}/attachments/{attachment.key.id}", attachment.key.id,
                   {"resource": "attachment", "docId": doc_id})


SUBJECTS = {DOCUMENT_KIND: document_subject, ATTACHMENT_KIND: attachment_subject}
