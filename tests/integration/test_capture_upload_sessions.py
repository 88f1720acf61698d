"""capture's upload sessions (DESIGN §9) through the handlers: an attachment added, or its content
replaced under its stateToken, with the file sent in parts to presigned S3 URLs; and what each
route refuses."""

import json
import os

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.uploads import completion, start_body, upload_parts
from .test_capture_handlers import API, CLAIMS, XHR, attachment, capture_api, document, update, url  # noqa: F401

pytestmark = pytest.mark.moto_only(
    reason="the capture mapping of upload sessions; the session's conditional writes run on both engines in "
           "test_upload_sessions.py, test_upload_session_races.py and test_faults.py")

MIB = 1024 * 1024
API_V1 = "/capture/api/v1/documents"


def start(api, path, data, *, headers=XHR, claims=CLAIMS, **fields):
    body = start_body(data, fileName="scan.pdf", contentType="application/pdf", **fields)
    return api.request("POST", path + "/uploads", json_body=body, headers=headers, claims=claims)


def complete(api, one, data, parts, *, headers=XHR, claims=CLAIMS, **extra):
    return api.request("POST", one + "/complete", json_body=completion(data, parts, **extra), headers=headers,
                       claims=claims)


def versions(aws):
    return aws["s3"].list_object_versions(Bucket=aws["bucket"]).get("Versions", [])


def stored_bytes(aws, key, version_id):
    return aws["s3"].get_object(Bucket=aws["bucket"], Key=key, VersionId=version_id)["Body"].read()


def test_an_attachment_added_through_a_session_holds_the_exact_bytes(capture_api, document, aws):
    data = os.urandom(9 * MIB)
    collection = f"{API}/{document['id']}/attachments"
    started = start(capture_api, collection, data, attachment={"type": {"name": "Receipt"}, "comment": "big"})
    assert started.status == 201, started.body
    session = started.json
    assert session["partCount"] == 2 and started.headers["location"] == f"{collection}/uploads/{session['uploadId']}"
    parts = upload_parts(data, session)

    # the same session through the spec's v1 prefix
    resumed = capture_api.request("GET", f"{API_V1}/{document['id']}/attachments/uploads/{session['uploadId']}",
                                  claims=CLAIMS)
    assert resumed.status == 200 and [p["partNumber"] for p in resumed.json["partsReceived"]] == [1, 2]

    one = f"{collection}/uploads/{session['uploadId']}"
    done = complete(capture_api, one, data, parts, headers={})
    assert done.status == 201, done.body
    added = done.json
    assert (added["title"], added["comment"], added["type"]["name"]) == ("scan.pdf", "big", "Receipt")
    assert (added["sourceName"], added["mediaType"], added["size"]) == ("scan.pdf", "application/pdf", len(data))
    assert done.headers["location"] == added["links"][0]["href"]
    [stored] = versions(aws)
    assert stored_bytes(aws, stored["Key"], stored["VersionId"]) == data

    again = complete(capture_api, one, data, parts, headers={})
    assert (again.status, again.json["id"], again.json["stateToken"]) == (201, added["id"], added["stateToken"])
    read = capture_api.request("GET", url(added), claims=CLAIMS)
    assert read.json["stateToken"] == added["stateToken"] and len(versions(aws)) == 1


def test_content_replaced_through_a_session_answers_the_new_state_token(capture_api, attachment, aws):
    data = os.urandom(300 * 1024)
    content = url(attachment) + "/content"
    session = start(capture_api, content, data, attachment={"title": "Scanned", "comment": None}).json
    parts = upload_parts(data, session)
    one = f"{content}/uploads/{session['uploadId']}"
    done = complete(capture_api, one, data, parts, stateToken=attachment["stateToken"])
    assert done.status == 200, done.body
    updated = done.json
    assert updated["stateToken"] != attachment["stateToken"] and done.headers["etag"] == '"2"'
    assert (updated["title"], updated["comment"], updated["type"]) == ("Scanned", None, attachment["type"])
    assert (updated["sourceName"], updated["mediaType"], updated["size"]) == ("scan.pdf", "application/pdf", len(data))
    served = capture_api.request("GET", content, claims=CLAIMS)
    assert served.status == 200 and served.body == data

    again = complete(capture_api, one, data, parts, stateToken=attachment["stateToken"])
    assert (again.status, again.json["stateToken"]) == (200, updated["stateToken"])  # no second version
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).headers["etag"] == '"2"'


