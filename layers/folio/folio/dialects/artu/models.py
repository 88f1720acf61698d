"""artu's pydantic request models: the batch and its items. Imported by the function that writes
batches (at init), by folio local and by the OpenAPI document; the read and upload functions never
import this module (cold start: no pydantic). The answers' models are in :mod:`.answers`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SkipValidation, StrictBool, StrictInt, StrictStr

from .constants import MAX_ITEMS


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
