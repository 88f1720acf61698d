"""crm's answer as pydantic models: the DocumentEntity ``mapping.entity_view`` writes, for the
OpenAPI document and the tests. No handler imports this module (cold start: building these
models is not free).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .models import Carrier, Int32


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


class VersionInfo(BaseModel):
    """SuperOffice's VersionInfo, one per committed version that checked content in (mapping.version_info)."""

    model_config = ConfigDict(extra="forbid")

    ExternalReference: str | None = Field(description="the content's file name (the entity's Name when checked in)")
    DocumentId: Int32
    VersionId: str = Field(description="the version that checked the content in; GET .../Content?versionId= reads it")
    CheckedInDate: datetime
    CheckedInByName: str | None
    CheckedInByAssociateId: Int32 | None
    Description: str | None
    DisplayText: str
    ExtraFields: dict[str, str] = Field(description="ContentType, Size and ETag (the content's strong checksum)")
