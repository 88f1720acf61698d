"""Fault injection: every write operation x every AWS call it makes x (throttling, 500, timeout,
crash right after the call). The caller gets a retryable 5xx in its dialect's format, the stored
state is entirely the old or the new (head, history, S3 version and SHA-256 agree; no lock, no
intent after recovery), and a retry of the same request succeeds."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from requests_toolbelt import MultipartEncoder

from ..conftest import DEFAULT_CLAIMS
from ..support.files import JPEG, png
from ..support.uploads import crc64nvme_b64

CLAIMS = {**DEFAULT_CLAIMS, "folio:steps": "[*]"}
CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
KINDS = ("throttling", "server-error", "timeout", "crash")


class Crash(BaseException):
    """The function dies right after an AWS call: nothing after it runs."""


def multipart(fields):
    encoder = MultipartEncoder(fields=fields)
    return {"body": encoder.to_string(), "headers": {"Content-Type": encoder.content_type}}


@dataclass
class Operation:
    name: str
    setup: Callable[[Any], dict]  # prepares what the request needs; returns request kwargs
    ok: tuple[int, ...]
    dms: bool = False  # the dms error body instead of problem+json
    guarded: bool = False  # carries a precondition: a retry after a committed crash may be 412
    max_actions: int = 100
    per_item: bool = False  # artu atomic: false - a failure is one item's error entry, the others apply
    event: bool = False  # not an HTTP request: an S3 event delivered to the function


@dataclass
class EventAnswer:
    """An S3-event invocation's outcome in the shape the matrix checks (503: Lambda will retry it)."""

    status: int
    body: Any
    headers: dict

    @property
    def json(self):
        return self.body


def call(api, operation: Operation, request: dict, claims) -> Any:
    if not operation.event:
        return api.request(**request, claims=claims)
    result = api.runtime.invoke(request["function"], request["event"])
    if "errorType" in result:
        return EventAnswer(503 if result["errorType"] == "StorageUnavailable" else 500, result, {})
    return EventAnswer(200, result, {})


def _upload_event(api):
    """An artu document and an object uploaded for it (outside folio's clients), and its S3 event."""
    import boto3

    from folio.storage.config import settings
    from folio.local.events import build_s3_event

    doc = api.request(**artu(1), claims=CLAIMS).json["data"][0]["data"]
    key = f"acme/artu-live/{doc['id']}/artu-upload"
    s3 = boto3.client("s3", region_name="us-east-1")
    put = s3.put_object(Bucket=settings().bucket_name, Key=key, Body=b"\xff\xd8\xff upload", ContentType="image/jpeg")
    return {"function": "ArtuRecordUploadFunction",
            "event": build_s3_event(bucket=settings().bucket_name, key=key, size=10, etag=put["ETag"].strip('"'),
                                    version_id=put["VersionId"], sequencer="00000000000000A1")}


def _crm_doc(api):
    return api.request("POST", "/api/v1/Document", json_body={"Header": "old"}).json["DocumentId"]


def _kyc_doc(api):
    form = multipart({"document": '{"type": "PASSPORT"}', "front": ("f.png", png(), "image/png")})
    return api.request("POST", "/api/customer/5/document", body=form["body"],
                       headers={**form["headers"], "X-Domain-ID": "1"}).json["id"]


def _capture(api):
    doc = api.request("POST", "/capture/api/v1.1/documents", json_body={"procedure": {"name": "Demo"}},
                      claims=CLAIMS).json["id"]
    form = multipart({"attachment": (None, '{"title": "old"}', "application/json"),
                      "content": ("a.txt", b"old content", "text/plain")})
    att = api.request("POST", f"/capture/api/v1.1/documents/{doc}/attachments", body=form["body"],
                      headers=form["headers"], claims=CLAIMS).json
    return doc, att


def _dms_doc(api):
    form = multipart({"file": ("v1.txt", b"version 1", "text/plain")})
    return api.request("POST", "/api/v2/clients/1/dms/projects/1/documents", body=form["body"],
                       headers=form["headers"]).json["id"]


