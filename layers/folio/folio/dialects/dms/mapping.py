"""Between dms's upload and the core Document: the upload's rules, the key, the stored body, file
versions (pure functions: no storage, no HTTP).

The upload is read here with plain functions, not pydantic: no dms handler imports pydantic (it
would add about 100 ms to the cold start of the two that write). models.py describes the same
fields for the OpenAPI document; its test keeps the two in step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...core import Change, Document, DocumentKey, FileRef, NewFile
from ...core.documents import Collection, large_list
from ...core.errors import InvalidRequest, UnsupportedMediaType
from ...core.limits import INT64_MAX
from ...core.listing import MAX_PAGE
from ...web.media import parse_media_type
from ...web.multipart import FormData, Part
from ...web.request import bounded_int
from .constants import ALLOWED_FILE_TYPES, FIELDS, MAX_DESCRIPTION, MAX_NAME

KIND = "dms-document"
#: The form part that carries the file, and the document's file slot that keeps its versions.
FILE_SLOT = "file"


def document_key(tenant: str, client: int, project: int, document: int) -> DocumentKey:
    """Documents live under (tenant, client, project): another client's or project's document is not found."""
    return DocumentKey.of(tenant, KIND, client, project, document)


def collection_of(client: int, project: int) -> Collection:
    """The list a document is in: its project's (the tenant is added by storage; the kind keeps it
    apart from every other dialect's lists), sharded (DESIGN §12): it grows with the project."""
    return large_list(f"{KIND}#{client}#{project}")


def document_ids(key: DocumentKey) -> tuple[int, int, int]:
    """The client, project and document id of a key made by :func:`document_key`."""
    client, project, document = key.parts
    return int(client), int(project), int(document)


# ---------------------------------------------------------------- the upload's fields

#: What each field must be, as dms words a 400.
RULES = {
    "folderId": "must be a non-negative 64-bit integer",
    "parentUuid": "must be a UUID",
    "name": f"must have 1 to {MAX_NAME} characters",
    "description": f"must be a string of at most {MAX_DESCRIPTION} characters",
}
UNKNOWN_FIELD = f"is no field of dms (fields: {', '.join(FIELDS)}; a file is sent as multipart/form-data)"

def _folder_id(value: Any) -> int:
    """An integer, or a text of decimal digits (no sign, no ``_``: the spec's integer), 0 to INT64_MAX."""
    if isinstance(value, str) and (digits := value.strip()).isascii() and digits.isdigit():
        value = int(digits)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT64_MAX:
        raise ValueError
    return value


def parent_uuid(value: Any) -> str:
    """Whatever Python's ``uuid.UUID`` reads (32 hex digits, hyphens, braces, ``urn:uuid:``, around
    whitespace), in its canonical form; ValueError otherwise. The request model reads it the same way."""
    return str(uuid.UUID(str(value).strip()))


def _name(value: Any) -> str:
    """Stripped of surrounding whitespace, then 1 to MAX_NAME characters."""
    if not isinstance(value, str) or not 0 < len(name := value.strip()) <= MAX_NAME:
        raise ValueError
    return name


