"""The sweeper of unreferenced file versions: an S3 object version that no version of its document
points at is removed, once it is older than a grace period (DESIGN §9, Limits).

Such versions are left behind by a write whose metadata commit failed after its file was stored
(and whose clean-up failed too), by an upload session completed in S3 but never committed, and by
an artu upload for a document that was never recorded. Every object version is judged thus:

* younger than ``grace``: kept. The grace must exceed the time between an object's creation
  and the commit that references it: an upload session is completed and committed within
  :data:`~folio.core.uploads.SESSION_SECONDS` (24 h) of its start, any request within minutes,
  and artu's S3-event function within the 6 hours Lambda retries an event.
* a delete marker: kept. folio never deletes an object without naming its version, so a marker
  is an operator's or a lifecycle rule's; it holds no bytes and folio reads no "current" version.
* a key that names no document (not ``<tenant>/<kind>/<id>/<slot>``, so not an object folio
  wrote): kept, and counted. The bucket is folio's own: every key of that shape is taken for a
  document's file.
* otherwise, kept when a record of a document it may belong to references exactly this (key,
  version id): every committed version of the document (its history) and the pending record of
  an atomic batch that holds it (a batch's next version keeps its document's files, so these add
  nothing today; they are read all the same, in the same query). The documents a key may belong
  to: the one :meth:`DocumentKey.file_key` names (ids of several parts included) and the one an
  ``alias`` namer gives (artu's upload key names its document by ``id``, an alias). Otherwise
  the version is deleted.

Each document's records are read once per run (one query), whichever keys and versions name it.
A run lists the whole bucket, stopping cleanly when the time left falls under
:data:`STOP_MARGIN_SECONDS`; its report says where it stopped (``resume_after``), and a run given
that key continues there. The cost of a run: one ListObjectVersions call per 1,000 object versions
and one DynamoDB query per document with files, i.e. about one read of the table's history a run.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from .documents import Document, DocumentKey
from .errors import FolioError
from .service import utcnow
from .uploads import SESSION_SECONDS

#: A run stops listing when the invocation has less time left than this (seconds): enough for the
#: call under way, the last log line and the metrics.
STOP_MARGIN_SECONDS = 30
#: How many documents' references a run keeps at once (a document's keys are listed together, except
#: where an id of several parts is a prefix of another's: these come back within a few keys).
CACHED_DOCUMENTS = 4096


@dataclass(frozen=True)
class ObjectVersion:
    """One entry of the bucket's version listing."""

    key: str
    version_id: str
    last_modified: datetime
    delete_marker: bool = False


class ObjectVersions(Protocol):
    """The bucket's object versions, as the sweeper sees them."""

    def versions(self, after_key: str | None = None) -> Iterator[ObjectVersion]:
        """Every object version and delete marker, by key (after ``after_key`` when given), page by
        page as they are consumed; the prefixes that lifecycle rules expire are left out."""

    def delete_version(self, key: str, version_id: str) -> None: ...


class DocumentRecords(Protocol):
    """What the table holds of a document that can reference files."""

    def records(self, key: DocumentKey) -> list[str]:
        """The record (JSON, as :meth:`Document.to_record` makes it) of every committed version of
        the document and of any pending version an atomic batch holds for it (one read)."""

    def get_alias(self, alias: DocumentKey) -> DocumentKey | None:
        """The document a create recorded ``alias`` for."""


#: Another way an object key names its document: the alias key under which the document is found.
AliasNamer = Callable[[str], DocumentKey | None]


def document_of_file_key(file_key: str) -> DocumentKey | None:
    """The document whose :meth:`DocumentKey.file_key` this is, its id of one part or several; None
    for a key no document names (tenants, kinds and slots hold no ``/``, so the split is unique)."""
    parts = file_key.split("/")
    if len(parts) < 4 or not all(parts):
        return None
    return DocumentKey(parts[0], parts[1], "/".join(parts[2:-1]))


