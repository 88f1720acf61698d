"""The document model: who calls, which document, its versions, its files, and preconditions.

A dialect owns the *body* of a document (its vendor fields, as a
JSON object); the core owns identity, versions, who/when and the files a version points at.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import Forbidden, PreconditionFailed

_TENANT = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
#: What HTTP API (and str()) makes of a claim that is no string: JSON's null, booleans and
#: numbers arrive as "null", "true", "5"; never a tenant (lists and objects fail _TENANT).
_NOT_A_STRING_CLAIM = re.compile(r"null|none|true|false|-?\d+(\.\d+)?([eE][+-]?\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Caller:
    """Who is calling, from the verified token's claims."""

    tenant: str
    sub: str
    name: str | None = None
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    scopes: frozenset[str] = frozenset()
    domains: frozenset[str] | None = None  # kyc: None means all
    steps: frozenset[str] = frozenset()  # capture: "*" means all

    def __post_init__(self):
        tenant = self.tenant
        # dots alone ("." or "..") would be a relative segment of every file's S3 key, which URLs
        # normalise away: each presigned URL of such a tenant would name another key (403)
        if (not isinstance(tenant, str) or not _TENANT.fullmatch(tenant) or _NOT_A_STRING_CLAIM.fullmatch(tenant)
                or not tenant.strip(".")):
            raise Forbidden("the token carries no usable 'tenant' claim: a string of 1 to 128 letters, digits "
                            "or ._:@- (not a number, a boolean or null, not dots alone)")

    def actor(self) -> dict[str, str | None]:
        """Who, as recorded in createdBy/updatedBy (given/family names only when the token has them)."""
        actor = {"sub": self.sub, "name": self.name, "email": self.email}
        if self.given_name:
            actor["given_name"] = self.given_name
        if self.family_name:
            actor["family_name"] = self.family_name
        return actor


@dataclass(frozen=True)
class DocumentKey:
    """Which document: the tenant (every stored key starts with it), the kind and the id."""

    tenant: str
    kind: str  # e.g. "crm-document"
    id: str

    @classmethod
    def of(cls, tenant: str, kind: str, *parts: object) -> DocumentKey:
        """A key whose id is made of several parts (a document named within a domain, a client,
        a project...), joined the one way :attr:`parts` reads back."""
        return cls(tenant, kind, "/".join(str(part) for part in parts))

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts of an id made by :meth:`of`."""
        return tuple(self.id.split("/"))

    def file_prefix(self) -> str:
        """The S3 prefix of every file of this document (every slot, every version)."""
        return f"{self.tenant}/{self.kind}/{self.id}/"

    def file_key(self, slot: str) -> str:
        """The S3 key of a file slot: chosen by folio, never from a client's file name."""
        return f"{self.tenant}/{self.kind}/{self.id}/{slot}"

    @classmethod
    def of_file_key(cls, file_key: str) -> tuple[DocumentKey, str] | None:
        """The key and slot of a :meth:`file_key` whose id is one part; None for any other object key."""
        parts = file_key.split("/")
        if len(parts) != 4 or not all(parts):
            return None
        return cls(*parts[:3]), parts[3]


@dataclass(frozen=True)
class FileRef:
    """A file one version points at: an exact S3 object version and what it holds."""

    key: str
    version_id: str
    size: int
    #: hex SHA-256 of the whole file, where folio saw every byte (inline uploads, presigned POSTs);
    #: None for a file that reached S3 through an upload session (folio never sees those bytes)
    sha256: str | None
    content_type: str
    file_name: str | None = None
    #: base64 full-object CRC64NVME that S3 verified when an upload session completed
    crc64nvme: str | None = None

    @property
    def etag(self) -> str:
        """A strong ETag for the file as it is served: its bytes' checksum (SHA-256, else S3's
        verified CRC64NVME), then a digest of the media type and file name it is served with
        (Content-Type, Content-Disposition), so a version with the same bytes under another name
        or type is not "unchanged" (no 304, no If-Range match)."""
        checksum = self.sha256 or f"crc64nvme-{base64.b64decode(self.crc64nvme or '').hex()}"
        served = json.dumps([self.content_type, self.file_name], ensure_ascii=False)
        return f'"{checksum}.{hashlib.sha256(served.encode()).hexdigest()[:12]}"'


@dataclass(frozen=True)
class NewFile:
    data: bytes
    content_type: str
    file_name: str | None = None


#: How many index partitions a list that grows with a tenant's work is spread over (DESIGN §12):
#: the hottest of them takes about 1/16 of the list's writes. Fixed for good (a page reads each).
LIST_SHARDS = 16


class Collection(str):
    """The name of a list documents are in, and how many index partitions (shards) it spreads over:
    :data:`LIST_SHARDS` for a list that grows with a tenant's work (crm's, an artu client's, a dms
    project's), 1 for one small by nature (a kyc customer's, a capture document's attachments).
    A str, so that it is stored and compared as its name; a document keeps its shards for good."""

    shards: int

    def __new__(cls, name: str, shards: int = 1) -> Collection:
        collection = super().__new__(cls, name)
        collection.shards = max(1, int(shards))
        return collection

    def __reduce__(self):
        return Collection, (str(self), self.shards)


def large_list(name: str) -> Collection:
    """A list that grows with a tenant's work: sharded over :data:`LIST_SHARDS` partitions."""
    return Collection(name, LIST_SHARDS)


