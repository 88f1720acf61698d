"""Erasure leaves nothing (issue 27, item 2), on both engines: a marker planted in every field and
file of a document of every dialect, in versions committed inline and through upload sessions, in
a session left open with a part in S3, and in one whose completion lost its precondition; after the
delete no item of the whole table, no S3 object version and no incomplete multipart upload's part
holds it. (Change events are checked in test_change_events: they carry no field value.)"""

from __future__ import annotations

import json

import pytest

from ..support.files import png
from ..support.uploads import completion, part_of, put_part, start_body, upload_parts
from .test_capture_handlers import API as CAPTURE, CLAIMS as CAPTURE_CLAIMS, XHR, send as capture_send
from .test_dms_handlers import BASE as DMS, send as dms_send
from .test_kyc_handlers import DOMAIN, SPEC_DOCUMENT, send as kyc_send

MARK = "ZQX7MARKER"
MIB = 1024 * 1024
LIVE = {"X-Environment": "live"}
ARTU_CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def marked_bytes(size: int, head: bytes = b"") -> bytes:
    body = (MARK.encode() * (size // len(MARK) + 1))[: size - len(head)]
    return head + body


def open_session_with_a_part(api, path, data, headers=None, claims=None, **fields):
    """A session started (its metadata marked), its first part in S3, never completed."""
    started = api.request("POST", path, json_body=start_body(data, **fields), headers=headers or {},
                          **({"claims": claims} if claims else {}))
    assert started.status == 201, started.body
    first = started.json["parts"][0]
    assert put_part(first, part_of(data, started.json, 1)).status_code == 200
    return started.json


def stored_after_a_lost_precondition(api, path, data, headers=None, claims=None, **fields):
    """A session completed with a stale If-Match: the file stays stored, nothing committed."""
    started = api.request("POST", path, json_body=start_body(data, **fields), headers=headers or {},
                          **({"claims": claims} if claims else {}))
    assert started.status == 201, started.body
    parts = upload_parts(data, started.json)
    done = api.request("POST", f"{started.headers['location']}/complete", json_body=completion(data, parts),
                       headers={**(headers or {}), "If-Match": '"99"'}, **({"claims": claims} if claims else {}))
    assert done.status == 412, done.body


def committed_through_a_session(api, path, data, headers=None, claims=None, **fields):
    started = api.request("POST", path, json_body=start_body(data, **fields), headers=headers or {},
                          **({"claims": claims} if claims else {}))
    assert started.status == 201, started.body
    parts = upload_parts(data, started.json)
    done = api.request("POST", f"{started.headers['location']}/complete", json_body=completion(data, parts),
                       headers=headers or {}, **({"claims": claims} if claims else {}))
    assert done.status in (200, 201), done.body
    return done.json


def kyc(api):
    document = {**SPEC_DOCUMENT, "number": MARK}
    image = ("%s.png" % MARK, marked_bytes(5000, png()), "image/png")
    doc_id = kyc_send(api, "POST", "/api/customer/42/document", document=document, front=image, back=image).json["id"]
    path = f"/api/customer/42/document/{doc_id}"
    assert kyc_send(api, "PUT", path, document=document, front=image).status == 200
    big = marked_bytes(6 * MIB, png())
    committed_through_a_session(api, f"{path}/back/uploads", big, headers=DOMAIN, fileName=f"{MARK}.png",
                                contentType="image/png", document=document)
    open_session_with_a_part(api, f"{path}/front/uploads", big, headers=DOMAIN, fileName=f"{MARK}.png",
                             contentType="image/png", document=document)
    stored_after_a_lost_precondition(api, f"{path}/front/uploads", big, headers=DOMAIN, fileName=f"{MARK}.png",
                                     contentType="image/png", document=document)
    # a document created through a session: its fields live in the session until it commits
    created = committed_through_a_session(api, "/api/customer/42/document/uploads", big, headers=DOMAIN,
                                          fileName=f"{MARK}.png", contentType="image/png", document=document)
    return [path, f"/api/customer/42/document/{created['id']}"], DOMAIN, None


def dms(api):
    pdf = (f"{MARK}.pdf", b"%PDF-1.4 " + MARK.encode() * 10, "application/pdf")
    created = dms_send(api, "POST", DMS, file=pdf, name=MARK, description=MARK, folderId=17)
    assert created.status == 201, created.body
    path = f"{DMS}/{created.json['id']}"
    big = marked_bytes(6 * MIB, b"%PDF-1.4 ")
    fields = {"fileName": f"{MARK}.pdf", "contentType": "application/pdf", "name": MARK, "description": MARK}
    committed_through_a_session(api, f"{path}/uploads", big, **fields)
    open_session_with_a_part(api, f"{path}/uploads", big, **fields)
    stored_after_a_lost_precondition(api, f"{path}/uploads", big, **fields)
    return [path], {}, None


def crm(api):
    created = api.request("POST", "/api/v1/Document", json_body={"Header": MARK, "Name": f"{MARK}.pdf", "OurRef": MARK},
                          headers={"Idempotency-Key": "crm-create-1"})  # its record keeps the answer
    assert created.status == 201, created.body
    path = f"/api/v1/Document/{created.json['DocumentId']}"
    patched = api.request("PATCH", path, json_body={"OurRef": f"{MARK}-2"}, headers={"Idempotency-Key": "crm-patch-1"})
    assert patched.status == 200, patched.body
    assert api.request("PUT", f"{path}/Content", body=marked_bytes(3000),
                       headers={"Content-Type": "application/pdf"}).status == 200
    big = marked_bytes(6 * MIB)
    fields = {"fileName": f"{MARK}.pdf", "contentType": "application/pdf"}
    committed_through_a_session(api, f"{path}/Content/uploads", big, **fields)
    open_session_with_a_part(api, f"{path}/Content/uploads", big, **fields)
    stored_after_a_lost_precondition(api, f"{path}/Content/uploads", big, **fields)
    return [path], {}, None


def capture(api):
    from folio.local.fixtures import seed

    seed()
    doc = api.request("POST", CAPTURE, json_body={"procedure": {"name": "Demo"}, "batch": {"name": "ep_1"}},
                      claims=CAPTURE_CLAIMS)
    assert doc.status == 201, doc.body
    attachments = f"{CAPTURE}/{doc.json['id']}/attachments"
    added = capture_send(api, "POST", attachments, attachment={"title": MARK, "comment": MARK},
                         content=(f"{MARK}.txt", marked_bytes(2000), "text/plain"))
    assert added.status == 201, added.body
    path = f"{attachments}/{added.json['id']}"
    big = marked_bytes(6 * MIB)
    fields = {"fileName": f"{MARK}.txt", "contentType": "text/plain"}
    done = committed_through_a_session(api, f"{path}/content/uploads", big, headers=XHR, claims=CAPTURE_CLAIMS,
                                       attachment={"comment": MARK, "stateToken": added.json["stateToken"]},
                                       **fields)
    open_session_with_a_part(api, f"{path}/content/uploads", big, headers=XHR, claims=CAPTURE_CLAIMS,
                             attachment={"comment": MARK, "stateToken": done["stateToken"]}, **fields)
    # a new attachment through a session, given up: an aborted session keeps none of its fields
    started = open_session_with_a_part(api, f"{attachments}/uploads", big, headers=XHR, claims=CAPTURE_CLAIMS,
                                       attachment={"comment": MARK}, **fields)
    aborted = api.request("DELETE", f"{attachments}/uploads/{started['uploadId']}", headers=XHR, claims=CAPTURE_CLAIMS)
    assert aborted.status == 204, aborted.body
    return [path], XHR, CAPTURE_CLAIMS


def artu(api):
    answer = api.request("PUT", "/documents/batch/external", headers=LIVE, json_body={"items": [
        {"clientId": ARTU_CLIENT, "externalId": "erase-me", "type": "ine", "filename": f"{MARK}.pdf"}]})
    assert answer.status == 200, answer.body
    doc_id = answer.json["data"][0]["data"]["id"]
    path = f"/documents/{doc_id}"
    big = marked_bytes(6 * MIB)
    fields = {"fileName": f"{MARK}.pdf", "contentType": "application/pdf"}
    committed_through_a_session(api, f"{path}/uploads", big, headers=LIVE, **fields)
    open_session_with_a_part(api, f"{path}/uploads", big, headers=LIVE, **fields)
    return [path], LIVE, None


def marked_items(aws) -> list[str]:
    found = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"]):
        for item in page["Items"]:
            if MARK in json.dumps(item, ensure_ascii=False):
                found.append(f"{item['pk']['S']}/{item['sk']['S']}")
    return found


def marked_objects(aws) -> list[str]:
    s3, bucket, found = aws["s3"], aws["bucket"], []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])["Body"].read()
            if MARK.encode() in body or MARK in version["Key"]:
                found.append(f"{version['Key']}@{version['VersionId']}")
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        found.append(f"incomplete upload {upload['Key']} ({upload['UploadId']})")  # its parts hold bytes
    return found


