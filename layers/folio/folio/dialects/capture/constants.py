"""capture's constants, each written once. The pydantic models and the mapping both read them;
they live apart from the models so that no capture handler pays for importing pydantic to
learn a kind or a limit."""

from __future__ import annotations

#: Where the spec's resources live; links are absolute URLs under it.
API = "/capture/api/v1.1"
DOCUMENT_KIND = "capture-document"
ATTACHMENT_KIND = "capture-attachment"
CONFIG_KIND = "capture-config"
BATCH_KIND = "capture-batch"
#: The reserved tenant whose procedures every tenant without its own sees (no real tenant
#: can be called "*": tenant claims are [A-Za-z0-9._:@-]).
DEFAULT_TENANT = "*"
#: The file slot of an attachment's content.
CONTENT_SLOT = "content"
#: The longest title or comment of an attachment.
MAX_TEXT = 4096
#: The longest name of a batch.
MAX_BATCH_NAME = 256
#: What a Capture id in a path may be.
ID_PATTERN = r"^[A-Za-z0-9._-]{1,128}$"
#: The attachments a list page holds when the client names no ``limit`` (at most core.listing.MAX_PAGE).
DEFAULT_PAGE = 25
#: The multipart parts of the attachment routes.
ATTACHMENT_PARTS = ("attachment", "content")
