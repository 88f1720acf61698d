"""Change events (DESIGN §11) on moto and on DynamoDB Local: the table's stream read as Lambda's event
source mapping reads it, through the publisher function, onto the stack's bus and into a queue of
the test's own. An event exists if and only if its change committed, once per change (by id),
also when the writer, the publisher or EventBridge fails between any two calls.

Each engine's own stream is what is read (DynamoDB Local's is AWS's engine's); the per-operation
events of every dialect are checked with the sample events (test_template_and_build), and
concurrency against folio local (tests/e2e)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from ..conftest import DEFAULT_CLAIMS
from ..support.change_events import Announcements
from ..support.clock import Clock

PATCH = {"Content-Type": "application/json-patch+json"}
CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


@pytest.fixture
def announcements(aws, api, template):
    return Announcements(aws, template, api.runtime.invoke)


def summary(events):
    return [(e["type"].removeprefix("folio.document."), e["subject"], e["data"]["version"]) for e in events]


def patch(api, doc_id, value, **headers):
    return api.request("PATCH", f"/api/v1/Document/{doc_id}", headers={**PATCH, **headers},
                       body=json.dumps([{"op": "replace", "path": "/Header", "value": value}]).encode())


def test_each_committed_change_is_announced_once_and_nothing_else(api, announcements):
    """Creates, updates and deletes are announced; a stale precondition, a failed JSON Patch test and
    a patch that changes nothing commit nothing and announce nothing."""
    assert api.request("POST", "/api/v1/Document", json_body={"Header": "v1"}).status == 201
    assert patch(api, 1, "v2").status == 200
    assert patch(api, 1, "v3", **{"If-Match": '"1"'}).status == 412
    failed_test = api.request("PATCH", "/api/v1/Document/1", headers=PATCH, body=json.dumps(
        [{"op": "test", "path": "/Header", "value": "not it"}, {"op": "replace", "path": "/Header", "value": "x"}]
    ).encode())
    assert failed_test.status == 409
    assert patch(api, 1, "v2").status == 200  # nothing changes: no version
    assert api.request("DELETE", "/api/v1/Document/1", headers={"If-Match": '"1"'}).status == 412
    assert api.request("DELETE", "/api/v1/Document/1").status == 204
    events = announcements.drain()
    assert summary(events) == [("created", "/api/v1/Document/1", 1), ("updated", "/api/v1/Document/1", 2),
                               ("deleted", "/api/v1/Document/1", 2)]
    assert len({e["id"] for e in events}) == 3
    created, updated, deleted = events
    assert created["data"]["actor"] == {"sub": "user-1", "name": "Ada Lovelace", "email": "ada@example.com"}
    assert deleted["data"]["actor"]["sub"] == "user-1"
    assert created["time"] < updated["time"] and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", created["time"])
    assert announcements.drain() == []  # each record is read once


def test_ids_are_stable_when_the_stream_is_read_again(aws, api, template, announcements):
    """Lambda sends a batch again after a failure: the events it re-announces carry the same ids."""
    api.request("POST", "/api/v1/Document", json_body={"Header": "a"})
    patch(api, 1, "b")
    first = announcements.drain()
    replay = Announcements(aws, template, api.runtime.invoke)  # a second reader of the whole stream
    assert [e["id"] for e in replay.drain()] == [e["id"] for e in first]


def test_a_document_created_again_under_an_erased_key_has_events_of_its_own(api, announcements):
    """artu frees an external id when its document is erased: the next document under it is another."""
    item = {"clientId": CLIENT, "externalId": "reused-1", "type": "ine"}
    headers = {"X-Environment": "test"}
    first = api.request("PUT", "/documents/batch/external", json_body={"items": [item]}, headers=headers)
    doc_id = first.json["data"][0]["data"]["id"]
    assert api.request("DELETE", f"/documents/{doc_id}", headers=headers).status == 204
    again = api.request("PUT", "/documents/batch/external", json_body={"items": [item]}, headers=headers)
    assert again.status == 200
    events = announcements.drain()
    assert [(e["type"], e["data"]["externalId"], e["data"]["version"]) for e in events] == [
        ("folio.document.created", "reused-1", 1), ("folio.document.deleted", "reused-1", 1),
        ("folio.document.created", "reused-1", 1)]
    assert len({e["id"] for e in events}) == 3


class Crash(BaseException):
    """The batch's writer dies: nothing after it runs."""


