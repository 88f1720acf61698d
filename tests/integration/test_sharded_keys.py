"""No key hotter than one document (DESIGN §12), on moto and DynamoDB Local: ids from blocks, lists
over index shards merged exactly, intents and purges over shards, Idempotency-Key records in a
partition each; and the layout of earlier deployments (unsharded lists, intents and purges, counters
that gave one id a call) still read, listed and continued.

The writes per partition key under real workloads over HTTP are measured by
``tests/e2e/test_partition_heat.py``.
"""

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from folio.core import Caller, DocumentKey
from folio.core.documents import Collection, large_list
from folio.core.errors import InvalidRequest
from folio.storage.batches import BatchTable
from folio.storage.documents import ID_BLOCK, DocumentTable, IdBlocks
from folio.storage.keys import INTENTS_PK, PURGES_PK, SHARDS, counter_key, partition_key, shard_of
from folio.storage.wiring import document_service

ADA = Caller(tenant="acme", sub="ada")
KIND = "heat-document"


def index_items(aws):
    items = aws["dynamodb"].scan(TableName=aws["table"])["Items"]
    return [item for item in items if "lpk" in item]


def create(docs, collection, n):
    keys = []
    for _ in range(n):
        key = DocumentKey("acme", KIND, str(docs.next_id("acme", KIND)))
        docs.create(key, {"n": key.id}, ADA, collection=collection)
        keys.append(key)
    return keys


def newest_first(docs, keys):
    """The list's order: newest first by creation instant, then id (the index's sort key)."""
    found = [docs.get(key) for key in keys]
    return [d.key.id for d in sorted(found, key=lambda d: f"{d.created_at.isoformat()}#{d.key.id}", reverse=True)]


def pages(docs, collection, limit, between=lambda seen: None):
    seen, cursor = [], None
    while True:
        page = docs.list_page("acme", collection, limit, cursor)
        seen.extend(d.key.id for d in page.documents)
        if page.cursor is None:
            return seen
        between(seen)
        cursor = page.cursor


def test_a_large_list_spreads_over_its_shards_and_pages_merge_them_exactly_newest_first(aws):
    docs = document_service()
    big = large_list("big")
    keys = create(docs, big, 40)
    shards = Counter(item["lpk"]["S"] for item in index_items(aws))
    assert len(shards) == SHARDS and max(shards.values()) <= 3  # 40 consecutive ids over 16 shards
    assert "acme#big" in shards and "acme#big#~15" in shards  # shard 0 keeps the unsharded name
    expected = newest_first(docs, keys)
    for limit in (1, 3, 7, 16, 40, 100):
        assert pages(docs, big, limit) == expected, limit


def test_pages_stay_exact_while_documents_are_created_and_deleted_between_them(aws):
    docs = document_service()
    big = large_list("big")
    keys = create(docs, big, 30)
    expected = newest_first(docs, keys)
    deleted = set()

    def meanwhile(seen):
        create(docs, big, 2)  # newer than every page's position: the pages ahead never show them
        unseen = [doc_id for doc_id in expected[expected.index(seen[-1]) + 1:] if doc_id not in deleted]
        if len(unseen) > 3:
            for doc_id in (unseen[1], unseen[-1]):
                docs.delete(DocumentKey("acme", KIND, doc_id), ADA)
                deleted.add(doc_id)

    seen = pages(docs, big, 6, meanwhile)
    assert deleted and len(seen) == len(set(seen))
    assert seen == [doc_id for doc_id in expected if doc_id not in deleted]


def test_a_cursor_is_bound_to_its_list_and_tenant(aws):
    docs = document_service()
    create(docs, large_list("big"), 5)
    cursor = docs.list_page("acme", large_list("big"), 2, None).cursor
    assert cursor
    for tenant, collection, sent in (("other", "big", cursor), ("acme", "small", cursor),
                                     ("acme", "big", cursor[:-1] + ("A" if cursor[-1] != "A" else "B"))):
        with pytest.raises(InvalidRequest):
            docs.list_page(tenant, large_list(collection), 2, sent)
    forged = docs.cursors.seal({"before": 5}, "acme#big")
    with pytest.raises(InvalidRequest):
        docs.list_page("acme", large_list("big"), 2, forged)