def _description(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise ValueError
    return value


_READERS = {"folderId": _folder_id, "parentUuid": parent_uuid, "name": _name, "description": _description}


def upload_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """The fields present, validated and normalised (name stripped, parentUuid canonical; ``null`` is
    absent); else a 400 naming every bad or unknown field."""
    fields: dict[str, Any] = {}
    problems: list[dict[str, str]] = []
    for name in FIELDS:
        if raw.get(name) is None:
            continue
        try:
            fields[name] = _READERS[name](raw[name])
        except ValueError:  # also int()'s, for a number of more digits than Python converts
            problems.append({"field": name, "message": RULES[name]})
    problems += [{"field": name, "message": UNKNOWN_FIELD} for name in raw if name not in FIELDS]
    if problems:
        raise InvalidRequest("; ".join(f"{p['field']} {p['message']}" for p in problems), errors=problems)
    return fields


# ---------------------------------------------------------------- the upload

@dataclass(frozen=True)
class Upload:
    """A parsed create or update: the metadata fields present (validated) and the file, if one came."""

    metadata: dict[str, Any]
    file: NewFile | FileRef | None  # a FileRef: an upload session's file, already in S3

    @property
    def new_files(self) -> dict[str, NewFile | FileRef]:
        return {FILE_SLOT: self.file} if self.file is not None else {}


#: An update without a body (the spec's own samples send none): nothing changes.
NOTHING = Upload({}, None)


def _field_text(part: Part | None) -> str | None:
    if part is None:
        return None
    if part.filename is not None:
        raise InvalidRequest(f"{part.name} must be a form field, not a file")
    try:
        return part.data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{part.name} is not valid UTF-8") from None


def allowed_file_type(declared: str | None, raw: str | None = None) -> str:
    """``declared`` (a parsed media type) if dms allows it, else 415; ``raw`` is the header it came from."""
    if declared is None or declared.split("/", 1)[0] + "/*" not in ALLOWED_FILE_TYPES:
        named = f"type {declared}" if declared else f"Content-Type {raw!r}, which is not one media type"
        raise UnsupportedMediaType(f"file has {named}; allowed are {', '.join(ALLOWED_FILE_TYPES)}",
                                   accepted=ALLOWED_FILE_TYPES)
    return declared


def file_of(part: Part) -> NewFile:
    """The ``file`` part: one media type (parsed: the raw header is never stored) that dms allows
    (else 415), at most 4 MiB (else 413)."""
    declared = "application/octet-stream" if part.content_type is None else parse_media_type(part.content_type)
    media_type = allowed_file_type(declared, part.content_type)
    return NewFile(part.within(what="file"), media_type, part.filename)


def upload_of_form(form: FormData, *, require_file: bool) -> Upload:
    """A multipart upload: the fields as text parts and the file (required to create a document)."""
    form.only(FILE_SLOT, *FIELDS)
    metadata = upload_fields({name: _field_text(form.get(name)) for name in FIELDS})
    part = form.get(FILE_SLOT)
    if part is None:
        if require_file:
            raise InvalidRequest("file is required to create a document")
        return Upload(metadata, None)
    return Upload(metadata, file_of(part))


def upload_of_json(value: Any) -> Upload:
    """A metadata-only update sent as a JSON object."""
    if not isinstance(value, dict):
        raise InvalidRequest(f"the JSON body must be an object with {', '.join(FIELDS)}")
    return Upload(upload_fields(value), None)


# ---------------------------------------------------------------- the stored body

def new_body(client: int, project: int, upload: Upload) -> dict[str, Any]:
    """Version 1: the metadata given (the name defaults to the file's) and file version 1."""
    return {
        "clientId": client, "projectId": project,
        "name": upload.metadata.get("name") or upload.file.file_name or "document",
        "description": upload.metadata.get("description", ""),
        "folderId": upload.metadata.get("folderId"),
        "parentUuid": upload.metadata.get("parentUuid"),
        "fileVersion": 1,
    }


def version_change(upload: Upload) -> Change:
    """A core Change: the metadata given, and one more file version when a file came (even the same bytes)."""

    def change(current: Document) -> dict[str, Any]:
        body = {**current.body, **upload.metadata}
        if upload.file is not None:
            body["fileVersion"] = current.body["fileVersion"] + 1
        return body

    return change


# ---------------------------------------------------------------- file versions

@dataclass(frozen=True)
class FileVersion:
    number: int
    ref: FileRef
    created_at: datetime
    created_by: dict[str, Any]


def file_mark(_previous: Document | None, doc: Document) -> int:
    """dms's numbering of versions (a core Marker): every commit holds its file version, so a file
    version's mark names the first commit that held it (its file, when and by whom) and the last
    (what a restore brings back: the metadata edits made while it was current included)."""
    return doc.body["fileVersion"]


def file_version(number: int, first: Document) -> FileVersion:
    """File version ``number`` as the first commit that held it has it."""
    return FileVersion(number, first.files[FILE_SLOT], first.updated_at, first.updated_by)


def restore_change(source: Document) -> Change:
    """A core Change: the metadata of ``source`` as the next file version (history is never rewritten)."""

    def change(current: Document) -> dict[str, Any]:
        return {**source.body, "fileVersion": current.body["fileVersion"] + 1}

    return change


# ---------------------------------------------------------------- lists

#: A page's size when the client names none (at most core.listing.MAX_PAGE).
DEFAULT_PAGE = 25
#: A page of file versions when the client names none: the most a page holds, so that the list
#: of a document with up to 100 file versions answers what it answered before it was paginated
#: (every version, and ``nextCursor`` null).
DEFAULT_VERSIONS_PAGE = MAX_PAGE


def page_request(query: dict[str, str], default: int = DEFAULT_PAGE) -> tuple[int, str | None]:
    """``limit`` (1 to MAX_PAGE, else 400) and ``cursor`` (the previous page's ``nextCursor``)."""
    raw = query.get("limit")
    limit = default if raw is None else bounded_int(raw.strip(), MAX_PAGE)
    if not limit:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE}, got {raw[:40]!r}",
                             errors=[{"field": "limit", "message": f"must be an integer from 1 to {MAX_PAGE}"}])
    return limit, query.get("cursor") or None
