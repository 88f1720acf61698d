"""artu's pydantic models of a batch and its items (imported by the function that writes batches)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from . import MAX_ITEMS


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
    model_config = ConfigDict(extra="forbid")

    items: list[Any] = Field(min_length=1, max_length=MAX_ITEMS)
    atomic: StrictBool = True