def test_the_unsharded_layout_of_an_earlier_deployment_stays_listed_and_its_cursors_still_open(aws):
    """Documents created before lists were sharded (their records name no shards) sit in the
    unsharded partition, which is the sharded list's shard 0: listed with the new ones, newest first,
    updated in place; a cursor the unsharded code gave (the index key of a page's last document)
    continues the list."""
    docs = document_service()
    old = create(docs, Collection("big"), 6)  # the unsharded layout: what the earlier code wrote
    assert {item["lpk"]["S"] for item in index_items(aws)} == {"acme#big"}
    new = create(docs, large_list("big"), 20)
    docs.update(old[0], lambda d: {"n": "updated"}, ADA)
    assert json.loads(docs.table._get({"pk": {"S": partition_key(old[0])}, "sk": {"S": "HEAD"}},
                                      "test")["record"]["S"]).get("list_shards") is None  # kept unsharded
    expected = newest_first(docs, old + new)
    assert pages(docs, large_list("big"), 4) == expected
    # the earlier code's cursor: the index's and the table's keys of the last document of a page
    third = docs.get(DocumentKey("acme", KIND, expected[2]))
    lsk = f"{third.created_at.isoformat()}#{third.key.id}"
    legacy = docs.cursors.seal({"lpk": "acme#big", "lsk": lsk, "pk": partition_key(third.key), "sk": "HEAD"},
                               "acme#big")
    assert [d.key.id for d in docs.list_page("acme", large_list("big"), 100, legacy).documents] == expected[3:]


def test_ids_come_from_blocks_and_continue_above_an_earlier_counter(aws):
    table = DocumentTable()
    aws["dynamodb"].put_item(TableName=aws["table"], Item={**counter_key("acme", KIND), "n": {"N": "500"}})
    ids = [table.next_id("acme", KIND) for _ in range(ID_BLOCK + 1)]
    assert ids == list(range(501, 502 + ID_BLOCK))
    counter = aws["dynamodb"].get_item(TableName=aws["table"], Key=counter_key("acme", KIND))["Item"]
    assert int(counter["n"]["N"]) == 500 + 2 * ID_BLOCK  # two ADDs for 101 ids


