"""What the sweeper of unreferenced file versions reads: the bucket's version listing, every
record of a document, and its checkpoint. Implements :class:`folio.core.file_sweep.ObjectVersions`,
:class:`folio.core.file_sweep.DocumentRecords` and :class:`folio.core.file_sweep.Checkpoints`."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..core.documents import DocumentKey
from ..core.file_sweep import AliasNamer, Checkpoint, FileSweeper, ObjectVersion
from .batches import BatchTable
from .clients import AWS_ERRORS, client, domain_error, logger
from .config import Settings, settings
from .files import FileStore
from .idempotency import ANSWER_PREFIX
from .keys import partition_key, sweep_key
from .table import ConditionsFailed, Table

#: The environment variable (template: the UnreferencedFileGraceHours parameter) and its default:
#: how old an unreferenced object version must be before the sweeper removes it.
GRACE_HOURS_VARIABLE = "UNREFERENCED_FILE_GRACE_HOURS"
DEFAULT_GRACE_HOURS = 72
#: The prefixes whose objects the bucket's lifecycle rules expire: never the sweeper's.
LIFECYCLE_PREFIXES = (ANSWER_PREFIX,)
#: The file sweep's name: its checkpoint is the item ``sweep_key(FILE_SWEEP)``.
FILE_SWEEP = "files"


class ObjectVersions:
    """The bucket's object versions and delete markers, listed by ListObjectVersions (1,000 a call)."""

    def __init__(self, cfg: Settings | None = None):
        self._cfg = cfg or settings()
        self._s3 = client("s3", self._cfg)
        self._files = FileStore(self._cfg)

    def versions(self, after_key: str | None = None) -> Iterator[ObjectVersion]:
        """Every version and delete marker by key (a page's two lists merged), the lifecycle
        prefixes left out; the next page is asked for only when this one is consumed. S3 starts
        after ``KeyMarker``; moto 5.2 starts at it, skipping that key's first version (or, when the
        key has none, the next key's: swept on the next run), hence the filter."""
        request = {"Bucket": self._cfg.bucket_name, **({"KeyMarker": after_key} if after_key else {})}
        try:
            for page in self._s3.get_paginator("list_object_versions").paginate(**request):
                entries = [ObjectVersion(v["Key"], v["VersionId"], v["LastModified"]) for v in page.get("Versions", [])]
                entries += [ObjectVersion(m["Key"], m["VersionId"], m["LastModified"], delete_marker=True)
                            for m in page.get("DeleteMarkers", [])]
                yield from sorted((e for e in entries if not e.key.startswith(LIFECYCLE_PREFIXES)
                                   and (after_key is None or e.key > after_key)), key=lambda e: e.key)
        except AWS_ERRORS as e:
            raise domain_error(e, "listing the file versions") from e

    def delete_version(self, key: str, version_id: str) -> None:
        self._files.delete_version(key, version_id)


class DocumentRecords(BatchTable):
    """A document's records, and the aliases (BatchTable's) that name documents."""

    def records(self, key: DocumentKey) -> list[str]:
        """Every record the document's partition holds, in one paginated query: the head, the
        history (``V#``) and any pending record (``PENDING#``) an atomic batch keeps beside it."""
        items = self._query("reading the document's versions", "pk = :pk", {":pk": {"S": partition_key(key)}})
        return [item["record"]["S"] for item in items if "record" in item]


class SweepCheckpoints(Table):
    """A sweep's checkpoint, one item of the documents table (``folio#sweeps``, the sweep's name):
    ``run`` (the runs recorded, which each write is conditional on), ``pass``, ``passStarted``,
    ``resumeAfter`` while the pass is under way or ``passCompleted`` once it is done, ``updated``,
    and the pass's running counts ``passRuns``, ``passListed``, ``passRemoved``, ``passFailed``
    (times in ISO 8601, UTC)."""

    def __init__(self, name: str = FILE_SWEEP, cfg: Settings | None = None):
        super().__init__(cfg)
        self.name = name

    def read(self) -> Checkpoint | None:
        item = self._get(sweep_key(self.name), "reading the sweep's checkpoint")
        if item is None:
            return None
        return Checkpoint(
            run=_number(item, "run"), pass_number=_number(item, "pass"), pass_started=_time(item, "passStarted"),
            resume_after=item["resumeAfter"]["S"] if "resumeAfter" in item else None, updated=_time(item, "updated"),
            pass_completed=_time(item, "passCompleted") if "passCompleted" in item else None,
            runs=_number(item, "passRuns"), listed=_number(item, "passListed"), removed=_number(item, "passRemoved"),
            failed=_number(item, "passFailed"))

    def write(self, checkpoint: Checkpoint, *, over_run: int) -> bool:
        item: dict[str, Any] = {
            **sweep_key(self.name), "run": {"N": str(checkpoint.run)}, "pass": {"N": str(checkpoint.pass_number)},
            "passStarted": {"S": checkpoint.pass_started.isoformat()}, "updated": {"S": checkpoint.updated.isoformat()},
            "passRuns": {"N": str(checkpoint.runs)}, "passListed": {"N": str(checkpoint.listed)},
            "passRemoved": {"N": str(checkpoint.removed)}, "passFailed": {"N": str(checkpoint.failed)}}
        if checkpoint.resume_after is not None:
            item["resumeAfter"] = {"S": checkpoint.resume_after}
        if checkpoint.pass_completed is not None:
            item["passCompleted"] = {"S": checkpoint.pass_completed.isoformat()}
        condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"} if over_run == 0 else {
            "ConditionExpression": "#run = :read", "ExpressionAttributeNames": {"#run": "run"},
            "ExpressionAttributeValues": {":read": {"N": str(over_run)}}}
        try:
            self._call("put_item", "recording the sweep's checkpoint", TableName=self._name, Item=item, **condition)
        except ConditionsFailed:
            logger.info("another run recorded the sweep's checkpoint first: this run's is dropped", extra={
                "sweep": self.name, "readRun": over_run, "resumeAfter": checkpoint.resume_after})
            return False
        return True


def _number(item: dict[str, Any], name: str) -> int:
    return int(item[name]["N"]) if name in item else 0


def _time(item: dict[str, Any], name: str) -> datetime:
    return datetime.fromisoformat(item[name]["S"])


def file_sweeper(aliases: Sequence[AliasNamer] = (), cfg: Settings | None = None) -> FileSweeper:
    """The sweeper over this bucket and table, with the grace period the environment sets and its
    checkpoint."""
    cfg = cfg or settings()
    hours = float(os.environ.get(GRACE_HOURS_VARIABLE, DEFAULT_GRACE_HOURS))
    return FileSweeper(ObjectVersions(cfg), DocumentRecords(cfg), grace=timedelta(hours=hours), aliases=aliases,
                       checkpoints=SweepCheckpoints(FILE_SWEEP, cfg))
