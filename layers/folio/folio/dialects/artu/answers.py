"""artu's answers as pydantic models: the document, a lookup, the batch's answer and the upload
ticket, for the OpenAPI document and the tests. No handler imports this module (cold start:
building these models is not free).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .constants import STATUSES
from .models import IdentityFields


class DocumentAnswer(BaseModel):
    """The spec's document: every field present, null when unknown."""

    # in the spec's order, constants.ANSWER_FIELDS (views.document_view); scope and storagePath
    # are kept but not answered
    model_config = ConfigDict(extra="forbid")

    clientId: uuid.UUID
    type: str | None
    id: uuid.UUID
    createdAt: datetime
    updatedAt: datetime
    status: Literal[*STATUSES]
    filename: str | None
    contentType: str | None
    size: int | None
    expiresAt: date | None
    verifiedAt: datetime | None
    verifiedBy: str | None
    rejectionReason: str | None
    reviewedAt: datetime | None
    reviewedBy: str | None
    externalId: str
    fields: IdentityFields
    metadata: dict[str, Any]


class DocumentData(BaseModel):
    """``GET /documents/{id}``, and a batch item that was applied."""

    model_config = ConfigDict(extra="forbid")

    data: DocumentAnswer


class LookupAnswer(BaseModel):
    """``GET /documents?clientId=&externalId=``: the matching document, or none."""

    model_config = ConfigDict(extra="forbid")

    data: list[DocumentAnswer]


class DocumentPage(BaseModel):
    """``GET /documents?clientId=``: a page of the client's documents, newest first; ``nextCursor``
    (null on the last page) is passed back as ``cursor`` for the next one."""

    model_config = ConfigDict(extra="forbid")

    data: list[DocumentAnswer]
    nextCursor: str | None


class ItemProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int
    title: str
    detail: str


class ItemError(BaseModel):
    """A batch item that was not applied (``atomic: false``)."""

    model_config = ConfigDict(extra="forbid")

    error: ItemProblem


class BatchAnswer(BaseModel):
    """The batch's answer: every item, in the request's order."""

    model_config = ConfigDict(extra="forbid")

    atomic: bool
    data: list[DocumentData | ItemError]


class UploadTicket(BaseModel):
    """``POST /documents/{id}/upload-url``: a presigned S3 POST (a form upload). Send a
    ``multipart/form-data`` request to ``url`` with every one of ``fields`` and then the file as
    the last part, named ``file``. The signed policy among the fields binds the key, the
    Content-Type, the file name and the size: S3 refuses a file larger than ``maxSize``."""

    model_config = ConfigDict(extra="forbid")

    url: str
    method: Literal["POST"]
    fields: dict[str, str]
    headers: dict[str, str]
    maxSize: int
    expiresAt: datetime