def test_an_atomic_batch_is_announced_only_once_it_committed(aws, api, announcements):
    """12 creates over 10-action transactions (intent, 2 lock chunks, the commit point, 4 roll-forward
    chunks), the writer killed before each of its calls: while the batch is undecided nothing is
    announced; after the sweeper, either every document is (the batch committed) or none."""
    from folio.core import Caller, DocumentKey
    from folio.core.batches import BatchItem, BatchService
    from folio.storage.batches import BatchTable

    caller = Caller(tenant="acme", sub="u1")
    table = BatchTable(max_actions=10)
    state = {"calls": 0, "crash_at": None}

    def before_call(model, **kwargs):
        state["calls"] += 1
        if state["crash_at"] is not None and state["calls"] >= state["crash_at"]:
            raise Crash(model.name)

    table._db.meta.events.register("before-call.dynamodb", before_call)
    try:
        crash_at, outcomes = 1, Counter()
        while True:
            clock = Clock()
            service = BatchService(table, clock=clock)
            items = [BatchItem(DocumentKey("acme", "artu-test", f"{CLIENT}/run{crash_at}-{i}"),
                               lambda current, i=i, n=crash_at: {"id": f"run{n}-{i}", "clientId": CLIENT,
                                                                   "externalId": f"run{n}-{i}"})
                     for i in range(12)]
            state.update(calls=0, crash_at=crash_at)
            try:
                service.commit_atomic(items, caller)
                finished = True
            except Crash:
                finished = False
            state["crash_at"] = None
            intents = table.list_intents()
            during = announcements.drain()
            if intents and intents[0].state != "COMMITTED":
                assert during == [], f"killed at call {crash_at}: announced before the batch committed"
            clock.now += timedelta(minutes=5)
            service.sweep()
            after = during + announcements.drain()
            assert len(after) in (0, 12), f"killed at call {crash_at}: {len(after)} events"
            assert len({e["id"] for e in after}) == len(after)
            if after:
                assert {e["data"]["externalId"] for e in after} == {f"run{crash_at}-{i}" for i in range(12)}
            outcomes["committed" if after else "rolled back"] += 1
            if finished:
                break
            crash_at += 1
    finally:
        table._db.meta.events.unregister("before-call.dynamodb", before_call)
    assert outcomes["committed"] >= 2 and outcomes["rolled back"] >= 3, outcomes


def _events_client():
    from folio.storage.clients import client
    from folio.storage.config import settings

    return client("events", settings())


