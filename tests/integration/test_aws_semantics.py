"""folio against what AWS answers and moto/DynamoDB Local never do: transaction conflicts,
throttles, 500s (tests/support/aws_concurrency.py), and DynamoDB's real size limits."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from folio.core import service as core
from folio.core.batches import BatchItem, BatchService, BatchTooLarge
from folio.core import Caller, DocumentKey, DocumentService, Precondition
from folio.core.errors import EditConflict, PayloadTooLarge, StorageUnavailable
from folio.core.ports import VersionWrite
from folio.storage.keys import partition_key

from ..support.aws_concurrency import AwsConcurrency, aws_error
from ..support.clock import Clock

CALLER = Caller(tenant="acme", sub="u1", name="Ada")


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(core, "pause", lambda attempt: None)


@pytest.fixture
def tables(aws, no_sleep):
    from folio.storage.batches import BatchTable
    from folio.storage.documents import DocumentTable
    from folio.storage.files import FileStore

    return DocumentTable(), BatchTable(), FileStore()


@pytest.fixture
def layer(tables):
    layer = AwsConcurrency().attach(tables[0]._db)
    yield layer
    layer.detach()


def key(i: int) -> DocumentKey:
    return DocumentKey("acme", "sem", f"doc-{i:03d}")


def pk(i: int) -> str:
    """The partition key of ``key(i)`` as stored (what the layer holds and raw AWS calls name)."""
    return partition_key(key(i))


def batch(n: int, value: str, pad: int = 0) -> list[BatchItem]:
    return [BatchItem(key(i), lambda current, i=i: {"value": value, "i": i, "pad": "x" * pad},
                      label={"externalId": f"e{i}"}) for i in range(n)]


def scan(aws) -> list[dict]:
    db = aws["dynamodb"]
    return [item for page in db.get_paginator("scan").paginate(TableName=aws["table"]) for item in page["Items"]]


def leftovers(aws) -> list[str]:
    """Locks, pending records, intents and placeholders: what no finished batch may leave."""
    out = []
    for item in scan(aws):
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if "txlock" in item or sk.startswith("PENDING#") or pk == "folio#batch-intents" \
                or (sk == "HEAD" and "record" not in item and "version" in item):
            out.append(f"{pk} {sk}")
    return out


def values(tables, n: int) -> dict[DocumentKey, str | None]:
    heads = tables[1].get_heads([key(i) for i in range(n)])
    return {k: json.loads(h.record)["body"]["value"] if h.record else None for k, h in heads.items()}


# ---------------------------------------------------------------- transaction conflicts

def test_a_conflict_on_a_single_commit_is_retried_not_a_concurrent_change(aws, tables, layer):
    """If-Match was current; the commit met an in-flight transaction (nothing changed): the write
    is sent again and succeeds, instead of answering 409 as if another writer had won."""
    service = DocumentService(tables[0], tables[2])
    doc = service.create(key(1), {"v": 1}, CALLER)
    calls = {"n": 0}

    def on_call(phase, operation):
        if phase == "before" and operation == "TransactWriteItems":
            calls["n"] += 1
            if calls["n"] == 1:
                layer.hold(aws["table"], pk(1), "HEAD")
            else:
                layer.release(0)  # the other transaction finished

    layer.on_call = on_call
    updated = service.update(key(1), lambda d: {"v": 2}, CALLER, Precondition(if_match=(doc.etag,)))
    assert updated.version == 2 and layer.stats["transaction-conflict"] == 1
    assert service.get(key(1)).body == {"v": 2}


def test_a_conflict_that_never_ends_is_503_not_409_and_changes_nothing(aws, tables, layer):
    service = DocumentService(tables[0], tables[2])
    doc = service.create(key(1), {"v": 1}, CALLER)
    layer.hold(aws["table"], pk(1), "HEAD")
    with pytest.raises(StorageUnavailable) as unavailable:
        service.update(key(1), lambda d: {"v": 2}, CALLER, Precondition(if_match=(doc.etag,)))
    assert not isinstance(unavailable.value, EditConflict) and "Transaction" not in unavailable.value.message
    layer.release(0)
    assert service.get(key(1)).version == 1


def test_a_conflict_during_roll_forward_never_reports_the_batch_done(aws, tables, layer):
    """The roll forward meets an in-flight transaction on one head for good: the batch is not
    answered as done, its intent stays, and once the conflict is over a reader finishes it."""
    clock = Clock()
    tables[1].max_actions = 10
    service = BatchService(tables[1], clock=clock)
    service.commit_atomic(batch(12, "old"), CALLER)
    state = {"locked": False}

    def on_call(phase, operation):
        if phase == "after" and operation == "UpdateItem" and not state["locked"]:
            state["locked"] = True  # the commit point has just passed: hold one head from now on
            layer.hold(aws["table"], pk(7), "HEAD")

    layer.on_call = on_call
    with pytest.raises(StorageUnavailable):
        service.commit_atomic(batch(12, "new"), CALLER)
    assert [i.state for i in tables[1].list_intents()] == ["COMMITTED"]
    assert values(tables, 12)[key(7)] == "old"  # not applied, and still locked
    layer.release(0)
    layer.on_call = None
    assert service.read(key(7)).body["value"] == "new"
    assert set(values(tables, 12).values()) == {"new"} and leftovers(aws) == []


def test_throttles_and_server_errors_on_every_call_still_apply_all_or_nothing(aws, tables, layer):
    """Three calls of four are throttled, fail with 500 or meet a transaction conflict (botocore
    and folio retry them): the batch of 12 over 10-action transactions applies whole, or a retry does."""
    counter = {"n": 0}

    def fault(operation, body):
        counter["n"] += 1
        kind = (None, "throttle", "server-error", "conflict")[counter["n"] % 4]
        return None if kind == "conflict" and operation not in ("TransactWriteItems", "PutItem", "UpdateItem",
                                                                 "DeleteItem") else kind

    layer.fault = fault
    tables[1].max_actions = 10
    service = BatchService(tables[1], clock=Clock())
    for attempt in range(5):
        try:
            docs = service.commit_atomic(batch(12, "new"), CALLER)
            break
        except StorageUnavailable:
            continue
    else:
        pytest.fail("never applied")
    assert len(docs) == 12 and set(values(tables, 12).values()) == {"new"}
    assert layer.stats["throttle"] and layer.stats["server-error"] and layer.stats["conflict"]
    layer.fault = None
    service.sweep()
    assert leftovers(aws) == []


def test_errors_are_classified_by_code_and_reason_never_by_message(aws, tables, layer):
    """A cancellation whose message names ConditionalCheckFailed but whose reasons say
    TransactionConflict is a conflict (retried), not a lost condition."""
    service = DocumentService(tables[0], tables[2])
    doc = service.create(key(1), {"v": 1}, CALLER)
    sent = {"n": 0}

    def fault(operation, body):
        if operation == "TransactWriteItems":
            sent["n"] += 1
            return "lying" if sent["n"] == 1 else None
        return None

    def lying(url, operation, kind, actions):
        return aws_error(url, 400, "TransactionCanceledException",
                         "Transaction cancelled [ConditionalCheckFailed, None] ConditionalCheckFailed",
                         CancellationReasons=[{"Code": "TransactionConflict"}, {"Code": "None"}])

    layer.fault = fault
    layer._fault = lying
    assert service.update(key(1), lambda d: {"v": 2}, CALLER, Precondition(if_match=(doc.etag,))).version == 2


# ---------------------------------------------------------------- DynamoDB's size limits

def test_33_items_of_140_kb_apply_whole(aws, tables):
    """33 creates are 99 actions, but 9 MB: not one transaction. The intent path packs by bytes."""
    service = BatchService(tables[1], clock=Clock())
    docs = service.commit_atomic(batch(33, "big", pad=140_000), CALLER)
    assert [d.version for d in docs] == [1] * 33
    assert set(values(tables, 33).values()) == {"big"} and leftovers(aws) == []
    assert DocumentService(tables[0]).update(key(3), lambda d: {**d.body, "value": "after"}, CALLER).version == 2


def test_an_update_batch_of_51_documents_of_220_kb_applies_whole(aws, tables):
    """A lock that carried the pending record on the head doubled it past 400 KB; now it is beside it."""
    service = BatchService(tables[1], clock=Clock())
    service.commit_atomic(batch(51, "old", pad=220_000), CALLER)
    docs = service.commit_atomic(batch(51, "new", pad=220_000), CALLER)
    assert {d.version for d in docs} == {2}
    assert set(values(tables, 51).values()) == {"new"} and leftovers(aws) == []


def test_a_document_over_400_kb_is_413_naming_the_limit_and_nothing_is_locked(aws, tables, layer):
    service = BatchService(tables[1], clock=Clock())
    service.commit_atomic(batch(3, "old"), CALLER)
    items = batch(3, "new") + [BatchItem(key(3), lambda c: {"value": "huge", "pad": "x" * 420_000},
                                         label={"externalId": "e3"})]
    writes = []
    layer.on_call = lambda phase, operation: writes.append(operation) if phase == "before" else None
    with pytest.raises(BatchTooLarge) as too_large:
        service.commit_atomic(items, CALLER)
    assert "400 KB" in too_large.value.message and too_large.value.errors[0]["externalId"] == "e3"
    assert writes == ["BatchGetItem"]  # read, then refused: nothing locked, nothing written
    assert set(values(tables, 3).values()) == {"old"} and leftovers(aws) == []
    with pytest.raises(PayloadTooLarge):
        DocumentService(tables[0]).update(key(1), lambda d: {"pad": "x" * 420_000}, CALLER)
    assert service.commit_atomic(batch(4, "after"), CALLER)[3].version == 1


def test_a_document_just_under_the_limit_is_stored(aws, tables):
    service = DocumentService(tables[0])
    doc = service.create(key(1), {"pad": "x" * 395_000}, CALLER)
    assert service.update(key(1), lambda d: {"pad": "y" * 395_000}, CALLER).version == doc.version + 1


def test_250_items_near_the_item_limit_apply_whole(aws, tables):
    """250 documents of 300 KB: 75 MB locked and rolled forward in transactions under 4 MB."""
    if aws.get("engine") == "moto":
        pytest.skip("moto takes minutes for 75 MB of transactions; DynamoDB Local enforces the limits this is about")
    service = BatchService(tables[1], clock=Clock())
    docs = service.commit_atomic(batch(250, "big", pad=300_000), CALLER)
    assert len(docs) == 250 and leftovers(aws) == []
    assert set(values(tables, 250).values()) == {"big"}


def test_near_limit_batches_leave_documents_writable(aws, tables):
    clock = Clock()
    service = BatchService(tables[1], clock=clock)
    service.commit_atomic(batch(20, "old", pad=200_000), CALLER)
    clock.now += timedelta(seconds=1)
    assert {d.version for d in service.commit_atomic(batch(20, "new", pad=200_000), CALLER)} == {2}
    assert DocumentService(tables[0]).update(key(19), lambda d: {"value": "x"}, CALLER).version == 3


# ---------------------------------------------------------------- what the adversarial review found

def test_a_writer_that_outlives_its_batch_locks_nothing_more(aws, tables):
    """The writer stalls between two lock transactions past stale_after; a sweeper aborts the batch
    and releases its locks. The writer's next lock transaction is conditional on a PENDING intent:
    it fails, the writer starts again, and no lock is left without an intent."""
    from folio.storage.batches import BatchTable

    clock = Clock()
    table = tables[1]
    table.max_actions = 5  # 2 documents a lock transaction
    writer = BatchService(table, clock=clock, max_attempts=3)
    sweeper = BatchService(BatchTable(), clock=clock)
    writer.commit_atomic(batch(4, "old"), CALLER)
    real, seen = table._transact, {"locks": 0, "swept": 0}

    def stalling(actions, what):
        if what == "locking the documents":
            seen["locks"] += 1
            if seen["locks"] == 2:
                clock.now += timedelta(seconds=61)
                seen["swept"] = sweeper.sweep()
        return real(actions, what)

    table._transact = stalling
    try:
        docs = writer.commit_atomic(batch(4, "new"), CALLER)
    finally:
        table._transact = real
    assert seen["swept"] == 1 and {d.version for d in docs} == {2}
    assert set(values(tables, 4).values()) == {"new"} and leftovers(aws) == []


def test_a_lock_without_an_intent_is_released_by_the_next_reader(aws, tables):
    """Defence in depth: a head locked by a batch that has no intent any more is released."""
    tables[1].max_actions = 5
    service = BatchService(tables[1], clock=Clock())
    service.commit_atomic(batch(2, "old"), CALLER)
    aws["dynamodb"].update_item(TableName=aws["table"], Key={"pk": {"S": pk(0)}, "sk": {"S": "HEAD"}},
                                UpdateExpression="SET txlock = :t, pending_version = :v",
                                ExpressionAttributeValues={":t": {"S": "f" * 32}, ":v": {"N": "2"}})
    assert service.read(key(0)).body["value"] == "old" and leftovers(aws) == []


def test_the_document_service_finishes_a_dead_batch_instead_of_waiting(aws, tables):
    """artu's S3-upload function updates documents a batch may hold: with the batch service's
    recovery wired in (as services.document_service does), a dead batch's lock is resolved at
    once, with or without If-Match, instead of 30 re-reads and a 503 (or a false 409)."""
    clock = Clock()
    tables[1].max_actions = 5
    service = BatchService(tables[1], clock=clock)
    service.commit_atomic(batch(3, "old"), CALLER)
    real = tables[1].transition_intent

    class Crash(BaseException):
        pass

    def die(*args):
        raise Crash()

    tables[1].transition_intent = die  # the writer dies after locking, before its commit point
    with pytest.raises(Crash):
        service.commit_atomic(batch(3, "new"), CALLER)
    tables[1].transition_intent = real
    clock.now += timedelta(minutes=2)
    documents = DocumentService(tables[0], clock=clock, max_attempts=3,
                                resolve_lock=lambda txid, locked: service.recover(txid, [locked]))
    current = documents.get(key(0))
    updated = documents.update(key(0), lambda d: {**d.body, "value": "upload"}, CALLER,
                               Precondition(if_match=(current.etag,)))
    assert updated.version == current.version + 1 and leftovers(aws) == []
    assert values(tables, 3) == {key(0): "upload", key(1): "old", key(2): "old"}


def test_one_intent_that_cannot_finish_does_not_stop_the_sweep(aws, tables, layer):
    clock = Clock()
    tables[1].max_actions = 5
    service = BatchService(tables[1], clock=clock)
    service.commit_atomic(batch(3, "old"), CALLER)
    tables[1].put_intent("0" * 32, [VersionWrite(key(0), 2, "{}")], 0)  # committed,
    tables[1].transition_intent("0" * 32, "PENDING", "COMMITTED")  # its lock held by the layer for good
    aws["dynamodb"].update_item(TableName=aws["table"], Key={"pk": {"S": pk(0)}, "sk": {"S": "HEAD"}},
                                UpdateExpression="SET txlock = :t, pending_version = :v",
                                ExpressionAttributeValues={":t": {"S": "0" * 32}, ":v": {"N": "2"}})
    aws["dynamodb"].put_item(TableName=aws["table"], Item={"pk": {"S": pk(0)}, "sk": {"S": "PENDING#" + "0" * 32},
                                                           "version": {"N": "2"}, "record": {"S": json.dumps(
                                                               {"body": {"value": "late"}, "files": {},
                                                                "created_at": clock.now.isoformat(),
                                                                "updated_at": clock.now.isoformat()})}})
    tables[1].put_intent("z" * 32, [VersionWrite(key(1), 2, "{}")], 0)  # stale, PENDING
    layer.hold(aws["table"], pk(0), "HEAD")
    clock.now += timedelta(minutes=5)
    assert service.sweep() == 1  # the stale one; the committed one waits for the next sweep
    assert [i.txid for i in tables[1].list_intents()] == ["0" * 32]
    layer.release(0)
    assert service.sweep() == 1 and service.read(key(0)).body["value"] == "late" and leftovers(aws) == []


def test_the_intent_of_250_long_non_ascii_ids_fits(aws, tables):
    """pks with multi-byte characters are stored as UTF-8, not as JSON escapes six bytes each."""
    tenant = "t" * 128
    items = [BatchItem(DocumentKey(tenant, "artu-live", f"c/{'é' * 250}{i}"), lambda c: {"value": "x"},
                       alias=DocumentKey(tenant, "artu-live-id", f"{i:036d}")) for i in range(250)]
    service = BatchService(tables[1], clock=Clock())
    assert len(service.commit_atomic(items, Caller(tenant=tenant, sub="u"))) == 250
    assert leftovers(aws) == []