def collection_of(name: str | None) -> Collection | None:
    """A collection as given (a plain name is a list of one shard)."""
    if name is None or isinstance(name, Collection):
        return name
    return Collection(name)


@dataclass(frozen=True)
class Document:
    key: DocumentKey
    version: int
    body: dict[str, Any]
    files: dict[str, FileRef] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: dict[str, Any] = field(default_factory=dict)
    updated_by: dict[str, Any] = field(default_factory=dict)
    #: the list the document appears in (a customer's in a domain, a project's ...), named by its
    #: dialect at creation and kept by every version, with its shards; None: in no list
    collection: Collection | None = None
    #: the earlier version whose metadata and files this version restored (dms restore); None for
    #: any other change. Kept in this version's record only, so its change event says "restored".
    restored_from: int | None = None

    @property
    def etag(self) -> str:
        """Strong ETag, derived from the version."""
        return f'"{self.version}"'

    @property
    def state_token(self) -> str:
        """capture's opaque stateToken: 32 hex digits, a hash of the key and the version (so a token
        names one state of one resource, and tokens of earlier releases stay valid)."""
        key = self.key
        return hashlib.blake2b(f"{key.tenant}#{key.kind}#{key.id}#{self.version}".encode(), digest_size=16).hexdigest()

    def to_record(self) -> str:
        record = {
            "body": self.body,
            "files": {slot: vars(ref) for slot, ref in self.files.items()},
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "created_by": self.created_by,
            "updated_by": self.updated_by,
        }
        if self.collection is not None:
            record["collection"] = str(self.collection)
            shards = getattr(self.collection, "shards", 1)
            if shards > 1:
                record["list_shards"] = shards
        if self.restored_from is not None:
            record["restored_from"] = self.restored_from
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_record(cls, key: DocumentKey, version: int, record: str) -> Document:
        data = json.loads(record)
        return cls(
            key=key,
            version=version,
            body=data["body"],
            files={slot: FileRef(**ref) for slot, ref in data.get("files", {}).items()},
            created_at=datetime.fromisoformat(data["created_at"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            created_by=data.get("created_by", {}),
            updated_by=data.get("updated_by", {}),
            collection=Collection(data["collection"], data.get("list_shards", 1)) if data.get("collection") else None,
            restored_from=data.get("restored_from"),
        )


@dataclass(frozen=True)
class Precondition:
    """Conditional-request headers, already parsed (RFC 9110 §13)."""

    if_match: tuple[str, ...] | None = None  # entity tags as sent, or ("*",)
    if_none_match_any: bool = False
    if_unmodified_since: datetime | None = None
    #: capture's stateToken: the request names the state it believes current.
    state_token: str | None = None
    #: HTTP-dates have whole seconds: compare the last update truncated to them.
    since_has_seconds_only: bool = True

    @property
    def is_set(self) -> bool:
        return (self.if_match is not None or self.if_none_match_any or self.if_unmodified_since is not None
                or self.state_token is not None)

    def check(self, current: Document | None, version_before: Callable[[], Document | None] | None = None) -> None:
        """Raise PreconditionFailed unless the request may proceed against ``current``.
        ``version_before`` reads the version before it, when an If-Unmodified-Since in whole
        seconds names the second ``current`` was made in (:meth:`_check_unmodified_since`)."""
        if self.if_none_match_any and current is not None:
            raise PreconditionFailed("If-None-Match: * but the document exists", current=current)
        if self.if_match is not None:
            if current is None:
                raise PreconditionFailed("If-Match given but the document does not exist")
            if "*" not in self.if_match and current.etag not in self.if_match:
                raise PreconditionFailed(
                    f"If-Match {', '.join(self.if_match)} does not match the current ETag {current.etag}",
                    current=current,
                )
        if self.state_token is not None:
            if current is None:
                raise PreconditionFailed("a stateToken was given but the resource does not exist")
            if self.state_token != current.state_token:
                raise PreconditionFailed(
                    f"stateToken {self.state_token} is not the current one; re-read the resource and retry",
                    current=current,
                )
        if self.if_unmodified_since is not None and current is not None:
            self._check_unmodified_since(current, version_before)

    def _check_unmodified_since(self, current: Document, version_before) -> None:
        """An HTTP-date has whole seconds, folio's instants microseconds. A date before the second
        ``current`` was made in: modified since (412). A date in that very second proves the client
        saw ``current`` only when no other version was made in it (the one before is older, or
        there is none); when another was, or that cannot be read, the client may hold the earlier
        one, and overwriting the later would lose it: 412, naming If-Match as the exact way."""
        since, updated = self.if_unmodified_since, current.updated_at
        if not self.since_has_seconds_only:
            if updated > since:
                raise PreconditionFailed(f"the document was modified at {updated.isoformat()}, after "
                                         "If-Unmodified-Since", current=current)
            return
        made_in = updated.replace(microsecond=0)
        if made_in > since:
            raise PreconditionFailed(f"the document was modified at {updated.isoformat()}, after "
                                     "If-Unmodified-Since", current=current)
        if made_in < since or current.version == 1:
            return
        before = version_before() if version_before is not None else None
        if before is None or before.updated_at.replace(microsecond=0) >= made_in:
            raise PreconditionFailed(
                f"the document changed more than once in the second If-Unmodified-Since names "
                f"({since.isoformat()}): a date in whole seconds cannot tell which version you saw; "
                "re-read it and send If-Match with its ETag instead", current=current)
