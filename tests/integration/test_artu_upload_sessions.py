"""artu's upload sessions on moto: a document's file of any size, recorded as a presigned upload's is."""

import importlib.util
import os

import pytest
import requests

from ..conftest import DEFAULT_CLAIMS, ROOT
from ..support.uploads import completion, crc64nvme_b64, start_body, upload_parts
from .test_artu_handlers import CLIENT, LIVE, SPEC_ITEM, arrive, batch

pytestmark = pytest.mark.moto_only(
    reason="the artu mapping of upload sessions; the session's conditional writes run on both engines in "
           "test_upload_sessions.py, test_upload_session_races.py and test_faults.py")

MIB = 1024 * 1024


@pytest.fixture
def document(api):
    answer = batch(api, [SPEC_ITEM])
    assert answer.status == 200, answer.body
    return answer.json["data"][0]["data"]["id"]


def start(api, doc_id, data, headers=LIVE, **fields):
    body = start_body(data, fileName="ine-front-600dpi.jpg", contentType="image/jpeg", **fields)
    return api.request("POST", f"/documents/{doc_id}/uploads", json_body=body, headers=headers)


def complete(api, doc_id, session, data, parts, headers=LIVE):
    return api.request("POST", f"/documents/{doc_id}/uploads/{session['uploadId']}/complete",
                       json_body=completion(data, parts), headers=headers)


def stored(doc_id):
    from folio.dialects.artu.operations import find_by_id

    return find_by_id("acme", "live", doc_id)


def test_a_session_records_the_file_as_the_presigned_upload_does(api, aws, document):
    data = b"\xff\xd8\xff\xe0" + os.urandom(9 * MIB)
    started = start(api, document, data)
    assert started.status == 201, started.body
    session = started.json
    assert session["partCount"] == 2 and started.headers["location"] == f"/documents/{document}/uploads/" \
                                                                        f"{session['uploadId']}"
    parts = upload_parts(data, session)
    resumed = api.request("GET", f"/documents/{document}/uploads/{session['uploadId']}", headers=LIVE)
    assert resumed.status == 200 and resumed.json["parts"] == []
    assert [p["partNumber"] for p in resumed.json["partsReceived"]] == [1, 2]

    done = complete(api, document, session, data, parts)
    assert done.status == 200, done.body
    doc = done.json["data"]
    assert (doc["status"], doc["filename"], doc["contentType"], doc["size"], doc["rejectionReason"]) == (
        "uploaded", "ine-front-600dpi.jpg", "image/jpeg", len(data), None)
    assert done.headers["etag"] == '"2"'
    assert api.request("GET", f"/documents/{document}", headers=LIVE).json["data"] == doc

    recorded = stored(document)
    ref = recorded.files["file"]
    assert (ref.sha256, ref.crc64nvme, ref.size) == (None, crc64nvme_b64(data), len(data))
    assert (recorded.body["crc64nvme"], recorded.body["sha256"]) == (crc64nvme_b64(data), None)
    # its own key, by id: never the presigned upload's (which S3 events record)
    assert ref.key == f"acme/artu-live/{document}/file" and not ref.key.endswith("/artu-upload")
    assert aws["s3"].get_object(Bucket=aws["bucket"], Key=ref.key, VersionId=ref.version_id)["Body"].read() == data
    listing = aws["s3"].list_object_versions(Bucket=aws["bucket"])["Versions"]
    assert [(v["Key"], v["VersionId"]) for v in listing] == [(ref.key, ref.version_id)]

    again = complete(api, document, session, data, parts)
    assert (again.status, again.headers["etag"], again.json["data"]) == (200, '"2"', doc)  # the committed version
    assert stored(document).version == 2
    served = api.request("GET", f"/documents/{document}/file", headers=LIVE)
    assert served.status == 302, served.status  # above the inline threshold: S3 serves it
    assert requests.get(served.headers["location"], timeout=30).content == data


def test_the_files_facts_stay_and_a_presigned_upload_replaces_the_file(api, aws, document):
    """has_file holds for a session's file (its crc64nvme); a later presigned upload replaces it as usual."""
    data = os.urandom(1000)
    session = start(api, document, data).json
    assert complete(api, document, session, data, upload_parts(data, session)).status == 200
    later = batch(api, [{**SPEC_ITEM, "filename": "forged.exe", "size": 1, "type": "passport"}])
    answered = later.json["data"][0]["data"]
    assert (answered["filename"], answered["size"], answered["type"]) == ("ine-front-600dpi.jpg", 1000, "passport")

    event = {"ETag": '"x"', "VersionId": stored(document).files["file"].version_id}
    session_key = stored(document).files["file"].key
    assert arrive_at(api, aws, session_key, event) == {"recorded": 0}  # S3 events never record a session's object

    key = f"acme/artu-live/{document}/artu-upload"
    put = aws["s3"].put_object(Bucket=aws["bucket"], Key=key, Body=b"\xff\xd8\xff" + b"p" * 50, ContentType="image/jpeg")
    assert arrive(api, aws, document, put) == {"recorded": 1}
    replaced = stored(document)
    assert replaced.files["file"].key == key and replaced.body["size"] == 53
    assert replaced.body["sha256"] and replaced.body["crc64nvme"] is None


def arrive_at(api, aws, key, put):
    from folio.local.events import build_s3_event

    event = build_s3_event(bucket=aws["bucket"], key=key, size=1, etag="x", version_id=put["VersionId"], sequencer="09")
    return api.runtime.invoke("ArtuRecordUploadFunction", event)


def test_the_file_sweeper_keeps_a_sessions_committed_file(api, aws, document):
    from .test_file_sweep import sweeper

    spec = importlib.util.spec_from_file_location("sweep_files_app", ROOT / "functions/sweep_files/app.py")
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    data = os.urandom(2000)
    session = start(api, document, data).json
    assert complete(api, document, session, data, upload_parts(data, session)).status == 200
    ref = stored(document).files["file"]
    stray = aws["s3"].put_object(Bucket=aws["bucket"], Key=ref.key, Body=b"never committed")["VersionId"]
    report = sweeper(hours_from_now=100, aliases=[app.artu_upload_alias]).sweep()
    assert report.removed == [(ref.key, stray)]
    assert aws["s3"].head_object(Bucket=aws["bucket"], Key=ref.key, VersionId=ref.version_id)["ContentLength"] == 2000


@pytest.mark.parametrize("precondition", [{"If-Match": '"1"'}, {"If-Unmodified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}])
def test_a_stale_precondition_records_nothing_and_a_fresh_one_completes(api, aws, document, precondition):
    data = os.urandom(MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    assert batch(api, [{**SPEC_ITEM, "type": "passport"}]).status == 200  # the document moves on: version 2
    stale = complete(api, document, session, data, parts, headers={**LIVE, **precondition})
    assert stale.status == 412, stale.body
    assert stale.headers["content-type"] == "application/problem+json"
    assert (stored(document).version, stored(document).body["status"]) == (2, "pending_upload")
    assert api.request("GET", f"/documents/{document}/file", headers=LIVE).status == 404
    fresh = complete(api, document, session, data, parts, headers={**LIVE, "If-Match": '"2"'})
    assert fresh.status == 200, fresh.body
    assert fresh.json["data"]["status"] == "uploaded" and fresh.headers["etag"] == '"3"'


@pytest.mark.parametrize("mangle", [
    lambda parts: parts[:1],  # a part missing
    lambda parts: list(reversed(parts)),  # out of order
    lambda parts: [{**parts[0], "etag": '"' + "0" * 32 + '"'}] + parts[1:],  # a wrong etag
    lambda parts: [],
])
def test_a_wrong_part_list_records_nothing(api, aws, document, mangle):
    data = os.urandom(9 * MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    answer = complete(api, document, session, data, mangle(parts))
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert stored(document).version == 1 and "file" not in stored(document).files
    assert complete(api, document, session, data, parts).status == 200  # the session stays open


def test_a_completion_after_an_abort_is_refused(api, aws, document):
    data = os.urandom(6 * MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    one = f"/documents/{document}/uploads/{session['uploadId']}"
    assert api.request("DELETE", one, headers=LIVE).status == 204
    answer = complete(api, document, session, data, parts)
    assert answer.status == 409 and answer.headers["content-type"] == "application/problem+json", answer.body
    assert api.request("DELETE", one, headers=LIVE).status == 404
    assert aws["s3"].list_object_versions(Bucket=aws["bucket"]).get("Versions", []) == []
    assert stored(document).body["status"] == "pending_upload"


def test_sessions_of_another_tenant_environment_or_document_are_not_found(api, aws, document):
    data = os.urandom(1000)
    session = start(api, document, data).json
    one = f"uploads/{session['uploadId']}"
    other_doc = batch(api, [{**SPEC_ITEM, "externalId": "ine-0002"}]).json["data"][0]["data"]["id"]
    assert api.request("GET", f"/documents/{document}/{one}", headers=LIVE).status == 200
    assert api.request("GET", f"/documents/{document}/{one}", headers=LIVE,
                       claims={**DEFAULT_CLAIMS, "tenant": "globex"}).status == 404
    assert api.request("GET", f"/documents/{document}/{one}", headers={"X-Environment": "test"}).status == 404
    assert api.request("GET", f"/documents/{other_doc}/{one}", headers=LIVE).status == 404
    assert api.request("GET", f"/documents/not-a-uuid/{one}", headers=LIVE).status == 404
    assert api.request("DELETE", f"/documents/{other_doc}/{one}", headers=LIVE).status == 404
    assert complete(api, other_doc, session, data, [{"partNumber": 1, "etag": '"x"'}]).status == 404
    assert api.request("GET", f"/documents/{document}/{one}").status == 400  # no X-Environment
    assert start(api, document, data, headers={"X-Environment": "test"}).status == 404  # the document is live
    assert start(api, document, data, headers={}).status == 400
    assert start(api, "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", data).status == 404
    assert api.request("POST", f"/documents/{document}/uploads", headers=LIVE, json_body=start_body(data),
                       claims={**DEFAULT_CLAIMS, "tenant": "globex"}).status == 404


def test_above_the_maximum_is_413_and_the_presigned_post_shares_a_lower_maximum(api, aws, document, monkeypatch):
    body = {"contentType": "image/jpeg", "size": 6 * 1024**3, "partChecksums": ["J9LsBYHJrEg="]}
    answer = api.request("POST", f"/documents/{document}/uploads", json_body=body, headers=LIVE)
    assert answer.status == 413 and answer.headers["content-type"] == "application/problem+json", answer.body
    monkeypatch.setenv("ARTU_MAX_UPLOAD_BYTES", "5000")
    data = os.urandom(5001)
    assert start(api, document, data).status == 413
    assert start(api, document, data[:5000]).status == 201
    ticket = api.request("POST", f"/documents/{document}/upload-url", headers=LIVE).json
    assert ticket["maxSize"] == 5000
    assert api.request("POST", f"/documents/{document}/upload-url", headers=LIVE, json_body={"size": 5001}).status == 400
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) != []


@pytest.mark.parametrize("body", [
    {"contentType": "image/jpeg", "size": 10},  # no partChecksums
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["not base64!"]},
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["J9LsBYHJrEg=", "J9LsBYHJrEg="]},
    {"contentType": "not a type", "size": 10, "partChecksums": ["J9LsBYHJrEg="]},
    {"contentType": "image/" + "x" * 300, "size": 10, "partChecksums": ["J9LsBYHJrEg="]},
    {"contentType": "image/jpeg", "size": 0, "partChecksums": ["J9LsBYHJrEg="]},
    {"contentType": "image/jpeg", "size": "10", "partChecksums": ["J9LsBYHJrEg="]},
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "fileName": "a/b.jpg"},
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "fileName": "é" * 200},
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "fileName": ""},
    {"contentType": "image/jpeg", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "filename": "upload-url's name"},
    {"contentType": "image/jpeg", "size": 10 * MIB, "partSize": MIB, "partChecksums": ["J9LsBYHJrEg="] * 10},
    [1, 2],
])
def test_bad_starts_are_400_and_open_nothing(api, aws, document, body):
    answer = api.request("POST", f"/documents/{document}/uploads", json_body=body, headers=LIVE)
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_a_start_that_is_no_json_is_415(api, aws, document):
    answer = api.request("POST", f"/documents/{document}/uploads", body=b"size=10", headers={
        **LIVE, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 415, answer.body


def test_the_client_id_is_kept(api, aws, document):
    data = os.urandom(100)
    session = start(api, document, data).json
    doc = complete(api, document, session, data, upload_parts(data, session)).json["data"]
    assert doc["clientId"] == CLIENT and doc["externalId"] == SPEC_ITEM["externalId"] and doc["id"] == document