def test_environments_taking_blocks_at_once_never_hand_out_one_id_twice(aws):
    """Each environment (an IdBlocks of its own) takes blocks with one ADD; eight of them at once, and
    eight threads sharing one, hand out distinct ids (DynamoDB Local runs them concurrently; moto,
    which is not thread-safe, one environment after another)."""
    table = DocumentTable()
    environments = [IdBlocks() for _ in range(8)]
    shared = IdBlocks()
    handed: list[int] = []
    lock = threading.Lock()

    def run(blocks):
        got = [blocks.next(("t", "acme", KIND), lambda: table._take_block("acme", KIND)) for _ in range(150)]
        with lock:
            handed.extend(got)

    runs = environments + [shared] * 8
    if aws["engine"] == "dynamodb-local":
        threads = [threading.Thread(target=run, args=(blocks,)) for blocks in runs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for blocks in runs:
            run(blocks)
    assert len(handed) == 16 * 150 and len(set(handed)) == len(handed)


def test_intents_and_purges_spread_over_shards_and_their_unsharded_partitions_are_still_read(aws):
    table = BatchTable()
    from folio.core.ports import VersionWrite

    for i in range(64):
        table.put_intent(f"tx{i:04d}", [VersionWrite(DocumentKey("acme", KIND, str(i)), 1, "{}")], started=1)
    partitions = Counter(item["pk"]["S"] for item in aws["dynamodb"].scan(TableName=aws["table"])["Items"]
                         if item["pk"]["S"].startswith(INTENTS_PK))
    assert len(partitions) >= SHARDS - 2 and max(partitions.values()) <= 64 // 4
    # an intent an earlier deployment recorded, in the unsharded partition
    aws["dynamodb"].put_item(TableName=aws["table"], Item={
        "pk": {"S": INTENTS_PK}, "sk": {"S": "legacy-tx"}, "state": {"S": "PENDING"}, "started": {"N": "1"},
        "intent": {"S": json.dumps({"pks": ["acme#heat-document#9"], "aliases": [None]})}})
    assert shard_of("legacy-tx") != 0  # so the sharded layout would look for it elsewhere
    assert "legacy-tx" in {intent.txid for intent in table.list_intents()}
    assert len(table.list_intents()) == 65
    assert table.get_intent("legacy-tx").state == "PENDING"
    assert table.transition_intent("legacy-tx", "PENDING", "ABORTED")
    assert not table.transition_intent("legacy-tx", "PENDING", "COMMITTED")
    assert table.get_intent("legacy-tx").state == "ABORTED"
    table.delete_intent("legacy-tx")
    assert table.get_intent("legacy-tx") is None and len(table.list_intents()) == 64

    docs = document_service()
    keys = create(docs, None, 24)
    for key in keys:
        docs.table.mark_deleted(key, 1, (), datetime.fromtimestamp(1, UTC), {"sub": "ada"})
    purges = Counter(item["pk"]["S"] for item in aws["dynamodb"].scan(TableName=aws["table"])["Items"]
                     if item["pk"]["S"].startswith(PURGES_PK))
    assert len(purges) >= 8 and max(purges.values()) <= 24 // 4
    legacy = DocumentKey("acme", KIND, "legacy")
    assert shard_of(partition_key(legacy)) != 0
    aws["dynamodb"].put_item(TableName=aws["table"], Item={
        "pk": {"S": PURGES_PK}, "sk": {"S": partition_key(legacy)}, "marked": {"N": "1"}, "aliases": {"L": []}})
    assert {key for key, _ in docs.table.list_purges()} == set(keys) | {legacy}
    docs.clock = lambda: datetime.now(UTC) + timedelta(hours=1)
    assert set(docs.finish_purges(older_than_seconds=60)) == set(keys) | {legacy}
    assert docs.table.list_purges() == []


def test_idempotency_records_have_a_partition_each_with_the_tenant_in_it(api, aws):
    for key in ("k-1", "k-2", "k-3"):
        answer = api.request("POST", "/api/v1/Document", json_body={"Header": key}, headers={"Idempotency-Key": key})
        assert answer.status == 201
    records = [item for item in aws["dynamodb"].scan(TableName=aws["table"])["Items"]
               if "#idempotency#" in item["pk"]["S"]]
    assert len(records) == 3 and len({item["pk"]["S"] for item in records}) == 3
    assert all(item["pk"]["S"].startswith("acme#idempotency#") for item in records)
    replay = api.request("POST", "/api/v1/Document", json_body={"Header": "k-2"}, headers={"Idempotency-Key": "k-2"})
    assert replay.status == 201 and replay.headers.get("idempotent-replayed") == "true"


def test_an_environment_restored_from_a_snapshot_takes_a_block_of_its_own(aws):
    """SnapStart restores many environments from one snapshot: a block taken before it must not be
    handed out by each of them (the after-restore hook drops it)."""
    from folio.web.resolver import _after_snapshot_restore

    table = DocumentTable()
    assert table.next_id("acme", KIND) == 1
    _after_snapshot_restore()
    assert DocumentTable().next_id("acme", KIND) == ID_BLOCK + 1


def test_the_list_index_holds_keys_only_and_a_page_shows_each_head_as_it_is_now(aws, template):
    """DESIGN §12: the index projects what a page needs to find its documents (keys), not their
    records, so a version costs it one small write whatever the record's size; the page reads its
    heads from the table, strongly consistent."""
    from folio.core import Edit
    from folio.storage.keys import LIST_INDEX

    props = template.resources["DocumentsTable"]["Properties"]
    index = next(i for i in props["GlobalSecondaryIndexes"] if i["IndexName"] == LIST_INDEX)
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    docs = document_service()
    big = large_list("big")
    keys = create(docs, big, 5)
    docs.update(keys[0], Edit(lambda current: {"n": "updated", "pad": "x" * 50_000}), ADA)
    entries = aws["dynamodb"].scan(TableName=aws["table"], IndexName=LIST_INDEX)["Items"]
    assert len(entries) == 5 and all(set(entry) == {"pk", "sk", "lpk", "lsk"} for entry in entries)
    page = docs.list_page("acme", big, 10, None)
    shown = {doc.key.id: doc for doc in page.documents}
    assert shown[keys[0].id].version == 2 and shown[keys[0].id].body["n"] == "updated"
    assert [doc.key.id for doc in page.documents] == newest_first(docs, keys)