def _kyc_session_completion(api):
    """A kyc document, and an upload session for its front whose one part is in S3 (sent by the
    client, not by folio): the request completing it."""
    from ..support.uploads import completion, start_body, upload_parts

    doc = _kyc_doc(api)
    data = png(4, 4) + b"session bytes" * 100
    path = f"/api/customer/5/document/{doc}/front/uploads"
    session = api.request("POST", path, json_body=start_body(data, contentType="image/png"),
                          headers={"X-Domain-ID": "1"}).json
    parts = upload_parts(data, session)
    return {"method": "POST", "path": f"{path}/{session['uploadId']}/complete", "json_body": completion(data, parts),
            "headers": {"X-Domain-ID": "1"}}


def kyc_form():
    return multipart({"document": '{"type": "PASSPORT", "number": "N1"}', "front": ("f.png", png(4, 4), "image/png"),
                      "back": ("b.jpg", JPEG, "image/jpeg")})


def form_request(method, path, form, **headers):
    return {"method": method, "path": path, "body": form["body"], "headers": {**form["headers"], **headers}}


def artu(n, atomic=True):
    return {"method": "PUT", "path": "/documents/batch/external", "headers": {"X-Environment": "live"},
            "json_body": {"atomic": atomic, "items": [{"clientId": CLIENT, "externalId": f"e{i}", "type": "new"}
                                                        for i in range(n)]}}


