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

A sweep goes through the bucket in passes, by key, and a pass takes as many runs as the bucket
needs (DESIGN §12: it resumes where it stopped and never starts over). A run stops cleanly when the
time left falls under :data:`STOP_MARGIN_SECONDS`; its report says where (``resume_after``: the
last key all of whose versions it judged). A scheduled run (:meth:`FileSweeper.run`) reads the
sweep's :class:`Checkpoint` first and continues its pass after the key it names, or, when that pass
completed (or no run recorded one yet), starts a new pass from the top; at its end it records where
it stopped, or that the pass completed, with the pass's number, start and running counts. That
write is conditional on the checkpoint still being the one the run read (its ``run`` counter), so of
two overlapping runs only the first to finish moves it, and a slower run never moves it back: the
other's removals stand and only its position is dropped (a later run may list that stretch again,
which is harmless: every judgement is made afresh from S3 and the table). A run given a key (an
operator's invocation) starts after that key instead of the checkpoint's and records where it
stopped just the same. A run that fails records nothing: the next one repeats its part of the pass.
The cost: one ListObjectVersions call per 1,000 object versions and one DynamoDB query per
document with files (about one read of the table's history a pass), and one read and one write of
the checkpoint a run.
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


@dataclass(frozen=True)
class Checkpoint:
    """Where a sweep's passes stand, as its last run recorded it."""

    #: runs recorded so far, every pass's: what the next write is conditional on
    run: int
    #: the pass the last run swept in (the first is 1)
    pass_number: int
    pass_started: datetime
    #: where the pass continues (``""``: from the top, no key finished yet); None: the pass completed
    resume_after: str | None
    #: when the last run recorded this
    updated: datetime
    pass_completed: datetime | None = None
    #: the pass's runs so far and what they listed, removed and failed to remove
    runs: int = 0
    listed: int = 0
    removed: int = 0
    failed: int = 0

    @property
    def complete(self) -> bool:
        return self.resume_after is None


class Checkpoints(Protocol):
    """One sweep's checkpoint: a single record every run reads and writes."""

    def read(self) -> Checkpoint | None:
        """The checkpoint the last run recorded (strongly consistent); None before the first run."""

    def write(self, checkpoint: Checkpoint, *, over_run: int) -> bool:
        """Record ``checkpoint`` if the stored one is still run ``over_run``'s (0: none is stored);
        False, writing nothing, when another run has recorded one since."""


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
    #: None when the run listed the rest of the bucket; else the last key it finished (a run given it continues)
    resume_after: str | None = None
    #: a scheduled run's (FileSweeper.run): where it started (None: at the top), the pass it swept in,
    #: and whether it recorded its checkpoint (False: another run recorded one first)
    started_after: str | None = None
    pass_number: int | None = None
    checkpoint_saved: bool | None = None

    def summary(self) -> dict[str, int | str | bool | None]:
        return {"listed": self.listed, "removed": len(self.removed), "referenced": self.referenced,
                "young": self.young, "deleteMarkers": self.delete_markers, "unnamed": self.unnamed,
                "failed": self.failed, "documentsRead": self.documents_read, "complete": self.resume_after is None,
                "resumeAfter": self.resume_after, "startedAfter": self.started_after, "pass": self.pass_number,
                "checkpointSaved": self.checkpoint_saved}


class FileSweeper:
    def __init__(self, objects: ObjectVersions, documents: DocumentRecords, *, grace: timedelta,
                 aliases: Sequence[AliasNamer] = (), checkpoints: Checkpoints | None = None,
                 clock: Callable[[], datetime] = utcnow):
        if grace <= timedelta(seconds=SESSION_SECONDS):
            raise ValueError(f"the grace period ({grace}) must exceed an upload session's life "
                             f"({timedelta(seconds=SESSION_SECONDS)}): a stored session file may still be committed")
        self.objects = objects
        self.documents = documents
        self.grace = grace
        self.aliases = aliases
        self.checkpoints = checkpoints
        self.clock = clock

    def run(self, *, after_key: str | None = None, time_left: Callable[[], float] = lambda: math.inf,
            on_removed: Callable[[str, str], None] = lambda key, version_id: None) -> SweepReport:
        """A scheduled run: :meth:`sweep` from where the checkpoint says the pass stands (after
        ``after_key`` instead when one is given), then record where it stopped, as the module says."""
        if self.checkpoints is None:
            raise ValueError("a resuming run needs the sweep's checkpoints")
        started = self.clock()
        read = self.checkpoints.read()
        ongoing = read if read is not None and not read.complete else None  # the pass this run continues
        start = after_key if after_key is not None else (ongoing.resume_after if ongoing else None)
        report = self.sweep(after_key=start, time_left=time_left, on_removed=on_removed)
        now = self.clock()
        pass_number = ongoing.pass_number if ongoing else (read.pass_number + 1 if read else 1)
        checkpoint = Checkpoint(
            run=(read.run if read else 0) + 1, pass_number=pass_number,
            pass_started=ongoing.pass_started if ongoing else started, resume_after=report.resume_after,
            updated=now, pass_completed=now if report.resume_after is None else None,
            runs=(ongoing.runs if ongoing else 0) + 1, listed=(ongoing.listed if ongoing else 0) + report.listed,
            removed=(ongoing.removed if ongoing else 0) + len(report.removed),
            failed=(ongoing.failed if ongoing else 0) + report.failed)
        report.started_after, report.pass_number = start, pass_number
        report.checkpoint_saved = self.checkpoints.write(checkpoint, over_run=read.run if read else 0)
        return report

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
