"""The atomic batch protocol on moto: one transaction when it fits, intent + locks beyond,
and all-or-nothing after the writer dies between any two AWS calls."""

from datetime import timedelta

import pytest

from folio.core.batches import BatchConflicted, BatchItem, BatchRejected, BatchService
from folio.core import Caller, DocumentKey
from folio.core.errors import InvalidRequest

from ..support.clock import Clock

CALLER = Caller(tenant="acme", sub="u1", name="Ada")


class Crash(BaseException):
    """The function dies: nothing after it runs (not even except-blocks that call AWS)."""


@pytest.fixture
def table(aws):
    from folio.storage.batches import BatchTable

    return BatchTable()


@pytest.fixture
def dynamodb_calls(table):
    """Count DynamoDB calls; crash the writer at call number ``crash_at`` and every one after it."""
    state = {"calls": [], "crash_at": None}

    def before_call(model, **kwargs):
        state["calls"].append(model.name)
        if state["crash_at"] is not None and len(state["calls"]) >= state["crash_at"]:
            raise Crash(f"killed before call {len(state['calls'])} ({model.name})")

    table._db.meta.events.register("before-call.dynamodb", before_call)
    yield state
    table._db.meta.events.unregister("before-call.dynamodb", before_call)


def items(n, value, *, invalid=()):
    def change(i):
        def apply(current):
            if i in invalid:
                raise InvalidRequest(f"item {i} is invalid")
            return {"value": value, "n": i, "history": (current.body["history"] if current else []) + [value]}
        return apply

    return [BatchItem(DocumentKey("acme", "batch-test", f"doc-{i:03d}"), change(i), alias=DocumentKey("acme", "alias", str(i)),
                      label={"externalId": f"ext-{i}"}) for i in range(n)]


def state_of(table, n):
    heads = table.get_heads([DocumentKey("acme", "batch-test", f"doc-{i:03d}") for i in range(n)])
    values = {h.key: __import__("json").loads(h.record)["body"]["value"] if h.record else None for h in heads.values()}
    locks = [h.key for h in heads.values() if h.lock]
    return values, locks


def test_a_batch_that_fits_one_transaction_is_one_transaction(table, dynamodb_calls):
    docs = BatchService(table).commit_atomic(items(33, "a"), CALLER)  # 33 creates x 3 actions = 99
    assert [d.version for d in docs] == [1] * 33
    assert dynamodb_calls["calls"] == ["BatchGetItem", "TransactWriteItems"]
    assert table.get_alias(DocumentKey("acme", "alias", "5")) == DocumentKey("acme", "batch-test", "doc-005")
    stored = table._db.get_item(TableName=table._name, Key={"pk": {"S": "acme#alias#5"}, "sk": {"S": "ALIAS"}})
    assert stored["Item"]["target"]["S"] == "acme#batch-test#doc-005"  # the alias item as stored


def test_250_items_apply_all_through_the_intent(table, dynamodb_calls):
    service = BatchService(table)
    service.commit_atomic(items(120, "old"), CALLER)
    docs = service.commit_atomic(items(250, "new"), CALLER)
    assert sorted({d.version for d in docs}) == [1, 2]
    values, locks = state_of(table, 250)
    assert set(values.values()) == {"new"} and len(values) == 250 and locks == []
    assert table.list_intents() == []
    assert all(table.get_alias(DocumentKey("acme", "alias", str(i))) for i in range(250))
    assert table.get_version(DocumentKey("acme", "batch-test", "doc-007"), 2) is not None


def test_one_invalid_item_of_250_changes_nothing(table):
    service = BatchService(table)
    service.commit_atomic(items(100, "old"), CALLER)
    with pytest.raises(BatchRejected) as rejected:
        service.commit_atomic(items(250, "new", invalid={17, 201}), CALLER)
    assert [(e["index"], e["externalId"]) for e in rejected.value.errors] == [(17, "ext-17"), (201, "ext-201")]
    values, locks = state_of(table, 250)
    assert set(values.values()) == {"old"} and len(values) == 100 and locks == []


