"""How artu names its documents in change events (DESIGN §11): the route a consumer reads them at,
with the environment (``X-Environment``) and the client and external ids it lives under."""

from __future__ import annotations

from ...core import Document
from ...core.changes import Subject
from .constants import ENVIRONMENTS
from .mapping import environment, kind


def document_subject(document: Document) -> Subject:
    body = document.body
    document_id = str(body.get("id"))
    return Subject("artu", f"/documents/{document_id}", document_id,
                   {"environment": environment(document.key.kind), "clientId": body.get("clientId"),
                    "externalId": body.get("externalId")})


SUBJECTS = {kind(env): document_subject for env in ENVIRONMENTS}
