"""Deletes that erase (DESIGN §10), in the core over real storage: a crash after any AWS call of a
delete, then the purge sweeper, leaves either the whole document or nothing of it: no table item
(head, history, alias, purge record) and no S3 object version under its files' keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ..support.files import png
from .test_faults import Crash, Injector

KIND = "erasure-test"


def make_document(versions: int, number: int):
    """A document of ``versions`` versions with two file slots, an alias, and an orphan object
    version under its prefix (a write that died before its metadata)."""
    from folio.core import Caller, DocumentKey, Edit, NewFile
    from folio.storage.wiring import document_service, file_store

    documents, caller = document_service(), Caller("acme", "eraser")
    key = DocumentKey("acme", KIND, str(number))
    documents.create(key, {"n": 0}, caller, new_files={"front": NewFile(png(), "image/png", "f.png")},
                     collection="all")
    for n in range(1, versions):
        documents.update(key, Edit(lambda d, n=n: {"n": n}, new_files={"back": NewFile(b"back %d" % n, "text/plain")}),
                         caller)
    file_store().put(key.file_key("orphan"), b"a write that died", "text/plain")
    return documents, caller, key


def leftovers(aws, key) -> tuple[list, list]:
    from folio.storage.keys import partition_key

    listing = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key.file_prefix())
    objects = listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    items = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items += [i for i in page["Items"] if partition_key(key) in (i["pk"]["S"], i["sk"]["S"])]
    return objects, items


def test_a_delete_erases_every_version_item_and_object(aws):
    documents, caller, key = make_document(4, 1)
    assert leftovers(aws, key)[0] and leftovers(aws, key)[1]
    documents.delete(key, caller)
    assert documents.find(key) is None
    assert leftovers(aws, key) == ([], [])
    assert documents.list_page("acme", "all", 10, None).documents == []


@pytest.mark.parametrize("kind", ["crash", "server-error"])
def test_a_delete_that_dies_after_any_call_is_finished_by_the_sweeper(aws, kind):
    """Whatever call the delete dies after, the document is whole (not yet marked) or, after the
    purge sweeper, entirely gone."""
    from folio.core.errors import FolioError
    from folio.core.service import PURGE_CLAIM_SECONDS, utcnow

    injector = Injector()
    try:
        documents, caller, key = make_document(3, 100)
        injector.arm(None, None)
        documents.delete(key, caller)
        calls = list(injector.calls)
        assert len(calls) >= 6, calls
        for target in range(1, len(calls) + 1):
            documents, caller, key = make_document(3, 100 + target)
            injector.arm(target, kind)
            try:
                documents.delete(key, caller)
            except (Crash, FolioError):
                pass
            injector.arm(None, None)
            if documents.find(key) is not None:  # died before the mark: the document is whole
                assert [d.version for d in documents.history(key)] == [1, 2, 3]
                continue
            # the sweeper, once a claim the dead delete may have taken has lapsed
            documents.clock = lambda: utcnow() + timedelta(seconds=PURGE_CLAIM_SECONDS + 1)
            documents.finish_purges(older_than_seconds=0)
            assert leftovers(aws, key) == ([], []), (target, calls[target - 1])
    finally:
        injector.close()


def test_the_calls_of_an_erasure_grow_with_the_versions_as_the_readme_says(aws):
    """DynamoDB: 9 calls plus one BatchWriteItem per 25 history items (a Query page per MB);
    S3: one ListObjectVersions and one DeleteObjects per 1,000 object versions."""
    injector = Injector()
    try:
        counts = {}
        for versions in (1, 10, 50):
            documents, caller, key = make_document(versions, 1000 + versions)
            injector.arm(None, None)
            documents.delete(key, caller)
            counts[versions] = sorted(injector.calls)
        for versions, calls in counts.items():
            batches = -(-versions // 25)  # the history items (the head and the purge record: a DeleteItem each)
            s3 = ("ListMultipartUploads", "ListObjectVersions", "DeleteObjects")
            assert calls.count("BatchWriteItem") == batches, (versions, calls)
            assert [c for c in calls if c in s3] == sorted(s3), calls
            assert len([c for c in calls if c not in s3]) == 9 + batches, calls
    finally:
        injector.close()


def test_a_late_purge_never_erases_a_document_created_again_under_the_key(aws):
    """Two sweeper runs overlapping: the second finds the purge ended and the key naming a new
    document (artu names documents by client and external id): it erases nothing."""
    documents, caller, key = make_document(1, 2000)
    documents.table.mark_deleted(key, 1, (), datetime.fromtimestamp(0, UTC), {"sub": "user-1"})  # a delete that died right after its mark
    documents.purge(key)  # run A ends it
    from folio.core import NewFile

    documents.create(key, {"again": True}, caller, new_files={"front": NewFile(png(), "image/png")})
    documents.purge(key)  # run B, late: the purge record is gone, the head is a live document
    assert documents.get(key).body == {"again": True}
    assert leftovers(aws, key)[0]


@pytest.mark.parametrize("cursor", ["abc.\u00e9", "\u00e9", "e30." + "0" * 32, "." * 5000, "a.b.c"])
def test_a_cursor_of_any_text_is_a_400_never_a_5xx(aws, cursor):
    from folio.core.errors import InvalidRequest
    from folio.storage.wiring import document_service

    with pytest.raises(InvalidRequest):
        document_service().list_page("acme", "all", 10, cursor)