@pytest.mark.parametrize("interrupted", [False, True], ids=["delete", "delete interrupted, sweeper"])
@pytest.mark.parametrize("dialect", [kyc, dms, crm, capture, artu], ids=lambda f: f.__name__)
def test_a_delete_leaves_no_trace_of_any_field_or_file(api, aws, dialect, interrupted, monkeypatch):
    from folio.core import service
    from folio.core.errors import StorageUnavailable
    from folio.storage.wiring import document_service

    paths, headers, claims = dialect(api)
    assert marked_items(aws) and marked_objects(aws)  # planted where the test can see it
    purge = service.DocumentService.purge
    if interrupted:  # the delete marks, then its purge fails: 204, and the sweeper erases it later
        def failing(self, key):
            raise StorageUnavailable("the purge met a failure")
        monkeypatch.setattr(service.DocumentService, "purge", failing)
    for path in paths:
        gone = api.request("DELETE", path, headers=headers, **({"claims": claims} if claims else {}))
        assert gone.status == 204, gone.body
    if interrupted:
        monkeypatch.setattr(service.DocumentService, "purge", purge)
        assert marked_items(aws)  # the marked document's data is still there, every read 404
        assert len(document_service().finish_purges(0)) == len(paths)
    assert marked_items(aws) == []
    assert marked_objects(aws) == []
    if dialect is crm:  # the Idempotency-Key stays used: a retry writes nothing, and shows nothing
        again = api.request("POST", "/api/v1/Document", json_body={"Header": MARK, "Name": f"{MARK}.pdf",
                                                                    "OurRef": MARK}, headers={"Idempotency-Key": "crm-create-1"})
        assert again.status == 410 and MARK not in again.body.decode(), again.body
        assert api.request("GET", "/api/v1/Document/2").status == 404