def run_killed(table, dynamodb_calls, crash_at, n, max_actions):
    """Seed half the items, kill a batch over all of them at ``crash_at``, then recover."""
    clock = Clock()
    table.max_actions = max_actions
    service = BatchService(table, clock=clock)
    dynamodb_calls["crash_at"] = None
    service.commit_atomic(items(n // 2, "old"), CALLER)
    dynamodb_calls["calls"].clear()
    dynamodb_calls["crash_at"] = crash_at
    finished = False
    try:
        service.commit_atomic(items(n, "new"), CALLER)
        finished = True
    except Crash:
        pass
    calls = len(dynamodb_calls["calls"])
    dynamodb_calls["crash_at"] = None
    clock.now += timedelta(minutes=5)  # the dead writer's batch is stale now
    service.sweep()
    values, locks = state_of(table, n)
    assert locks == [] and table.list_intents() == [], f"crash at {crash_at}: locks or intents remain"
    applied = set(values.values())
    assert applied in ({"new"}, {"old"}), f"crash at {crash_at}: mixed {applied}"
    if applied == {"new"}:
        assert len(values) == n
    else:
        assert len(values) == n // 2  # the placeholders of the creates are gone
    return finished, calls


def test_killed_at_every_step_recovers_to_all_or_nothing(table, dynamodb_calls):
    """12 items over 10-action transactions: 2 lock chunks and 4 roll-forward chunks."""
    outcomes = []
    crash_at = 1
    while True:
        with_fresh_table(table)
        finished, calls = run_killed(table, dynamodb_calls, crash_at, 12, max_actions=10)
        outcomes.append(crash_at)
        if finished:
            break
        crash_at += 1
    assert len(outcomes) >= 9  # every step of the protocol was killed once
    print(f"killed the batch before each of its {len(outcomes) - 1} DynamoDB calls; all recovered")


def with_fresh_table(table):
    """Delete every item (the test reuses one moto table per kill)."""
    db, name = table._db, table._name
    for page in db.get_paginator("scan").paginate(TableName=name):
        for item in page.get("Items", []):
            db.delete_item(TableName=name, Key={"pk": item["pk"], "sk": item["sk"]})


@pytest.mark.parametrize("crash_at", [3, 5, 7, 10])
def test_a_250_item_batch_killed_midway_recovers(table, dynamodb_calls, crash_at):
    run_killed(table, dynamodb_calls, crash_at, 250, max_actions=100)


def test_a_reader_of_a_locked_document_recovers_a_dead_batch(table, dynamodb_calls):
    clock = Clock()
    table.max_actions = 10
    service = BatchService(table, clock=clock)
    service.commit_atomic(items(12, "old"), CALLER)
    dynamodb_calls["calls"].clear()
    dynamodb_calls["crash_at"] = 4  # BatchGet, intent, lock chunk 1 ... dies before the second chunk
    with pytest.raises(Crash):
        service.commit_atomic(items(12, "new"), CALLER)
    dynamodb_calls["crash_at"] = None
    key = DocumentKey("acme", "batch-test", "doc-000")
    assert service.read(key).body["value"] == "old"  # young pending batch: the committed version
    assert state_of(table, 12)[1]  # still locked
    clock.now += timedelta(minutes=5)
    assert service.read(key).body["value"] == "old"
    values, locks = state_of(table, 12)
    assert locks == [] and set(values.values()) == {"old"}


def test_concurrent_writer_meets_a_conflict_until_the_lock_is_released(table, dynamodb_calls):
    clock = Clock()
    table.max_actions = 10
    service = BatchService(table, clock=clock, max_attempts=2)
    service.commit_atomic(items(12, "old"), CALLER)
    dynamodb_calls["calls"].clear()
    dynamodb_calls["crash_at"] = 4
    with pytest.raises(Crash):
        service.commit_atomic(items(12, "new"), CALLER)
    dynamodb_calls["crash_at"] = None
    with pytest.raises(BatchConflicted) as conflicted:
        service.commit_atomic(items(3, "other"), CALLER)
    assert conflicted.value.errors and conflicted.value.errors[0]["reason"].startswith("changed by a concurrent")
    clock.now += timedelta(minutes=5)
    assert [d.body["value"] for d in service.commit_atomic(items(3, "other"), CALLER)] == ["other"] * 3
