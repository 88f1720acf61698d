"""How dms names its documents in change events (DESIGN §11): the route a consumer reads them at."""

from __future__ import annotations

from ...core import Document
from ...core.changes import Subject
from .mapping import KIND


def document_subject(document: Document) -> Subject:
    client, project, number = document.key.parts
    return Subject("dms", f"/api/v2/clients/{client}/dms/projects/{project}/documents/{number}", number,
                   {"clientId": int(client), "projectId": int(project),
                    "fileVersion": document.body.get("fileVersion")})


SUBJECTS = {KIND: document_subject}
