"""kyc's pydantic model of the ``document`` part, and the constants it owns.

Imported by the functions that write (at init) and by the OpenAPI document; the read-only
functions never import this module (cold start: no pydantic). The answer's models are in
:mod:`.answers`, which no handler imports.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool


class DocumentType(StrEnum):
    NATIONAL_ID = "NATIONAL_ID"
    PASSPORT = "PASSPORT"
    DRIVING_LICENSE = "DRIVING_LICENSE"
    RESIDENCE_PERMIT = "RESIDENCE_PERMIT"
    WORK_PERMIT = "WORK_PERMIT"
    BIRTH_CERTIFICATE = "BIRTH_CERTIFICATE"
    PROOF_OF_ADDRESS = "PROOF_OF_ADDRESS"
    CERTIFICATE_OF_INCORPORATION = "CERTIFICATE_OF_INCORPORATION"
    OTHER = "OTHER"


class Authenticity(StrEnum):
    ORIGINAL = "ORIGINAL"
    CERTIFIED_TRUE_COPY = "CERTIFIED_TRUE_COPY"
    NOTARIZED_COPY = "NOTARIZED_COPY"
    COPY = "COPY"


DOCUMENT_TYPES = tuple(t.value for t in DocumentType)
AUTHENTICITIES = tuple(a.value for a in Authenticity)
#: The media types the ``document`` part may declare (None: no Content-Type).
DOCUMENT_PART_TYPES = (None, "text/plain", "application/json")


def calendar_date(value: Any) -> Any:
    """``YYYY-MM-DD`` or an ISO-8601 date-time; the date as written."""
    if not isinstance(value, str):
        return value  # pydantic reports the type error
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or an ISO-8601 date-time)") from None


CalendarDate = Annotated[date, BeforeValidator(calendar_date)]


class DocumentFields(BaseModel):
    """The ``document`` part: every field optional here; create requires ``type``."""

    model_config = ConfigDict(extra="forbid")

    type: DocumentType | None = None
    number: str | None = Field(default=None, max_length=256)
    authenticity: Authenticity | None = None
    issueDate: CalendarDate | None = None
    expiryDate: CalendarDate | None = None
    showExpiryNotification: StrictBool | None = None


#: The ``document`` part's writable fields.
FIELDS = tuple(DocumentFields.model_fields)


#: Fields of the answer a client may echo back in the ``document`` part; not writable, ignored.
#: Written out so that the writes need not build the answer's models (a unit test holds it to
#: ``answers.DocumentAnswer``'s fields minus :data:`FIELDS`).
ANSWER_ONLY = frozenset({
    "id", "customerId", "front", "back", "frontName", "backName", "createdAt", "createdBy",
    "updatedAt", "updatedBy", "assignees", "particular", "parentParticular", "parentCustomerId"})
