"""kyc's pydantic model of the ``document`` part (imported by the functions that write)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from . import FIELDS, Authenticity, DocumentType, _calendar_date

CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]


class DocumentFields(BaseModel):
    """The ``document`` part: every field optional here; create requires ``type``."""

    model_config = ConfigDict(extra="forbid")

    type: DocumentType | None = None
    number: str | None = Field(default=None, max_length=256)
    authenticity: Authenticity | None = None
    issueDate: CalendarDate | None = None
    expiryDate: CalendarDate | None = None
    showExpiryNotification: StrictBool | None = None



assert tuple(DocumentFields.model_fields) == FIELDS
