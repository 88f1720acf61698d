"""What the sweeper of unreferenced file versions reads: the bucket's version listing and every
record of a document. Implements :class:`folio.core.file_sweep.ObjectVersions` and
:class:`folio.core.file_sweep.DocumentRecords`."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import timedelta

from ..core.documents import DocumentKey
from ..core.file_sweep import AliasNamer, FileSweeper, ObjectVersion
from .batches import BatchTable
from .clients import AWS_ERRORS, client, domain_error
from .config import Settings, settings
from .files import FileStore
from .idempotency import ANSWER_PREFIX
from .keys import partition_key

#: The environment variable (template: the UnreferencedFileGraceHours parameter) and its default:
#: how old an unreferenced object version must be before the sweeper removes it.
GRACE_HOURS_VARIABLE = "UNREFERENCED_FILE_GRACE_HOURS"
DEFAULT_GRACE_HOURS = 72
#: The prefixes whose objects the bucket's lifecycle rules expire: never the sweeper's.
LIFECYCLE_PREFIXES = (ANSWER_PREFIX,)


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


def file_sweeper(aliases: Sequence[AliasNamer] = (), cfg: Settings | None = None) -> FileSweeper:
    """The sweeper over this bucket and table, with the grace period the environment sets."""
    cfg = cfg or settings()
    hours = float(os.environ.get(GRACE_HOURS_VARIABLE, DEFAULT_GRACE_HOURS))
    return FileSweeper(ObjectVersions(cfg), DocumentRecords(cfg), grace=timedelta(hours=hours), aliases=aliases)