def _answer(status: int, parsed: dict):
    return AWSResponse("https://events.local/", status, {}, None), {
        **parsed, "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}}}


@pytest.mark.parametrize("failure", ["server-error", "refused-entry", "killed-after-put"])
def test_a_failed_publish_delays_the_events_and_never_loses_them(api, announcements, failure):
    """EventBridge fails (HTTP 500), refuses one entry of a call (the entries before it are put), or
    the publisher dies right after its PutEvents was answered: Lambda sends the batch again, and
    every event arrives, each id once (a killed publisher's events arrive again, with their ids)."""
    for n in range(12):
        api.request("POST", "/api/v1/Document", json_body={"Header": f"doc {n}"})
    failures = {"left": 2}
    forward = boto3.client("events")  # the bus itself, past the failure injected on the publisher's client

    def before_call(model, params, **kwargs):
        if failures["left"] <= 0:
            return None
        failures["left"] -= 1
        if failure == "server-error":
            return _answer(500, {"Error": {"Code": "InternalException", "Message": "injected"}})
        if failure == "refused-entry":  # the first three go through, the fourth is refused, the rest unsent
            put = forward.put_events(Entries=params["Entries"][:3])["Entries"]
            refused = [{"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}] * (len(params["Entries"]) - 3)
            return _answer(200, {"FailedEntryCount": len(refused), "Entries": put + refused})
        return None

    def after_call(**kwargs):
        if failure == "killed-after-put" and failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("the publisher was killed after PutEvents answered")

    events_client = _events_client()
    events_client.meta.events.register("before-call.events.PutEvents", before_call)
    events_client.meta.events.register("after-call.events.PutEvents", after_call)
    try:
        events = announcements.drain()
    finally:
        events_client.meta.events.unregister("before-call.events.PutEvents", before_call)
        events_client.meta.events.unregister("after-call.events.PutEvents", after_call)
    assert failures["left"] == 0  # the failures happened
    ids = Counter(e["id"] for e in events)
    assert sorted(e["subject"] for e in {e["id"]: e for e in events}.values()) == sorted(
        f"/api/v1/Document/{n}" for n in range(1, 13))
    if failure == "killed-after-put":
        assert max(ids.values()) == 2  # announced again after the kill, with the same ids
    else:
        assert set(ids.values()) == {1}  # nothing was put twice
    assert announcements.mapping.failures == []


def test_a_writer_killed_after_its_commit_is_still_announced(api, announcements):
    """The function dies right after DynamoDB committed its version (its client never hears back): the
    version is there, and so is its event; nothing depends on the writer publishing anything."""
    from folio.storage.clients import client
    from folio.storage.config import settings

    api.request("POST", "/api/v1/Document", json_body={"Header": "v1"})
    dynamodb = client("dynamodb", settings())

    def after_call(**kwargs):
        raise RuntimeError("killed after the commit")

    dynamodb.meta.events.register("after-call.dynamodb.TransactWriteItems", after_call)
    try:
        answer = patch(api, 1, "v2")
    finally:
        dynamodb.meta.events.unregister("after-call.dynamodb.TransactWriteItems", after_call)
    assert answer.status >= 500
    assert api.request("GET", "/api/v1/Document/1").headers["etag"] == '"2"'
    assert summary(announcements.drain()) == [("created", "/api/v1/Document/1", 1),
                                              ("updated", "/api/v1/Document/1", 2)]


def test_a_batch_the_publisher_gave_up_on_is_recorded_and_stays_in_the_stream(aws, api, template, announcements):
    """EventBridge keeps failing: after the template's retries Lambda records the batch's place in
    the on-failure destination; the records are still in the stream (24 hours on AWS), so a replay
    from there announces them (README: "Change events")."""
    for n in range(3):
        api.request("POST", "/api/v1/Document", json_body={"Header": f"doc {n}"})

    def always_fail(**kwargs):
        return _answer(500, {"Error": {"Code": "InternalException", "Message": "injected"}})

    events_client = _events_client()
    events_client.meta.events.register("before-call.events.PutEvents", always_fail)
    try:
        assert announcements.drain() == []
    finally:
        events_client.meta.events.unregister("before-call.events.PutEvents", always_fail)
    trigger = template.functions["PublishChangesFunction"].stream_triggers[0]
    [failure] = announcements.mapping.failures
    assert failure.attempts == trigger.maximum_retry_attempts + 1 and failure.batch_size == 3
    assert trigger.on_failure == "ChangeEventsFailuresQueue"
    # `folio replay-changes --failure <the queue's message>`: the records, read from the stream again
    from folio.dialects.publisher import replay
    from folio.storage.event_bus import EventBus
    from folio.web.stream_events import failed_batch

    message = json.loads(json.dumps(failure.destination_record()))
    replayed = replay(failed_batch(message), EventBus())
    assert [e["subject"] for e in replayed] == [f"/api/v1/Document/{n}" for n in (1, 2, 3)]
    assert [e["id"] for e in announcements.drain()] == [e["id"] for e in replayed]  # on the bus, once each


@pytest.mark.moto_only(reason="EventBridge's rule matching is moto's on both engines; the stream is the same")
def test_the_example_rule_delivers_one_tenants_created_documents_only(api, announcements, template):
    """The template's example rule (its pattern as written there), for tenant acme: acme's creates
    reach the queue, not its updates, and nothing of tenant other."""
    import os

    rule = template.resources["ExampleCreatedEventsRule"]["Properties"]
    pattern = json.loads(json.dumps(rule["EventPattern"]).replace(
        json.dumps({"Ref": "ChangeEventsExampleTenant"}), json.dumps("acme")))
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue = sqs.create_queue(QueueName="example-created")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="example", EventBusName=os.environ["EVENT_BUS_NAME"], EventPattern=json.dumps(pattern))
    events.put_targets(Rule="example", EventBusName=os.environ["EVENT_BUS_NAME"], Targets=[{"Id": "q", "Arn": arn}])
    api.request("POST", "/api/v1/Document", json_body={"Header": "acme's"})
    patch(api, 1, "acme's, updated")
    api.request("POST", "/api/v1/Document", json_body={"Header": "other's"}, claims={**DEFAULT_CLAIMS, "tenant": "other"})
    assert len(announcements.drain()) == 3
    bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
    assert [(b["detail-type"], b["detail"]["tenant"], b["detail"]["subject"]) for b in bodies] == [
        ("folio.document.created", "acme", "/api/v1/Document/1")]


def test_a_transaction_the_engine_cancelled_announces_nothing(announcements):
    """Two documents in one transaction, the second's condition failing inside the engine after the
    first's writes: nothing committed, so nothing is announced (moto rolls a failed transaction back
    by restoring a copy of the table; its stream must not keep the first document's writes)."""
    from datetime import UTC, datetime

    from folio.core import Document, DocumentKey
    from folio.core.ports import BatchConflict, VersionWrite
    from folio.storage.batches import BatchTable

    now = datetime.now(UTC)

    def write(name, version):
        key = DocumentKey("acme", "artu-test", f"{CLIENT}/{name}")
        body = {"id": name, "clientId": CLIENT, "externalId": name}
        return VersionWrite(key, version, Document(key, version, body, {}, now, now, {}, {}).to_record())

    table = BatchTable()
    with pytest.raises(BatchConflict):
        table.write_versions([write("first", 1), write("second", 2)])  # "second" has no version 1
    table.write_versions([write("third", 1)])
    assert [e["data"]["externalId"] for e in announcements.drain()] == ["third"]


@pytest.mark.moto_only(reason="folio local's table setup; the stream itself runs on both engines above")
def test_a_table_kept_from_before_gets_the_templates_stream(aws, template):
    """`folio local --dynamodb-endpoint` on a table created before the stream existed turns it on."""
    from folio.local.aws import create_resources

    dynamodb = aws["dynamodb"]
    dynamodb.delete_table(TableName=aws["table"])
    props = template.resources["DocumentsTable"]["Properties"]
    keys = {k["AttributeName"] for k in props["KeySchema"]}
    dynamodb.create_table(TableName=aws["table"], KeySchema=props["KeySchema"], BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[a for a in props["AttributeDefinitions"] if a["AttributeName"] in keys])
    create_resources(template, dynamodb, aws["s3"], events=boto3.client("events"), exist_ok=True)
    stream = dynamodb.describe_table(TableName=aws["table"])["Table"]["StreamSpecification"]
    assert stream == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_a_shard_iterator_taken_before_a_rolled_back_transaction_reads_only_committed_records(aws):
    """The stream holds committed writes only (AWS): an iterator taken, then a transaction that fails
    (its first writes applied and rolled back), then a commit: the records read are the commit's, at
    the numbers the stream keeps for them (moto, patched by folio.local.aws, and DynamoDB Local)."""
    from folio.core import DocumentKey
    from folio.core.errors import ConditionFailed
    from folio.storage.clients import client
    from folio.storage.config import settings
    from folio.storage.documents import DocumentTable
    from folio.storage.keys import partition_key

    table = DocumentTable()
    key = DocumentKey("acme", "crm-document", "77")
    table.commit(key, 1, json.dumps({"body": {}}))
    endpoint = settings().endpoint_url("dynamodb")
    streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
    arn = client("dynamodb", settings()).describe_table(TableName=aws["table"])["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][-1]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ConditionFailed):  # version 1 again: the head's condition fails, the history's put is undone
        table.commit(key, 1, json.dumps({"body": {"lost": True}}))
    table.commit(key, 2, json.dumps({"body": {"kept": True}}))
    records = streams.get_records(ShardIterator=iterator)["Records"]
    mine = [r["dynamodb"] for r in records if r["dynamodb"]["Keys"]["pk"]["S"] == partition_key(key)]
    assert [(d["Keys"]["sk"]["S"], d.get("NewImage", {}).get("version", {}).get("N")) for d in mine] == [
        ("HEAD", "1"), ("V#0000000001", "1"), ("HEAD", "2"), ("V#0000000002", "2")]
    assert not any("lost" in d.get("NewImage", {}).get("record", {}).get("S", "") for d in mine)


@pytest.mark.parametrize("skew", [0.0, -3.0], ids=["same second", "deleter's clock 3 s behind"])
def test_a_delete_is_never_announced_before_the_update_it_follows(aws, announcements, skew):
    """An update at .900 and a delete 50 ms later, in one second (or from an environment whose clock
    is behind): the delete's time is after the update's, to the microsecond, so a consumer ordering
    by time never sees the erased document come back."""
    from folio.core import Caller, DocumentKey
    from folio.storage.wiring import document_service

    clock = Clock(Clock().now + timedelta(milliseconds=900))
    documents, caller = document_service(), Caller("acme", "user-1")
    documents.clock = clock
    key = DocumentKey("acme", "crm-document", "41")
    documents.create(key, {"Header": "v1"}, caller, collection="all")
    clock.advance(0.02)
    documents.update(key, lambda d: {**d.body, "Header": "v2"}, caller)
    clock.advance(0.05 + skew)
    documents.delete(key, caller)
    events = announcements.drain()
    assert [e["type"].removeprefix("folio.document.") for e in events] == ["created", "updated", "deleted"]
    created, updated, deleted = (e["time"] for e in events)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", t) for t in (created, updated, deleted))
    assert created < updated < deleted
    assert deleted == ("2026-11-24T09:00:00.970000Z" if not skew else "2026-11-24T09:00:00.920001Z")
