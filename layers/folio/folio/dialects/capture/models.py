"""capture's requests as pydantic models: the OpenAPI document is built from them, and the tests
hold the mapping to them (the answers' models are in :mod:`.answers`).

No handler imports this module: capture's functions never loaded pydantic, and validating with
it would add its import (about 70 ms) to the cold start of the three that write. The limits
both sides use come from :mod:`.constants`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator

from .constants import MAX_BATCH_NAME, MAX_TEXT


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _omittable(**constraints: Any) -> Any:
    """A member a request may leave out but, when it gives it, may not set to null."""
    return Field(default=None, json_schema_extra=_without_default, **constraints)


# ---------------------------------------------------------------- requests

class Reference(BaseModel):
    """A procedure or an attachment type, by ``id`` or ``name`` (both must agree when both are given)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"anyOf": [{"required": ["id"]},
                                                                           {"required": ["name"]}]})

    id: StrictStr = _omittable()
    name: StrictStr = _omittable()

    @model_validator(mode="after")
    def _named(self) -> Reference:
        if self.id is None and self.name is None:
            raise ValueError("an id or a name is required")
        return self


class BatchName(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: StrictStr = _omittable(min_length=1, max_length=MAX_BATCH_NAME)


class NewDocument(BaseModel):
    """The body that creates a document: its procedure, and optionally the name of its new batch
    (else ``<prefix>_<number>``)."""

    model_config = ConfigDict(extra="ignore")

    procedure: Reference
    batch: BatchName | None = None


class AttachmentFields(BaseModel):
    """The ``attachment`` part of an add: only these are taken, other attributes are ignored.
    ``comment: null`` and ``type: null`` clear; ``title`` defaults to the content's file name."""

    model_config = ConfigDict(extra="ignore")

    title: StrictStr = _omittable(max_length=MAX_TEXT)
    comment: StrictStr | None = Field(default=None, max_length=MAX_TEXT)
    type: Reference | None = None


class AttachmentUpdate(AttachmentFields):
    """The ``attachment`` part of the spec's update: the fields and the ``stateToken`` last read."""

    stateToken: StrictStr = Field(min_length=1)
