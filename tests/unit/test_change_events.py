"""Change events, unit level: which head moves are changes (core), the CloudEvent, the stream event
read at the edge, the publisher's stop-at-the-first-failure, the bus's PutEvents packing, and
folio local's event source mapping (partial failures, bisection, retries, giving up, filters)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from folio.core import Document, DocumentKey, FileRef
from folio.core.changes import CREATED, DELETED, RESTORED, UPDATED, HeadImage, Subject, change_between, cloud_event

KEY = DocumentKey("acme", "crm-document", "7")
T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
FRONT = FileRef("acme/crm-document/7/content", "v1", 10, "ab" * 32, "text/plain", "a.txt")
FRONT2 = FileRef("acme/crm-document/7/content", "v2", 12, None, "text/plain", "b.txt", crc64nvme="AAAAAAAAAAE=")
ACTOR = {"sub": "u1", "name": "Ada", "email": None}


def image(version, *, files=None, restored_from=None, created=T0, deleted=None, record=True):
    doc = Document(KEY, version, {"Header": f"v{version}"}, files or {}, created, created + timedelta(seconds=version),
                   ACTOR, ACTOR, restored_from=restored_from)
    return HeadImage(version, doc.to_record() if record else None, deleted, {"sub": "eraser"} if deleted else {})


SUBJECT = Subject("crm", "/api/v1/Document/7", "7")


def test_a_create_an_update_a_restore_and_a_delete_are_changes():
    created = change_between(KEY, None, image(1, files={"content": FRONT}))
    assert created.type == CREATED and created.document.version == 1 and created.changed_files == {"content": FRONT}
    updated = change_between(KEY, image(1, files={"content": FRONT}), image(2, files={"content": FRONT2}))
    assert updated.type == UPDATED and updated.previous.version == 1 and updated.changed_files == {"content": FRONT2}
    metadata = change_between(KEY, image(2, files={"content": FRONT}), image(3, files={"content": FRONT}))
    assert metadata.type == UPDATED and metadata.changed_files == {}
    restored = change_between(KEY, image(3), image(4, restored_from=1))
    assert restored.type == RESTORED and cloud_event(restored, SUBJECT)["data"]["restoredFrom"] == 1
    removed = change_between(KEY, image(4, files={"back": FRONT}), image(5))
    assert removed.changed_files == {"back": None}
    deleted = change_between(KEY, image(5, files={"content": FRONT}), image(5, record=False, deleted=1796457600))
    assert deleted.type == DELETED and deleted.document.version == 5 and deleted.actor == {"sub": "eraser"}
    assert deleted.time == T0 + timedelta(seconds=5, microseconds=1) and deleted.changed_files == {"content": FRONT}


def test_a_delete_is_timed_after_the_version_it_erases():
    """A mark to the microsecond keeps its time; one that says earlier than the version it erases (a
    mark in whole seconds from before marks had fractions, or a deleter's clock behind the writer's)
    is timed a microsecond after that version: ordering by time never puts a delete first."""
    at = (T0 + timedelta(seconds=5, microseconds=250_001)).timestamp()
    precise = change_between(KEY, image(5), image(5, record=False, deleted=at))
    assert precise.time == T0 + timedelta(seconds=5, microseconds=250_001)
    assert cloud_event(precise, SUBJECT)["time"] == "2026-12-05T08:00:05.250001Z"
    behind = change_between(KEY, image(5), image(5, record=False, deleted=T0.timestamp() + 4))
    assert behind.time == T0 + timedelta(seconds=5, microseconds=1)


def test_locks_placeholders_purges_and_rewrites_are_no_changes():
    locked = HeadImage(3, image(3).record)
    assert change_between(KEY, image(3), locked) is None  # a batch's lock taken (same version)
    assert change_between(KEY, locked, image(3)) is None  # released
    placeholder = HeadImage(0, None)
    assert change_between(KEY, None, placeholder) is None  # an atomic create's placeholder
    assert change_between(KEY, placeholder, None) is None  # rolled back
    assert change_between(KEY, placeholder, image(1)).type == CREATED  # rolled forward
    assert change_between(KEY, image(2), None) is None  # the purge removing the head
    marked = image(2, record=False, deleted=1)
    assert change_between(KEY, marked, marked) is None  # a marked head written again


def test_the_id_is_stable_per_document_creation_version_and_type():
    one = change_between(KEY, None, image(1))
    assert one.id == change_between(KEY, None, image(1)).id  # a replay: the same id
    assert one.id != change_between(KEY, None, image(1, created=T0 + timedelta(days=1))).id  # created again
    assert one.id != change_between(DocumentKey("other", KEY.kind, KEY.id), None, image(1)).id
    two = change_between(KEY, image(1), image(2))
    gone = change_between(KEY, image(2), image(2, record=False, deleted=5))
    assert len({one.id, two.id, gone.id}) == 3 and all(len(i) == 32 for i in (one.id, two.id, gone.id))


def test_the_cloud_event_has_every_attribute_cloudevents_requires():
    event = cloud_event(change_between(KEY, image(1, files={"content": FRONT}), image(2, files={"content": FRONT2})),
                        Subject("crm", "/api/v1/Document/7", "7", {"scope": "x"}))
    assert event["specversion"] == "1.0" and event["source"] == "folio.crm" and event["type"] == UPDATED
    assert event["subject"] == "/api/v1/Document/7" and event["time"] == "2026-12-05T08:00:02.000000Z"
    assert event["tenant"] == "acme" and event["datacontenttype"] == "application/json"
    assert event["data"] == {"tenant": "acme", "dialect": "crm", "documentId": "7", "scope": "x", "version": 2,
                             "etag": '"2"', "files": {"content": {"size": 12, "mediaType": "text/plain",
                                                                  "crc64nvme": "AAAAAAAAAAE="}},
                             "actor": ACTOR}
    assert "a.txt" not in json.dumps(event) and "b.txt" not in json.dumps(event)  # no file names


# ---------------------------------------------------------------- the edge and the publisher

def stream_record(number, new, old=None, sk="HEAD", pk="acme#crm-document#7"):
    def wire(img):
        if img is None:
            return None
        item = {"pk": {"S": pk}, "sk": {"S": sk}, "version": {"N": str(img.version)}}
        if img.record is not None:
            item["record"] = {"S": img.record}
        if img.deleted is not None:
            item.update(deleted={"N": str(img.deleted)}, deleted_by={"S": json.dumps(img.deleted_by)})
        return item

    body = {"SequenceNumber": str(number), "Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}
    if new is not None:
        body["NewImage"] = wire(new)
    if old is not None:
        body["OldImage"] = wire(old)
    return {"eventID": str(number), "eventName": "MODIFY" if old and new else "INSERT" if new else "REMOVE",
            "eventSource": "aws:dynamodb", "dynamodb": body}


def test_stream_records_are_read_once_at_the_edge_and_malformed_ones_left_out():
    from folio.web.stream_events import batch_failures, stream_records

    event = {"Records": [stream_record(1, image(1)), "junk", {"dynamodb": {"SequenceNumber": 5}}, {"dynamodb": None},
                         stream_record(2, image(2), image(1))]}
    records = stream_records(event)
    assert [(r.sequence_number, r.event_name, r.old_image is None) for r in records] == [("1", "INSERT", True),
                                                                                        ("2", "MODIFY", False)]
    assert stream_records({"Records": "x"}) == [] and stream_records([]) == []
    assert batch_failures(["2"]) == {"batchItemFailures": [{"itemIdentifier": "2"}]}


class FakeBus:
    def __init__(self, accept):
        self.accept, self.put = accept, []

    def publish(self, events):
        taken = events[:self.accept]
        self.put += taken
        return len(taken)


def test_the_publisher_stops_at_the_first_event_the_bus_did_not_take():
    from folio.dialects.publisher import publish_changes, subjects
    from folio.web.stream_events import stream_records

    records = stream_records({"Records": [
        stream_record(1, image(1)), stream_record(2, image(1), sk="V#0000000001"),  # history: no event
        stream_record(3, image(2), image(1)), stream_record(4, image(3), image(2))]})
    bus = FakeBus(accept=1)
    published = publish_changes(records, bus)
    assert [e["data"]["version"] for e in published.events] == [1] and published.retry_from == "3"
    assert publish_changes(records, FakeBus(accept=9)).retry_from is None
    assert "crm-document" in subjects() and "capture-config" not in subjects()  # procedures are no documents


def test_an_unreadable_record_stops_the_batch_there_after_the_ones_before_it():
    from folio.dialects.publisher import publish_changes
    from folio.web.stream_events import StreamRecord

    good = StreamRecord("1", "INSERT", {"pk": {"S": "acme#crm-document#7"}, "sk": {"S": "HEAD"}}, None,
                        {"version": {"N": "1"}, "record": {"S": image(1).record}})
    bad = StreamRecord("2", "INSERT", good.keys, None, {"version": {"N": "2"}, "record": {"S": "{not json"}})
    after = StreamRecord("3", "INSERT", good.keys, None, good.new_image)
    bus = FakeBus(accept=10)
    published = publish_changes([good, bad, after], bus)
    assert len(bus.put) == 1 and published.retry_from == "2"
    other = StreamRecord("4", "INSERT", {"pk": {"S": "folio#purges"}, "sk": {"S": "HEAD"}}, None, {})
    assert publish_changes([other], bus).retry_from is None  # no document's head: nothing


class FakeEvents:
    """PutEvents as EventBridge answers it; ``refuse`` entry numbers (over all calls) fail."""

    def __init__(self, refuse=()):
        self.calls, self.refuse, self.seen = [], set(refuse), 0

    def put_events(self, Entries):  # noqa: N803 - boto3's name
        self.calls.append(Entries)
        results = []
        for entry in Entries:
            self.seen += 1
            results.append({"ErrorCode": "InternalFailure"} if self.seen in self.refuse else {"EventId": "x"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def bus_with(monkeypatch, fake):
    from folio.storage import event_bus
    from folio.storage.config import settings

    monkeypatch.setenv("EVENT_BUS_NAME", "bus")
    monkeypatch.setattr(event_bus, "client", lambda service, cfg: fake)
    return event_bus.EventBus(settings())


def test_the_bus_puts_ten_events_a_call_and_stops_at_a_refused_one(monkeypatch):
    events = [{"id": str(n), "source": "folio.crm", "type": CREATED, "pad": "x" * 10} for n in range(25)]
    fake = FakeEvents()
    assert bus_with(monkeypatch, fake).publish(events) == 25
    assert [len(c) for c in fake.calls] == [10, 10, 5]
    assert {c["EventBusName"] for call in fake.calls for c in call} == {"bus"}
    assert json.loads(fake.calls[0][0]["Detail"]) == events[0] and fake.calls[0][0]["DetailType"] == CREATED
    refusing = FakeEvents(refuse={14})
    assert bus_with(monkeypatch, refusing).publish(events) == 13 and len(refusing.calls) == 2


def test_the_bus_packs_calls_under_256_kb(monkeypatch):
    events = [{"id": str(n), "source": "folio.crm", "type": CREATED, "pad": "x" * 100_000} for n in range(5)]
    fake = FakeEvents()
    assert bus_with(monkeypatch, fake).publish(events) == 5
    assert [len(c) for c in fake.calls] == [2, 2, 1]


def test_the_publisher_needs_its_bus_named(monkeypatch):
    from folio.storage.config import settings
    from folio.storage.event_bus import EventBus

    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    with pytest.raises(RuntimeError, match="EVENT_BUS_NAME"):
        EventBus(settings())


# ---------------------------------------------------------------- folio local's event source mapping

class FakeReader:
    def __init__(self, records):
        self.records = records

    def read(self):
        records, self.records = self.records, []
        return records


def mapping(records, invoke, **settings):
    from folio.local.streams import EventSourceMapping
    from folio.local.template import StreamTrigger

    trigger = StreamTrigger(**{"table": "DocumentsTable", "batch_size": 4, "maximum_retry_attempts": 2,
                               "bisect_on_error": True, "report_batch_item_failures": True, **settings})
    return EventSourceMapping("Fn", trigger, FakeReader(records), invoke, retry_pause=0)


def records_of(n, sk="HEAD"):
    return [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(i), "Keys": {"sk": {"S": sk}}}}
            for i in range(1, n + 1)]


def test_the_mapping_sends_again_from_the_first_failed_record():
    seen, fail = [], {"3": 1}

    def invoke(_, event):
        numbers = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        seen.append(numbers)
        failed = [n for n in numbers if fail.get(n)]
        for n in failed:
            fail[n] -= 1
        return {"batchItemFailures": [{"itemIdentifier": n} for n in failed]}

    esm = mapping(records_of(6), invoke)
    assert esm.poll() == 6
    assert seen == [["1", "2", "3", "4"], ["3", "4"], ["5", "6"]] and esm.failures == []


def test_a_function_error_bisects_and_a_poison_record_is_given_up_on_alone():
    seen = []

    def invoke(_, event):
        numbers = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        seen.append(numbers)
        return {"errorType": "Boom"} if "2" in numbers else {"batchItemFailures": []}

    esm = mapping(records_of(4), invoke)
    esm.poll()
    assert seen[0] == ["1", "2", "3", "4"] and ["1"] in seen and ["3", "4"] in seen
    [failure] = esm.failures
    assert (failure.first_sequence_number, failure.batch_size, failure.attempts) == ("2", 1, 3)


def test_a_failure_naming_no_record_of_the_batch_fails_it_whole_and_filters_drop_records_unseen():
    seen = []

    def invoke(_, event):
        seen.append(len(event["Records"]))
        return {"batchItemFailures": [{"itemIdentifier": "nope"}]}

    esm = mapping(records_of(2), invoke, bisect_on_error=False,
                  filters=('{"dynamodb": {"Keys": {"sk": {"S": ["HEAD"]}}}}',))
    esm.reader.records += records_of(3, sk="V#1")
    assert esm.poll() == 2
    assert seen == [2, 2, 2] and esm.failures[0].attempts == 3


def test_a_poison_record_is_isolated_by_the_templates_mapping_and_every_other_record_announced():
    """With the template's own trigger (partial-batch failures, bisection, retries): the publisher, on
    7 records of which the second cannot be read, announces the 6 others; only that one is given up."""
    from pathlib import Path

    from folio.dialects.publisher import publish_changes
    from folio.local.streams import EventSourceMapping
    from folio.local.template import Template
    from folio.web.stream_events import batch_failures, stream_records

    template = Template(Path(__file__).resolve().parents[2] / "template.yaml")
    trigger = template.functions["PublishChangesFunction"].stream_triggers[0]
    keys = [f"acme#crm-document#{n}" for n in range(1, 8)]
    records = [stream_record(n, image(1), pk=pk) for n, pk in enumerate(keys, start=1)]
    records[1]["dynamodb"]["NewImage"]["record"] = {"S": "{broken"}
    bus = FakeBus(accept=100)

    def invoke(_, event):  # the function as Lambda runs it: an exception is a function error
        try:
            published = publish_changes(stream_records(event), bus)
        except Exception as error:  # noqa: BLE001
            return {"errorType": type(error).__name__}
        return batch_failures([published.retry_from] if published.retry_from else [])

    esm = EventSourceMapping("PublishChangesFunction", trigger, FakeReader(records), invoke, retry_pause=0)
    esm.poll()
    assert sorted({e["subject"] for e in bus.put}) == [f"/api/v1/Document/{n}" for n in (1, 3, 4, 5, 6, 7)]
    assert [(f.first_sequence_number, f.last_sequence_number) for f in esm.failures] == [("2", "2")]


def test_folio_local_keeps_delivering_when_the_receiver_answers_garbage(tmp_path):
    import io
    import socket
    import threading

    from folio.local.event_delivery import EventDelivery

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer_garbage():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.sendall(b"garbage\r\n\r\n")
            conn.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    out = io.StringIO()
    delivery = EventDelivery(f"http://127.0.0.1:{listener.getsockname()[1]}/", out=out)
    for n in range(3):
        delivery("bus", "folio.crm", CREATED, json.dumps({"id": str(n)}))
    delivery.stop()
    listener.close()
    assert [line.split(" ", 2)[2] for line in out.getvalue().splitlines()] == ['{"id":"0"}', '{"id":"1"}', '{"id":"2"}']


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://localhost:abc/", "ftp://x/", "nohost"])
def test_events_url_must_be_http(url, capsys):
    from folio.local.cli import main

    with pytest.raises(SystemExit):
        main(["local", "--events-url", url])
    assert "is not an http(s) URL" in capsys.readouterr().err


def test_an_on_failure_message_names_its_batch_or_is_refused(tmp_path, capsys):
    from folio.local.cli import main
    from folio.web.stream_events import failed_batch

    info = {"shardId": "shardId-1", "startSequenceNumber": "100", "endSequenceNumber": "140", "batchSize": 3,
            "streamArn": "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"}
    batch = failed_batch({"version": "1.0", "DDBStreamBatchInfo": info})
    assert (batch.shard_id, batch.first, batch.last, batch.size) == ("shardId-1", "100", "140", 3)
    for junk in ({}, {"DDBStreamBatchInfo": {**info, "shardId": ""}}, [], "x"):
        with pytest.raises(ValueError):
            failed_batch(junk)
    bad = tmp_path / "message.json"
    bad.write_text('{"Body": "{\\"not\\": 1}"}')
    with pytest.raises(SystemExit) as exit_:
        main(["replay-changes", "--failure", str(bad), "--bus", "b"])
    assert "not an on-failure message" in str(exit_.value)
