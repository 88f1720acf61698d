"""kyc's pydantic models, the ``document`` part and the answer, and the constants they own.

Imported by the functions that write (at init) and by the OpenAPI document; the read-only
functions never import this module (cold start: no pydantic).
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


# ---------------------------------------------------------------- answers (views.document_view)

class JavaTimestamp(BaseModel):
    """A ``java.sql.Timestamp`` as Jackson writes its bean properties (see the package docstring)."""

    model_config = ConfigDict(extra="forbid")

    date: int
    day: int
    hours: int
    minutes: int
    month: int
    nanos: int
    seconds: int
    time: int
    timezoneOffset: int
    year: int


class UserInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None
    firstName: str | None
    fullName: str | None
    id: int | None
    lastName: str | None


class DocumentAnswer(BaseModel):
    """The spec's response object, every field, in the spec's (alphabetical) order."""

    model_config = ConfigDict(extra="forbid")

    assignees: list[UserInfo]
    authenticity: Authenticity | None
    back: str | None
    backName: str | None
    createdAt: JavaTimestamp
    createdBy: UserInfo
    customerId: int
    expiryDate: date | None
    front: str | None
    frontName: str | None
    id: int
    issueDate: date | None
    number: str | None
    parentCustomerId: int | None
    parentParticular: dict[str, Any]
    particular: dict[str, Any]
    showExpiryNotification: bool
    type: DocumentType
    updatedAt: JavaTimestamp
    updatedBy: UserInfo


#: Fields of the answer a client may echo back in the ``document`` part; not writable, ignored.
ANSWER_ONLY = frozenset(DocumentAnswer.model_fields) - frozenset(FIELDS)
