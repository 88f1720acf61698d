"""artu's pydantic models: the batch and its items (requests), the document and the batch's
answer. Imported by the function that writes batches (at init), by folio local and by the
OpenAPI document; the read and upload functions never import this module (cold start: no pydantic).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, StrictBool, StrictInt, StrictStr

from .constants import MAX_ITEMS, STATUSES


class IdentityFields(BaseModel):
    """The spec's ``fields`` object (a Mexican voter card's data)."""

    model_config = ConfigDict(extra="forbid")

    claveElector: StrictStr | None = None
    curp: StrictStr | None = None
    fullName: StrictStr | None = None
    paternalSurname: StrictStr | None = None
    maternalSurname: StrictStr | None = None
    givenNames: StrictStr | None = None
    dateOfBirth: date | None = None
    birthState: StrictStr | None = None
    street: StrictStr | None = None
    exteriorNumber: StrictStr | None = None
    interiorNumber: StrictStr | None = None
    neighborhood: StrictStr | None = None
    municipality: StrictStr | None = None
    state: StrictStr | None = None
    postalCode: StrictStr | None = None
    section: StrictStr | None = None
    registrationYear: StrictInt | None = Field(default=None, ge=1900, le=2200)
    issueYear: StrictInt | None = Field(default=None, ge=1900, le=2200)
    expirationYear: StrictInt | None = Field(default=None, ge=1900, le=2200)


class Item(BaseModel):
    """One document of a batch, named by (``clientId``, ``externalId``); what it gives replaces what is stored."""

    model_config = ConfigDict(extra="forbid")

    clientId: uuid.UUID
    externalId: StrictStr = Field(min_length=1, max_length=255)
    scope: StrictStr | None = None
    type: StrictStr | None = Field(default=None, max_length=100)
    expiresAt: date | None = None
    metadata: dict[str, Any] | None = None
    fields: IdentityFields | None = None
    filename: StrictStr | None = Field(default=None, max_length=255)
    size: StrictInt | None = Field(default=None, ge=0)
    storagePath: StrictStr | None = Field(default=None, max_length=1024)


class Batch(BaseModel):
    """The request body: the items, applied all or none (``atomic``, the default) or one by one."""

    model_config = ConfigDict(extra="forbid")

    # taken as sent, validated one by one afterwards (an invalid item is that item's error, not
    # the batch's); the schema still shows an Item
    items: list[SkipValidation[Item]] = Field(min_length=1, max_length=MAX_ITEMS)
    atomic: StrictBool = True


# ---------------------------------------------------------------- answers (views)

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
    """``POST /documents/{id}/upload-url``: send the file to ``url`` with ``method`` and ``headers``."""

    model_config = ConfigDict(extra="forbid")

    url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    expiresAt: datetime
