"""crm's pydantic models: the writable DocumentEntity, the patch body and the answer.

Imported by the functions that write (at init) and by the OpenAPI document; the read-only
function never imports this module (cold start: no pydantic).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, ValidationError

from ...core.limits import INT32_MAX
from ...web.validation import invalid
from .constants import PATCH_OPERATIONS


def _utc_if_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
DateTime = Annotated[datetime, AfterValidator(_utc_if_naive)]
Carrier = dict[str, Any]  # Associate, Person, Contact, ... : structured objects, kept as sent


class WritableDocument(BaseModel):
    """The writable properties of DocumentEntity (constants.WRITABLE), with the spec's types (strictly checked)."""

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


def validate_writable(values: dict[str, Any]) -> dict[str, Any]:
    """Type-check writable properties (canonical names); return them in stored (JSON) form, else 400."""
    try:
        model = WritableDocument.model_validate_json(json.dumps(values), strict=True)
    except ValidationError as error:
        raise invalid(error, lambda problems: f"invalid value for {', '.join(p['field'] for p in problems)}",
                      separator="/") from None
    return model.model_dump(mode="json")


# ---------------------------------------------------------------- the patch body (documents it)

class PatchOperation(BaseModel):
    """One JSON Patch (RFC 6902) operation; the path is case-insensitive, its leading slash optional."""

    op: Literal[PATCH_OPERATIONS]  # type: ignore[valid-type]
    path: str
    value: Any = Field(None, description="required except for remove")


class DocumentPatchBody(RootModel[list[PatchOperation] | dict[str, Any]]):
    """A JSON Patch array (add, replace, remove, test) or a JSON Merge Patch object (RFC 7396)."""


# ---------------------------------------------------------------- the answer

class AssociateAnswer(BaseModel):
    """CreatedBy/UpdatedBy: an Associate built from the token (SuperOffice's numeric ids are unknown: null)."""

    model_config = ConfigDict(extra="forbid")

    AssociateId: int | None
    Name: str | None
    PersonId: int | None
    Rank: int | None
    Tooltip: str | None
    Type: str | None
    GroupIdx: int | None
    FullName: str | None
    FormalName: str | None
    Deleted: bool
    EjUserId: int | None
    UserName: str | None


class EntityLinks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    Self: str
    Archive: str


class DocumentEntity(BaseModel):
    """DocumentEntityWithLinks as crm answers it: every property (constants.PROPERTIES, in order),
    read-only ones included; a property $select leaves out is null."""

    model_config = ConfigDict(extra="forbid")

    DocumentId: Int32 | None
    UpdatedBy: AssociateAnswer | None
    CreatedBy: AssociateAnswer | None
    Attention: str | None
    Header: str | None
    Name: str | None
    OurRef: str | None
    YourRef: str | None
    CreatedDate: datetime | None
    UpdatedDate: datetime | None
    Description: str | None
    DocumentTemplate: Carrier | None
    Person: Carrier | None
    Associate: Carrier | None
    Contact: Carrier | None
    Project: Carrier | None
    Date: datetime | None
    ExternalRef: str | None
    Completed: str | None
    ActiveLinks: Int32 | None
    Type: str | None
    Links: list[Carrier] | None
    LockSemantics: str | None
    Sale: Carrier | None
    SuggestedDocumentId: Int32 | None
    Snum: Int32 | None
    UserDefinedFields: dict[str, str] | None
    ExtraFields: dict[str, str] | None
    CustomFields: dict[str, Any] | None
    PublishEventDate: datetime | None
    PublishTo: datetime | None
    PublishFrom: datetime | None
    IsPublished: bool | None
    VisibleFor: list[Carrier] | None
    TableRight: Carrier | None
    FieldProperties: dict[str, Any] | None
    hypermedia: EntityLinks | None = Field(alias="_Links")
