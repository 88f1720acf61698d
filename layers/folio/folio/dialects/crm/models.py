"""crm's pydantic model of the writable DocumentEntity properties (imported by the functions that write)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import INT32_MAX, WRITABLE


def _utc_if_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
DateTime = Annotated[datetime, AfterValidator(_utc_if_naive)]
Carrier = dict[str, Any]  # Associate, Person, Contact, ... : structured objects, kept as sent


class WritableDocument(BaseModel):
    """The writable properties of DocumentEntity, with the spec's types (strictly checked)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    Attention: str | None = None
    Header: str | None = None
    Name: str | None = None
    OurRef: str | None = None
    YourRef: str | None = None
    Description: str | None = None
    DocumentTemplate: Carrier | None = None
    Person: Carrier | None = None
    Associate: Carrier | None = None
    Contact: Carrier | None = None
    Project: Carrier | None = None
    Date: DateTime | None = None
    ExternalRef: str | None = None
    Completed: str | None = None
    ActiveLinks: Int32 | None = None
    Type: str | None = None
    Links: list[Carrier] | None = None
    LockSemantics: str | None = None
    Sale: Carrier | None = None
    SuggestedDocumentId: Int32 | None = None
    Snum: Int32 | None = None
    UserDefinedFields: dict[str, str] = Field(default_factory=dict)
    ExtraFields: dict[str, str] = Field(default_factory=dict)
    CustomFields: dict[str, Any] = Field(default_factory=dict)
    PublishEventDate: DateTime | None = None
    PublishTo: DateTime | None = None
    PublishFrom: DateTime | None = None
    IsPublished: bool | None = None
    VisibleFor: list[Carrier] | None = None




assert tuple(WritableDocument.model_fields) == WRITABLE
