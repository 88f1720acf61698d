"""crm's pydantic request models: the writable DocumentEntity and the patch body.

Imported by the functions that write (at init) and by the OpenAPI document; the read-only
function never imports this module (cold start: no pydantic). The answer's models are in
:mod:`.answers`, which no handler imports.
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


#: The spec's int32 (the answer's ids use it too).
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
