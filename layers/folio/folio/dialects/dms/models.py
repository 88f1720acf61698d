"""dms's upload as pydantic models: the OpenAPI document is built from them, and the tests hold
the mapping (the upload's fields) to them (the answers' models are in :mod:`.answers`).

No handler imports this module: validating with pydantic would add its import (about 100 ms) to
the cold start of the two that write, so :mod:`.mapping` reads the upload with plain functions.
The limits both sides use come from :mod:`.constants`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from ...core.limits import INT64_MAX, MAX_FILE_BYTES
from .constants import ALLOWED_FILE_TYPES, MAX_DESCRIPTION, MAX_NAME
from .mapping import parent_uuid


def _decimal(value: Any) -> Any:
    """A form field's decimal digits as the integer they write (no sign, no ``_``: the spec's integer)."""
    if isinstance(value, str) and (digits := value.strip()).isascii() and digits.isdigit():
        return int(digits)
    return value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


FolderId = Annotated[int, Field(strict=True, ge=0, le=INT64_MAX), BeforeValidator(_decimal)]


def _absent_not_null(schema: dict[str, Any]) -> None:
    """The schema of optional fields that are absent, never null (no ``"default": null``)."""
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


# ---------------------------------------------------------------- the request

class UploadFields(BaseModel):
    """The metadata an upload may set, as form fields or (on an update) a JSON object. Every field
    is optional; ``null`` is the same as absent."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_absent_not_null)

    folderId: FolderId = Field(None, description="DMS folder id")
    parentUuid: Annotated[UUID, BeforeValidator(parent_uuid)] = Field(None, description="task/subproject UUID")
    name: Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME), BeforeValidator(_stripped)] = Field(
        None, description="Document name")
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] = None

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None or k not in cls.model_fields}
        return data


class UploadForm(UploadFields):
    """The multipart form of an upload: the metadata as text parts, and the file."""

    file: bytes = Field(None, description=f"{', '.join(ALLOWED_FILE_TYPES)}; at most {MAX_FILE_BYTES // 2**20} MiB")
