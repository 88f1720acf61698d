"""capture's answers as pydantic models: the OpenAPI document is built from them, and the tests
hold the views to them. No handler imports this module (cold start: no pydantic).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Named(_Answer):
    id: str
    name: str


class Step(_Answer):
    id: str
    name: str
    type: str


class User(_Answer):
    name: str | None


class Link(_Answer):
    rel: str
    href: str
    method: str
    mediaType: str


class AttachmentAnswer(_Answer):
    """An attachment, with the batch and step of its document and the stateToken an update needs."""

    id: str
    documentId: str
    title: str | None
    comment: str | None
    batch: Named
    step: Step
    type: Named | None
    stateToken: str = Field(pattern=r"^[0-9a-f]{32}$")
    mediaType: str | None
    sourceName: str | None
    size: int | None
    createdBy: User
    createdDate: datetime
    updatedBy: User
    updatedDate: datetime
    links: list[Link]


class DocumentAnswer(_Answer):
    """A document: its procedure, batch and step; its links add attachments, read itself, list its
    attachments, and name each of the list's first page."""

    id: str
    procedure: Named
    batch: Named
    step: Step
    createdBy: User
    createdDate: datetime
    links: list[Link]


class AttachmentsPage(_Answer):
    """A page of a document's attachments, newest first; the ``next`` link carries the next page's cursor."""

    items: list[AttachmentAnswer]
    count: int
    hasMore: bool
    limit: int = Field(ge=1)
    links: list[Link]
