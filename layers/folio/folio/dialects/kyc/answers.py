"""kyc's answer as pydantic models: what ``views.document_view`` writes, for the OpenAPI document
and the tests. No handler imports this module (cold start: building these models is not free).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from .models import Authenticity, DocumentType


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


class DocumentPage(BaseModel):
    """A page of a customer's documents (``views.list_answer``): Spring Data's page fields that need
    no count, and the cursor of the next page."""

    model_config = ConfigDict(extra="forbid")

    content: list[DocumentAnswer]
    empty: bool
    first: bool
    last: bool
    nextCursor: str | None
    numberOfElements: int
    size: int
