"""Change events as a consumer of the stack's bus sees them, in tests: a catch-all rule to a queue
of the test's own, and the publisher run on the table's stream as Lambda's event source mapping
runs it (folio local's :class:`~folio.local.streams.EventSourceMapping`, with the template's settings)."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

PUBLISHER = "PublishChangesFunction"


class Announcements:
    def __init__(self, aws: dict, template, invoke, *, retry_pause: float = 0.0):
        import boto3

        from folio.local.streams import EventSourceMapping, StreamReader

        self.sqs, events = boto3.client("sqs"), boto3.client("events")
        name = f"changes-{uuid.uuid4().hex[:8]}"
        self.queue = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bus = os.environ["EVENT_BUS_NAME"]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "folio."}]}))
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
        streams = boto3.client("dynamodbstreams", endpoint_url=aws["dynamodb_endpoint"])
        function = template.functions[PUBLISHER]
        self.mapping = EventSourceMapping(PUBLISHER, function.stream_triggers[0],
                                          StreamReader(aws["dynamodb"], streams, aws["table"]), invoke,
                                          retry_pause=retry_pause)

    def drain(self) -> list[dict[str, Any]]:
        """Run the publisher on what the stream holds now; every CloudEvent the bus delivered since the last drain."""
        self.mapping.poll()
        found: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return found
            found += [json.loads(m["Body"])["detail"] for m in messages]
            self.sqs.delete_message_batch(QueueUrl=self.queue, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])


class EventReceiver:
    """An HTTP endpoint of the test's own for `folio local --events-url`: keeps every POST it gets."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []
        lock = self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    received.append((self.headers.get("Content-Type"), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/events"
        threading.Thread(target=self._server.serve_forever, name="event-receiver", daemon=True).start()

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [event for _, event in self.received]

    def distinct(self, predicate) -> list[dict[str, Any]]:
        """The events ``predicate`` selects, each id once (delivery is at least once: a PutEvents
        call retried after its answer was lost puts its events again, with their ids)."""
        seen: dict[str, dict[str, Any]] = {}
        for event in self.events():
            if predicate(event):
                assert seen.setdefault(event["id"], event) == event, "one id, two different events"
        return list(seen.values())

    def wait_for(self, predicate, count: int, timeout: float = 60.0, settle: float = 1.0) -> list[dict[str, Any]]:
        """The distinct events ``predicate`` selects, once there are ``count`` of them (and ``settle``
        seconds later, so that one too many would show); fewer after ``timeout`` as they are."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.distinct(predicate)) < count:
            time.sleep(0.1)
        time.sleep(settle)
        return self.distinct(predicate)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_CRM, _KYC, _DMS = "/api/v1/Document/", "/api/customer/1024/document/", "/api/v2/clients/12/dms/projects/34/documents/"
_CAPTURE = "/capture/api/v1.1/documents/dcf65d45-4f53-4f82-998c-5e189de1b6a1/attachments/"
_ARTU = "/documents/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#: What each sample event (events/) announces when it runs on the data its fixture prepared: per
#: event, (type, subject as a regular expression, version, the slots of the files it changed). A
#: sample whose function reads, starts, resumes or aborts anything announces nothing.
ANNOUNCED_BY_SAMPLE: dict[str, list[tuple[str, str, int, list[str]]]] = {
    "crm_create_document.json": [("created", _CRM + "1", 1, [])],
    "crm_patch_document.json": [("updated", _CRM + "699", 2, [])],
    "crm_put_document_content.json": [("updated", _CRM + "699", 2, ["content"])],
    "crm_complete_upload.json": [("updated", _CRM + "699", 2, ["content"])],
    "crm_delete_document.json": [("deleted", _CRM + "699", 2, ["content"])],
    "kyc_create_document.json": [("created", _KYC + "1", 1, ["back", "front"])],
    "kyc_update_document.json": [("updated", _KYC + "88", 2, ["back", "front"])],
    "kyc_complete_upload.json": [("updated", _KYC + "88", 2, ["front"])],
    "kyc_delete_document.json": [("deleted", _KYC + "88", 1, ["back", "front"])],
    "dms_create_document.json": [("created", _DMS + "1", 1, ["file"])],
    "dms_upload_document_version.json": [("updated", _DMS + "501", 3, ["file"])],
    "dms_complete_upload.json": [("updated", _DMS + "501", 3, ["file"])],
    "dms_restore_document_version.json": [("restored", _DMS + "501", 3, ["file"])],
    "dms_delete_document.json": [("deleted", _DMS + "501", 2, ["file"])],
    "capture_create_document.json": [("created", f"/capture/api/v1.1/documents/{_UUID}", 1, [])],
    "capture_add_attachment.json": [("created", _CAPTURE + _UUID, 1, ["content"])],
    "capture_update_attachment.json": [("updated", _CAPTURE + "b22046ce-2c30-49b3-b734-25f62dea5403", 2, [])],
    "capture_complete_upload.json": [("updated", _CAPTURE + "5d0c3f0e-8b1e-4f67-9c2a-3a4b5c6d7e8f", 2, ["content"])],
    "capture_delete_attachment.json": [("deleted", _CAPTURE + "b22046ce-2c30-49b3-b734-25f62dea5403", 1,
                                        ["content"])],
    "artu_batch_upsert_external.json": [("created", f"/documents/{_UUID}", 1, [])] * 2,
    "artu_complete_upload.json": [("updated", _ARTU, 2, ["file"])],
    "artu_record_upload.json": [("updated", _ARTU, 2, ["file"])],
    "artu_delete_document.json": [("deleted", _ARTU, 2, ["file"])],
    "publish_changes.json": [("created", _CRM + "1", 1, []), ("updated", _CRM + "1", 2, []),
                             ("deleted", _CRM + "1", 2, [])],
}
