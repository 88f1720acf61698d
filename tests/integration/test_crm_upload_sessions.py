"""crm's upload sessions on moto: a document's content of any size, committed as PUT .../Content does."""

import os

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.uploads import completion, start_body, upload_parts

pytestmark = pytest.mark.moto_only(
    reason="the crm mapping of upload sessions; the session's conditional writes run on both engines in "
           "test_upload_sessions.py, test_upload_session_races.py and test_faults.py")

MIB = 1024 * 1024


@pytest.fixture
def document(api):
    answer = api.request("POST", "/api/v1/Document", json_body={"Header": "Big deck", "Name": "deck.pptx"})
    assert answer.status == 201, answer.body
    return answer.json["DocumentId"]


def start(api, doc, data, **fields):
    return api.request("POST", f"/api/v1/Document/{doc}/Content/uploads",
                       json_body=start_body(data, contentType="application/vnd.ms-powerpoint", **fields))


def test_content_through_a_session_is_the_document_content(api, aws, document):
    data = os.urandom(9 * MIB)
    started = start(api, document, data)
    assert started.status == 201, started.body
    session = started.json
    parts = upload_parts(data, session)
    path = f"/api/v1/Document/{document}/Content/uploads/{session['uploadId']}/complete"
    done = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert done.status == 200, done.body
    assert done.json["DocumentId"] == document and done.headers["etag"] == '"2"'
    content = api.request("GET", f"/api/v1/Document/{document}/Content")
    assert content.status == 302  # above 4 MiB: S3 serves it
    import requests

    assert requests.get(content.headers["location"], timeout=30).content == data
    versions = api.request("GET", f"/api/v1/Document/{document}/Version").json
    assert [v["VersionId"] for v in versions] == ["2"] and versions[0]["ExternalReference"] == "deck.pptx"
    again = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert (again.status, again.headers["etag"]) == (200, '"2"')  # the retry answers the committed version


def test_a_stale_if_match_commits_nothing_and_a_fresh_one_completes(api, aws, document):
    data = os.urandom(MIB)
    session = start(api, document, data).json
    parts = upload_parts(data, session)
    path = f"/api/v1/Document/{document}/Content/uploads/{session['uploadId']}/complete"
    assert api.request("PATCH", f"/api/v1/Document/{document}", json_body={"Header": "moved on"}).status == 200
    stale = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert stale.status == 412 and stale.headers["content-type"] == "application/problem+json"
    assert api.request("GET", f"/api/v1/Document/{document}/Content").status == 404
    fresh = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"2"'})
    assert fresh.status == 200, fresh.body
    assert api.request("GET", f"/api/v1/Document/{document}/Content").body == data


def test_sessions_of_other_documents_and_tenants_are_not_found(api, aws, document):
    data = os.urandom(1000)
    session = start(api, document, data).json
    other = {**DEFAULT_CLAIMS, "tenant": "other"}
    one = f"Content/uploads/{session['uploadId']}"
    assert api.request("GET", f"/api/v1/Document/{document}/{one}", claims=other).status == 404
    assert api.request("GET", f"/api/v1/Document/{document + 1}/{one}").status == 404
    assert api.request("GET", f"/api/v1/Document/{document}/{one}").status == 200
    assert start(api, 999, data).status == 404
    assert api.request("GET", f"/api/v1/Document/abc/{one}").status == 400


@pytest.mark.parametrize("body", [
    {"contentType": "text/plain", "size": 10},  # no partChecksums
    {"contentType": "text/plain", "size": 10, "partChecksums": ["not base64!"]},
    {"contentType": "text/plain", "size": 10, "partChecksums": ["J9LsBYHJrEg=", "J9LsBYHJrEg="]},
    {"contentType": "not a type", "size": 10, "partChecksums": ["J9LsBYHJrEg="]},
    {"contentType": "text/plain", "size": 10 * MIB, "partSize": MIB, "partChecksums": ["J9LsBYHJrEg="] * 10},
])
def test_bad_starts_are_400_and_open_nothing(api, aws, document, body):
    answer = api.request("POST", f"/api/v1/Document/{document}/Content/uploads", json_body=body)
    assert answer.status == 400, answer.body
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_above_the_maximum_is_413(api, aws, document):
    body = {"contentType": "text/plain", "size": 6 * 1024**3, "partChecksums": ["J9LsBYHJrEg="]}
    answer = api.request("POST", f"/api/v1/Document/{document}/Content/uploads", json_body=body)
    assert answer.status == 413, answer.body