def _seed_artu(api, n):
    body = artu(n)
    body["json_body"]["items"] = [dict(i, type="old") for i in body["json_body"]["items"][: n // 2]]
    assert api.request(**body).status == 200


OPERATIONS = [
    Operation("crm create", lambda api: {"method": "POST", "path": "/api/v1/Document", "json_body": {"Header": "new"}},
              (201,)),
    Operation("crm patch", lambda api: {"method": "PATCH", "path": f"/api/v1/Document/{_crm_doc(api)}",
                                        "json_body": {"Header": "new"}}, (200,)),
    Operation("kyc create", lambda api: form_request("POST", "/api/customer/5/document", kyc_form(),
                                                     **{"X-Domain-ID": "1"}), (201,)),
    Operation("kyc update", lambda api: form_request("PUT", f"/api/customer/5/document/{_kyc_doc(api)}", kyc_form(),
                                                     **{"X-Domain-ID": "1"}), (200,)),
    Operation("kyc upload session completion", _kyc_session_completion, (200,)),
    Operation("capture create document", lambda api: {"method": "POST", "path": "/capture/api/v1.1/documents",
                                                      "json_body": {"procedure": {"name": "Demo"}}}, (201,)),
    Operation("capture add attachment", lambda api: (lambda doc, form: {
        "method": "POST", "path": f"/capture/api/v1.1/documents/{doc}/attachments", "body": form["body"],
        "headers": form["headers"]})(_capture(api)[0], multipart({
            "attachment": (None, '{"title": "new"}', "application/json"),
            "content": ("n.txt", b"new content", "text/plain")})), (201,)),
    Operation("capture update attachment", lambda api: (lambda da: form_request(
        "PUT", f"/capture/api/v1.1/documents/{da[0]}/attachments/{da[1]['id']}", multipart({
            "attachment": (None, json.dumps({"title": "new", "stateToken": da[1]["stateToken"]}), "application/json"),
            "content": ("n.txt", b"new content", "text/plain")}), **{"X-Requested-With": "XMLHttpRequest"}))(
        _capture(api)), (200,), guarded=True),
    Operation("dms create", lambda api: (lambda form: {
        "method": "POST", "path": "/api/v2/clients/1/dms/projects/1/documents", "body": form["body"],
        "headers": form["headers"]})(multipart({"file": ("n.txt", b"new", "text/plain")})), (201,), dms=True),
    Operation("dms upload version", lambda api: (lambda doc, form: {
        "method": "PUT", "path": f"/api/v2/clients/1/dms/projects/1/documents/{doc}", "body": form["body"],
        "headers": form["headers"]})(_dms_doc(api), multipart({"file": ("v2.txt", b"version 2", "text/plain")})),
        (201,), dms=True),
    Operation("artu item-by-item batch", lambda api: (_seed_artu(api, 4), artu(4, atomic=False))[1], (200,),
              per_item=True),
    Operation("artu record upload (S3 event)", _upload_event, (200,), event=True),
    Operation("artu atomic batch (one transaction)", lambda api: (_seed_artu(api, 10), artu(10))[1], (200,)),
    # with transactions capped at 10 actions (FOLIO_MAX_TRANSACTION_ACTIONS), 8 items need the protocol
    Operation("artu atomic batch (intent + locks)", lambda api: (_seed_artu(api, 8), artu(8))[1], (200,),
              max_actions=10),
]


class Injector:
    """botocore hooks on folio's own clients: count every AWS call, fail the n-th one."""

    def __init__(self):
        from folio.storage.clients import client
        from folio.storage.config import settings

        self.clients = [client("dynamodb", settings()), client("s3", settings())]
        self.lock = threading.Lock()
        self.calls: list[str] = []
        self.target: int | None = None
        self.kind: str | None = None
        self.dead = False
        for client in self.clients:
            client.meta.events.register("before-call", self.before)
            client.meta.events.register("after-call", self.after)

    def arm(self, target: int | None, kind: str | None):
        with self.lock:
            self.calls, self.target, self.kind, self.dead = [], target, kind, False

    def before(self, model, **kwargs):
        with self.lock:
            if self.dead:
                raise Crash("the function is dead")
            self.calls.append(model.name)
            index = len(self.calls)
            hit = index == self.target and self.kind != "crash"
        if hit:
            if self.kind == "timeout":
                raise ReadTimeoutError(endpoint_url="https://aws.example")
            code, status = {"throttling": ("ThrottlingException", 400), "server-error": ("InternalServerError", 500)}[self.kind]
            raise ClientError({"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                              model.name)

    def after(self, model, **kwargs):
        with self.lock:
            if self.kind == "crash" and len(self.calls) == self.target and not self.dead:
                self.dead = True
                raise Crash(f"killed right after call {self.target} ({model.name})")

    def close(self):
        for client in self.clients:
            client.meta.events.unregister("before-call", self.before)
            client.meta.events.unregister("after-call", self.after)


def consistent_state(aws) -> dict[str, int]:
    """Every head has its history, no lock or placeholder or intent, and every file it points at is
    there with the recorded SHA-256. Returns the version of every head."""
    items = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items.extend(page["Items"])
    by_key = {(i["pk"]["S"], i["sk"]["S"]): i for i in items}
    versions = {}
    for (pk, sk), item in by_key.items():
        assert not pk.startswith("folio#batch-intents"), f"an intent remains: {sk}"
        if sk != "HEAD":
            continue
        assert "txlock" not in item and "record" in item, f"{pk} is locked or a placeholder"
        version = int(item["version"]["N"])
        history = by_key.get((pk, f"V#{version:010d}"))
        assert history is not None and history["record"]["S"] == item["record"]["S"], f"{pk} v{version} has no history"
        for ref in json.loads(item["record"]["S"]).get("files", {}).values():
            data = aws["s3"].get_object(Bucket=aws["bucket"], Key=ref["key"], VersionId=ref["version_id"])["Body"].read()
            if ref["sha256"] is None:  # an upload session's file: S3 verified its CRC64NVME
                assert crc64nvme_b64(data) == ref["crc64nvme"] and len(data) == ref["size"], ref["key"]
                continue
            assert hashlib.sha256(data).hexdigest() == ref["sha256"] and len(data) == ref["size"], ref["key"]
        versions[pk] = version
    return versions


def recover(clock_shift=timedelta(minutes=10)):
    """What the sweeper does once a dead writer's batch is stale."""
    from folio.core.batches import BatchService
    from folio.core import utcnow
    from folio.storage.wiring import batch_service

    service = batch_service()
    BatchService(service.table, clock=lambda: utcnow() + clock_shift).sweep()


def expect_retryable(operation: Operation, answer, kind: str):
    if operation.event:
        assert answer.status in (503, 500), answer.body  # the invocation fails: Lambda retries the event
        return
    if kind == "crash":
        assert answer.status == 500, answer.body  # the function died: API Gateway answers 500
        return
    assert answer.status == 503, (answer.status, answer.body)
    assert answer.headers.get("retry-after") == "1"
    body = answer.json
    if operation.dms:
        assert body["status"] == "error" and body["code"] == 503
    else:
        assert answer.headers["content-type"] == "application/problem+json" and body["status"] == 503


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_every_aws_call_of_every_write_can_fail(api, aws, operation, kind, monkeypatch):
    from folio.local.fixtures import seed

    seed()
    monkeypatch.setenv("FOLIO_MAX_WRITE_ATTEMPTS", "3")
    # a retry comes after a dead completion's claim lapsed (longer than a function may run)
    monkeypatch.setattr("folio.core.uploads.CLAIM_SECONDS", -1)
    monkeypatch.setenv("FOLIO_MAX_TRANSACTION_ACTIONS", str(operation.max_actions))
    claims = CLAIMS
    injector = Injector()
    try:
        request = operation.setup(api)
        injector.arm(None, None)
        baseline = call(api, operation, request, claims)  # a clean run counts the calls
        assert baseline.status in operation.ok, baseline.body
        calls = list(injector.calls)
        assert calls, "the operation made no AWS call"
        for target in range(1, len(calls) + 1):
            request = operation.setup(api)
            before = consistent_state(aws)
            injector.arm(target, kind)
            try:
                answer = call(api, operation, request, claims)
            except Crash:
                answer = None
            injector.arm(None, None)
            failed = answer is None or answer.status not in operation.ok
            if answer is not None and failed:
                expect_retryable(operation, answer, kind)
            if operation.per_item and not failed:
                errors = [e["error"] for e in answer.json["data"] if "error" in e]
                assert all(e["status"] in (503, 500) for e in errors), errors  # only the hit item, retryable
                failed = bool(errors)
            recover()
            after = consistent_state(aws)
            changed = {pk for pk in after if before.get(pk) != after[pk]}
            for pk in changed:
                assert after[pk] == before.get(pk, 0) + 1, f"{operation.name}: {pk} skipped a version"
            if failed and kind != "crash" and not operation.per_item:
                assert not changed, f"{operation.name}: failed call {target} ({calls[target - 1]}) changed {changed}"
            retry = call(api, operation, request, claims)
            if operation.guarded and changed:
                assert retry.status == 412  # the crashed request had committed: its token is stale now
            else:
                assert retry.status in operation.ok, (operation.name, target, retry.status, retry.body)
            consistent_state(aws)
        MATRIX.append((aws["engine"], operation.name, kind, len(calls)))
    finally:
        injector.close()


MATRIX: list[tuple[str, str, str, int]] = []


def test_print_the_size_of_the_fault_matrix():
    """Runs after the matrix (pytest keeps file order): operations x calls x fault kinds, per engine."""
    from ..conftest import ENGINES

    if len(MATRIX) < len(OPERATIONS) * len(KINDS) * len(ENGINES):
        pytest.skip("only part of the matrix ran in this session")
    for engine in ENGINES:
        ran = [(name, kind, calls) for e, name, kind, calls in MATRIX if e == engine]
        cases = sum(calls for _, _, calls in ran)
        operations = len({name for name, _, _ in ran})
        per_operation = {name: calls for name, _, calls in ran}
        print(f"\nfault matrix on {engine}: {operations} write operations, {cases // len(KINDS)} AWS calls, "
              f"{len(KINDS)} fault kinds = {cases} injected failures; calls per operation: {per_operation}")
        assert operations == len(OPERATIONS)
