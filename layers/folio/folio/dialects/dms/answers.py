"""dms's answers as pydantic models: the OpenAPI document is built from them, and the tests hold
the views (the document, its versions, the error body) to them. No handler imports this module.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class User(BaseModel):
    """Who created or changed the document, from the token's claims."""

    model_config = ConfigDict(extra="forbid")

    id: str | None
    name: str | None
    email: str | None


class FileVersion(BaseModel):
    """One file version (the versions list holds them newest first)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    fileName: str | None
    contentType: str
    size: int
    #: hex SHA-256 of the file; null for a file that came through an upload session (folio never
    #: sees its bytes: S3 verified its CRC64NVME)
    sha256: str | None
    #: base64 whole-file CRC64NVME that S3 verified (upload sessions); null for inline uploads
    crc64nvme: str | None
    createdAt: datetime
    createdBy: User


class VersionList(BaseModel):
    """A page of the document's file versions, newest first."""

    model_config = ConfigDict(extra="forbid")

    data: list[FileVersion]
    #: pass it back as ``cursor`` for the next page; null on the last page
    nextCursor: str | None


class Document(BaseModel):
    """The document: its metadata and the current file version's facts."""

    model_config = ConfigDict(extra="forbid")

    id: int
    clientId: int
    projectId: int
    name: str
    description: str | None
    folderId: int | None
    parentUuid: UUID | None
    version: int
    fileName: str | None
    contentType: str
    size: int
    #: hex SHA-256 of the file; null for a file that came through an upload session (folio never
    #: sees its bytes: S3 verified its CRC64NVME)
    sha256: str | None
    #: base64 whole-file CRC64NVME that S3 verified (upload sessions); null for inline uploads
    crc64nvme: str | None
    createdAt: datetime
    updatedAt: datetime
    createdBy: User
    updatedBy: User


class DocumentPage(BaseModel):
    """A page of the project's documents, newest first."""

    model_config = ConfigDict(extra="forbid")

    data: list[Document]
    #: pass it back as ``cursor`` for the next page; null on the last page
    nextCursor: str | None


class ErrorResponse(BaseModel):
    """The spec's ErrorResponse: every dms error, whatever its status."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["error"]
    code: int
    message: str
    details: str