@dataclass
class SweepReport:
    """What one run saw and did."""

    listed: int = 0
    removed: list[tuple[str, str]] = field(default_factory=list)  # (key, version id)
    referenced: int = 0
    young: int = 0
    delete_markers: int = 0
    unnamed: int = 0  # keys that name no document: kept
    failed: int = 0  # deletions S3 refused: kept, retried on the next run
    documents_read: int = 0
    #: None when the run listed the whole bucket; else the last key it finished (a run given it continues)
    resume_after: str | None = None

    def summary(self) -> dict[str, int | str | None]:
        return {"listed": self.listed, "removed": len(self.removed), "referenced": self.referenced,
                "young": self.young, "deleteMarkers": self.delete_markers, "unnamed": self.unnamed,
                "failed": self.failed, "documentsRead": self.documents_read, "complete": self.resume_after is None,
                "resumeAfter": self.resume_after}


class FileSweeper:
    def __init__(self, objects: ObjectVersions, documents: DocumentRecords, *, grace: timedelta,
                 aliases: Sequence[AliasNamer] = (), clock: Callable[[], datetime] = utcnow):
        if grace <= timedelta(seconds=SESSION_SECONDS):
            raise ValueError(f"the grace period ({grace}) must exceed an upload session's life "
                             f"({timedelta(seconds=SESSION_SECONDS)}): a stored session file may still be committed")
        self.objects = objects
        self.documents = documents
        self.grace = grace
        self.aliases = aliases
        self.clock = clock

    def sweep(self, *, after_key: str | None = None, time_left: Callable[[], float] = lambda: math.inf,
              on_removed: Callable[[str, str], None] = lambda key, version_id: None) -> SweepReport:
        """Judge every object version (after ``after_key``) as the module says, deleting the
        unreferenced ones (``on_removed`` is told of each); stop when ``time_left()`` (seconds)
        falls under STOP_MARGIN_SECONDS."""
        cutoff = self.clock() - self.grace
        report = SweepReport()
        references = _References(self.documents, report)
        finished, current = after_key, None
        for version in self.objects.versions(after_key):
            if version.key != current:  # every version of the key before is judged
                finished = current if current is not None else finished
                current = version.key
            if time_left() < STOP_MARGIN_SECONDS:
                report.resume_after = finished or ""
                return report
            report.listed += 1
            if version.delete_marker:
                report.delete_markers += 1
            elif version.last_modified > cutoff:
                report.young += 1
            elif not (owners := self._owners(version.key, references)):
                report.unnamed += 1
            elif any((version.key, version.version_id) in references.of(owner) for owner in owners):
                report.referenced += 1
            else:
                self._remove(version, report, on_removed)
        return report

    def _owners(self, key: str, references: _References) -> list[DocumentKey]:
        """The documents ``key`` may belong to: the one its path names, and those its aliases name."""
        owners = [owner] if (owner := document_of_file_key(key)) else []
        for namer in self.aliases:
            alias = namer(key)
            if alias is not None and (target := references.resolve(alias)) is not None:
                owners.append(target)
        return owners

    def _remove(self, version: ObjectVersion, report: SweepReport, on_removed: Callable[[str, str], None]) -> None:
        try:
            self.objects.delete_version(version.key, version.version_id)
        except FolioError:
            report.failed += 1  # storage logged why; the next run tries again
            return
        report.removed.append((version.key, version.version_id))
        on_removed(version.key, version.version_id)


class _References:
    """The (key, version id) pairs each document references, read once a run (most recent kept)."""

    def __init__(self, documents: DocumentRecords, report: SweepReport):
        self._documents = documents
        self._report = report
        self._files: OrderedDict[DocumentKey, frozenset[tuple[str, str]]] = OrderedDict()
        self._aliases: OrderedDict[DocumentKey, DocumentKey | None] = OrderedDict()

    def of(self, key: DocumentKey) -> frozenset[tuple[str, str]]:
        found = self._files.get(key)
        if found is None:
            self._report.documents_read += 1
            found = frozenset((ref.key, ref.version_id) for record in self._documents.records(key)
                              for ref in Document.from_record(key, 0, record).files.values())
            _keep(self._files, key, found)
        else:
            self._files.move_to_end(key)
        return found

    def resolve(self, alias: DocumentKey) -> DocumentKey | None:
        if alias not in self._aliases:
            _keep(self._aliases, alias, self._documents.get_alias(alias))
        return self._aliases[alias]


def _keep(cache: OrderedDict, key, value) -> None:
    cache[key] = value
    if len(cache) > CACHED_DOCUMENTS:
        cache.popitem(last=False)