def test_the_completions_state_token_wins_over_the_starts(capture_api, attachment, aws):
    """The start's token was current; an inline update moved the attachment on: the completion
    that relies on it is 412 (naming the current token) and commits nothing; a completion with the
    fresh token succeeds without the bytes being sent again."""
    data = os.urandom(64 * 1024)
    content = url(attachment) + "/content"
    session = start(capture_api, content, data, attachment={"stateToken": attachment["stateToken"]}).json
    parts = upload_parts(data, session)
    moved = update(capture_api, attachment, {"title": "Renamed"}).json
    one = f"{content}/uploads/{session['uploadId']}"

    stale = complete(capture_api, one, data, parts)
    assert stale.status == 412, stale.body
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json["stateToken"] == moved["stateToken"]
    current = capture_api.request("GET", url(attachment), claims=CLAIMS).json
    assert (current["stateToken"], current["sourceName"]) == (moved["stateToken"], "notes5.txt")

    done = complete(capture_api, one, data, parts, stateToken=moved["stateToken"])
    assert done.status == 200, done.body
    assert (done.json["title"], done.json["size"]) == ("Renamed", len(data))


def test_a_stale_token_in_the_completion_loses_even_when_the_starts_is_fresh(capture_api, attachment, aws):
    data = os.urandom(1024)
    content = url(attachment) + "/content"
    session = start(capture_api, content, data, attachment={"stateToken": attachment["stateToken"]}).json
    parts = upload_parts(data, session)
    answer = complete(capture_api, f"{content}/uploads/{session['uploadId']}", data, parts, stateToken="0" * 32)
    assert answer.status == 412, answer.body
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).headers["etag"] == '"1"'


def test_a_completion_without_any_state_token_is_400_and_a_later_one_succeeds(capture_api, attachment, aws):
    data = os.urandom(1024)
    content = url(attachment) + "/content"
    session = start(capture_api, content, data).json
    parts = upload_parts(data, session)
    one = f"{content}/uploads/{session['uploadId']}"
    missing = complete(capture_api, one, data, parts)
    assert missing.status == 400 and "stateToken" in missing.json["detail"]
    for bad in (None, 5, ""):
        assert complete(capture_api, one, data, parts, stateToken=bad).status == 400
    no_xhr = complete(capture_api, one, data, parts, headers={}, stateToken=attachment["stateToken"])
    assert no_xhr.status == 400 and "X-Requested-With" in no_xhr.json["detail"]
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).headers["etag"] == '"1"'
    assert complete(capture_api, one, data, parts, stateToken=attachment["stateToken"]).status == 200


def test_a_start_with_a_stale_state_token_is_412_at_once(capture_api, attachment, aws):
    update(capture_api, attachment, {"title": "Renamed"})
    answer = start(capture_api, url(attachment) + "/content", b"x" * 1024,
                   attachment={"stateToken": attachment["stateToken"]})
    assert answer.status == 412, answer.body
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_a_completion_that_loses_the_race_is_409_and_commits_nothing(capture_api, attachment, aws, monkeypatch):
    from folio.storage.documents import DocumentTable

    data = os.urandom(1024)
    content = url(attachment) + "/content"
    session = start(capture_api, content, data).json
    parts = upload_parts(data, session)
    original = DocumentTable.commit
    interfered = []

    def commit(self, key, version, record, marks=None):
        if not interfered:  # a concurrent writer commits between our read and our conditional write
            from folio.storage.wiring import document_service

            interfered.append(True)
            theirs = json.loads(document_service().get(key).to_record())
            theirs["body"]["title"] = "Concurrent"
            original(self, key, version, json.dumps(theirs))
        return original(self, key, version, record, marks)

    monkeypatch.setattr(DocumentTable, "commit", commit)
    one = f"{content}/uploads/{session['uploadId']}"
    lost = complete(capture_api, one, data, parts, stateToken=attachment["stateToken"])
    assert lost.status == 409, lost.body
    monkeypatch.setattr(DocumentTable, "commit", original)
    current = capture_api.request("GET", url(attachment), claims=CLAIMS).json
    assert (current["title"], current["sourceName"]) == ("Concurrent", "notes5.txt")
    done = complete(capture_api, one, data, parts, stateToken=current["stateToken"])
    assert done.status == 200, done.body
    assert (done.json["title"], done.json["size"]) == ("Concurrent", len(data))


@pytest.mark.parametrize("mangle", [
    lambda parts: parts[:1],  # a part missing
    lambda parts: list(reversed(parts)),  # out of order
    lambda parts: [{**parts[0], "etag": '"' + "0" * 32 + '"'}] + parts[1:],  # a wrong etag
    lambda parts: [],
    lambda parts: [{"partNumber": "1", "etag": parts[0]["etag"]}],
])
def test_a_completion_with_a_wrong_part_list_commits_nothing(capture_api, document, aws, mangle):
    data = os.urandom(9 * MIB)
    collection = f"{API}/{document['id']}/attachments"
    session = start(capture_api, collection, data).json
    parts = upload_parts(data, session)
    one = f"{collection}/uploads/{session['uploadId']}"
    answer = complete(capture_api, one, data, mangle(parts))
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert versions(aws) == []
    assert complete(capture_api, one, data, parts).status == 201  # the session stays open


def test_a_completion_after_an_abort_is_refused(capture_api, document, aws):
    data = os.urandom(1024)
    collection = f"{API}/{document['id']}/attachments"
    session = start(capture_api, collection, data).json
    parts = upload_parts(data, session)
    one = f"{collection}/uploads/{session['uploadId']}"
    assert capture_api.request("DELETE", one, claims=CLAIMS).status == 204
    answer = complete(capture_api, one, data, parts)
    assert answer.status == 409 and answer.headers["content-type"] == "application/problem+json"
    assert capture_api.request("DELETE", one, claims=CLAIMS).status == 404
    assert versions(aws) == []


def test_sessions_of_another_tenant_document_route_or_step_are_refused(capture_api, attachment, aws):
    from folio.dialects.capture.procedures import DEMO_PROCEDURE

    doc_id = attachment["documentId"]
    session = start(capture_api, f"{API}/{doc_id}/attachments", b"x" * 1024).json
    one = f"uploads/{session['uploadId']}"
    other_doc = capture_api.request("POST", API, json_body={"procedure": {"name": "Demo"}}, claims=CLAIMS).json
    assert capture_api.request("GET", f"{API}/{doc_id}/attachments/{one}", claims=CLAIMS).status == 200
    assert capture_api.request("GET", f"{API}/{doc_id}/attachments/{one}",
                               claims={**CLAIMS, "tenant": "globex"}).status == 404
    assert capture_api.request("GET", f"{API}/{other_doc['id']}/attachments/{one}", claims=CLAIMS).status == 404
    assert capture_api.request("GET", f"{url(attachment)}/content/{one}", claims=CLAIMS).status == 404
    assert capture_api.request("GET", f"{API}/{doc_id}/attachments/uploads/{'0' * 32}", claims=CLAIMS).status == 404
    other_step = {**DEFAULT_CLAIMS, "folio:steps": f"[{DEMO_PROCEDURE['steps'][1]['id']}]"}
    for method in ("GET", "DELETE"):
        assert capture_api.request(method, f"{API}/{doc_id}/attachments/{one}", claims=other_step).status == 403
    refused = complete(capture_api, f"{API}/{doc_id}/attachments/{one}", b"x", [{"partNumber": 1, "etag": '"e"'}],
                       claims=other_step)
    assert refused.status == 403
    assert start(capture_api, f"{API}/{doc_id}/attachments", b"x" * 1024, claims=other_step).status == 403
    assert start(capture_api, f"{url(attachment)}/content", b"x" * 1024, claims=other_step).status == 403
    elsewhere = f"{API}/{other_doc['id']}/attachments/{attachment['id']}/content"
    assert start(capture_api, elsewhere, b"x" * 1024).status == 404
    assert start(capture_api, f"{API}/{doc_id}/attachments/nope/content", b"x" * 1024).status == 404
    assert start(capture_api, f"{API}/nope/attachments", b"x" * 1024).status == 404


@pytest.mark.parametrize("route", ["collection", "content"])
@pytest.mark.parametrize("body, status", [
    ({"size": 6 * 1024**3}, 413),  # above CaptureMaxUploadBytes
    ({"size": None}, 400),
    ({"size": 0}, 400),
    ({"size": "12"}, 400),
    ({"fileName": None}, 400),  # the content needs a file name (sourceName), as the inline part does
    ({"fileName": ""}, 400),
    ({"contentType": None}, 400),
    ({"contentType": "not a type"}, 400),
    ({"attachment": "title"}, 400),
    ({"attachment": {"title": 5}}, 400),
    ({"attachment": {"type": {"name": "Passport"}}}, 400),  # not an attachment type of Demo
    ({"attachment": {"stateToken": 7}}, 400),
    ({"partChecksums": None}, 400),
    ({"partChecksums": ["AAAAAAAAAAA=", "AAAAAAAAAAA="]}, 400),  # one part, two checksums
    ({"partChecksums": ["not base64"]}, 400),
])
def test_a_session_that_could_never_succeed_is_refused_at_its_start(capture_api, attachment, aws, route, body, status):
    path = f"{API}/{attachment['documentId']}/attachments" if route == "collection" else url(attachment) + "/content"
    if body == {"attachment": {"stateToken": 7}} and route == "collection":
        status = 201  # the add takes no stateToken: ignored, as the inline add ignores it
    request = {**start_body(b"x" * 1024, fileName="scan.pdf", contentType="application/pdf"), **body}
    request = {k: v for k, v in request.items() if v is not None}
    answer = capture_api.request("POST", path + "/uploads", json_body=request, headers=XHR, claims=CLAIMS)
    assert answer.status == status, answer.body
    if status != 201:
        assert answer.headers["content-type"] == "application/problem+json"
        assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_the_content_route_needs_x_requested_with_and_json(capture_api, attachment, aws):
    path = url(attachment) + "/content"
    assert start(capture_api, path, b"x" * 1024, headers={}).status == 400
    as_text = capture_api.request("POST", path + "/uploads", body=b'{"size": 1}',
                                  headers={**XHR, "Content-Type": "text/plain"}, claims=CLAIMS)
    assert as_text.status == 415
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []
