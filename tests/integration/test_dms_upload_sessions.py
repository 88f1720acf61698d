"""dms's upload sessions (DESIGN §9) through the handlers, on both engines: a document or a new file
version from parts sent to presigned S3 URLs, each completion committed as the inline upload
commits it, and what the sessions refuse, in dms's ErrorResponse body."""

import os

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.uploads import completion, crc64nvme_b64, start_body, upload_parts
from .test_dms_handlers import BASE, error_body, send

pytestmark = pytest.mark.moto_only(
    reason="the dms mapping of upload sessions; the session's conditional writes run on both engines in "
           "test_upload_sessions.py, test_upload_session_races.py and test_faults.py")

MIB = 1024 * 1024


def pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + os.urandom(size - len(head))


def start(api, path, data, content_type="application/pdf", **fields):
    body = start_body(data, fileName="survey.pdf", contentType=content_type, **fields)
    return api.request("POST", path + "/uploads", json_body=body)


def stored_versions(aws):
    return aws["s3"].list_object_versions(Bucket=aws["bucket"]).get("Versions", [])


def stored_bytes(aws, key, version_id):
    return aws["s3"].get_object(Bucket=aws["bucket"], Key=key, VersionId=version_id)["Body"].read()


@pytest.fixture
def created(api):
    """Document 1, file version 1, sent inline."""
    answer = send(api, "POST", BASE, file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"), name="Site plan",
                  folderId=17)
    assert answer.status == 201, answer.body
    return answer.json


def test_create_through_a_session_commits_the_exact_s3_version(api, aws):
    data = pdf(9 * MIB)
    started = start(api, BASE, data, name="Survey", folderId=5, description="drone survey",
                    parentUuid="{22222222-2222-2222-2222-222222222222}")
    assert started.status == 201, started.body
    session = started.json
    assert (session["partCount"], session["partSize"], len(session["parts"])) == (2, 8 * MIB, 2)
    assert started.headers["location"] == f"{BASE}/uploads/{session['uploadId']}"
    assert api.request("GET", f"{BASE}/1").status == 404  # nothing exists before completion
    parts = upload_parts(data, session)

    resumed = api.request("GET", f"{BASE}/uploads/{session['uploadId']}")
    assert resumed.status == 200 and resumed.json["parts"] == []
    assert [p["partNumber"] for p in resumed.json["partsReceived"]] == [1, 2]

    done = api.request("POST", f"{BASE}/uploads/{session['uploadId']}/complete", json_body=completion(data, parts))
    assert done.status == 201, done.body
    doc = done.json
    assert (doc["id"], doc["version"], doc["name"], doc["folderId"], doc["description"]) == \
        (1, 1, "Survey", 5, "drone survey")
    assert doc["parentUuid"] == "22222222-2222-2222-2222-222222222222"
    assert (doc["fileName"], doc["contentType"], doc["size"], doc["sha256"], doc["crc64nvme"]) == \
        ("survey.pdf", "application/pdf", len(data), None, crc64nvme_b64(data))  # a client can verify its download
    assert done.headers["location"].endswith(f"{BASE}/1") and done.headers["etag"] == '"1"'
    [stored] = stored_versions(aws)
    assert stored_bytes(aws, stored["Key"], stored["VersionId"]) == data

    again = api.request("POST", f"{BASE}/uploads/{session['uploadId']}/complete", json_body=completion(data, parts))
    assert again.status == 201 and again.json == doc  # a retry answers the committed version
    assert api.request("GET", f"{BASE}/1/versions").json["data"][0]["version"] == 1
    assert len(stored_versions(aws)) == 1


def test_a_session_without_a_name_names_the_document_after_its_file(api, aws):
    data = pdf(6 * MIB)
    session = start(api, BASE, data).json
    done = api.request("POST", f"{BASE}/uploads/{session['uploadId']}/complete",
                       json_body=completion(data, upload_parts(data, session)))
    assert done.status == 201 and done.json["name"] == "survey.pdf", done.body


def test_a_new_version_through_a_session_with_if_match(api, aws, created):
    data = pdf(9 * MIB)
    session = start(api, f"{BASE}/1", data, content_type="video/mp4", description="walkthrough").json
    parts = upload_parts(data, session)
    path = f"{BASE}/1/uploads/{session['uploadId']}/complete"

    stale = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"7"'})
    assert stale.status == 412 and error_body(stale)["message"] == "Precondition failed"
    too_old = api.request("POST", path, json_body=completion(data, parts),
                          headers={"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert too_old.status == 412, too_old.body
    assert api.request("GET", f"{BASE}/1").json == created  # nothing committed

    done = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert done.status == 201, done.body
    doc = done.json
    assert (doc["version"], doc["contentType"], doc["size"], doc["description"], doc["name"]) == \
        (2, "video/mp4", len(data), "walkthrough", "Site plan")
    assert done.headers["etag"] == '"2"'
    again = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert again.status == 201 and again.json == doc  # the retry commits nothing, whatever its If-Match
    versions = api.request("GET", f"{BASE}/1/versions").json["data"]
    assert [(v["version"], v["size"]) for v in versions] == [(2, len(data)), (1, 11)]
    by_size = {v["Size"]: v for v in stored_versions(aws)}
    assert stored_bytes(aws, by_size[len(data)]["Key"], by_size[len(data)]["VersionId"]) == data


def test_a_completion_that_loses_its_race_commits_nothing_and_may_retry(api, aws, created):
    data = pdf(6 * MIB)
    session = start(api, f"{BASE}/1", data).json  # the client read version 1
    parts = upload_parts(data, session)
    assert send(api, "PUT", f"{BASE}/1", file=("n.txt", b"someone else", "text/plain")).json["version"] == 2
    path = f"{BASE}/1/uploads/{session['uploadId']}/complete"
    lost = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"1"'})
    assert lost.status == 412 and lost.headers["etag"] == '"2"', lost.body
    assert api.request("GET", f"{BASE}/1").json["version"] == 2
    session_now = api.request("GET", f"{BASE}/1/uploads/{session['uploadId']}").json
    assert session_now["state"] == "STORED"  # the bytes stay in S3: the retry sends none again
    done = api.request("POST", path, json_body=completion(data, parts), headers={"If-Match": '"2"'})
    assert (done.status, done.json["version"], done.json["size"]) == (201, 3, len(data)), done.body


@pytest.mark.parametrize("mangle", [
    lambda parts: parts[:1],  # a part missing
    lambda parts: list(reversed(parts)),  # out of order
    lambda parts: [{**parts[0], "etag": '"' + "0" * 32 + '"'}] + parts[1:],  # a wrong etag
    lambda parts: [],
    lambda parts: [{"partNumber": "1", "etag": parts[0]["etag"]}] + parts[1:],  # not a part object
])
def test_a_completion_with_a_wrong_part_list_commits_nothing(api, aws, mangle):
    data = pdf(9 * MIB)
    session = start(api, BASE, data).json
    parts = upload_parts(data, session)
    path = f"{BASE}/uploads/{session['uploadId']}/complete"
    answer = api.request("POST", path, json_body=completion(data, mangle(parts)))
    assert answer.status == 400 and error_body(answer)["message"] == "Bad request", answer.body
    assert api.request("GET", f"{BASE}/1").status == 404
    fixed = api.request("POST", path, json_body=completion(data, parts))
    assert fixed.status == 201, fixed.body  # the session stays open after a refused completion


def test_a_completion_with_a_bad_checksum_or_body_is_refused(api, aws):
    data = pdf(6 * MIB)
    session = start(api, BASE, data).json
    parts = upload_parts(data, session)
    path = f"{BASE}/uploads/{session['uploadId']}/complete"
    for body in ({"parts": parts}, {"parts": parts, "checksum": "not base64!"}, [parts]):
        answer = api.request("POST", path, json_body=body)
        assert answer.status == 400 and error_body(answer), answer.body
    not_json = api.request("POST", path, body=b"parts=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status == 415 and error_body(not_json)
    assert api.request("GET", f"{BASE}/1").status == 404


def test_a_completion_after_an_abort_is_refused(api, aws, created):
    data = pdf(6 * MIB)
    session = start(api, f"{BASE}/1", data).json
    parts = upload_parts(data, session)
    one = f"{BASE}/1/uploads/{session['uploadId']}"
    assert api.request("DELETE", one).status == 204
    answer = api.request("POST", one + "/complete", json_body=completion(data, parts))
    assert answer.status == 409 and error_body(answer)["message"] == "Conflict", answer.body
    assert api.request("DELETE", one).status == 404
    assert api.request("GET", f"{BASE}/1").json == created
    assert len(stored_versions(aws)) == 1  # the inline version 1 alone


def test_sessions_are_found_only_through_their_own_route_and_tenant(api, aws, created):
    data = pdf(6 * MIB)
    create = start(api, BASE, data).json["uploadId"]
    version = start(api, f"{BASE}/1", data).json["uploadId"]
    other_tenant = {**DEFAULT_CLAIMS, "tenant": "globex"}
    for path in (f"{BASE}/uploads/{create}", f"{BASE}/1/uploads/{version}"):
        assert api.request("GET", path, claims=other_tenant).status == 404
        assert api.request("DELETE", path, claims=other_tenant).status == 404
    for path in (f"/api/v2/clients/4/dms/projects/9/documents/uploads/{create}",  # another client
                 f"/api/v2/clients/3/dms/projects/8/documents/uploads/{create}",  # another project
                 f"{BASE}/1/uploads/{create}",  # the create's session through a document
                 f"{BASE}/uploads/{version}",  # a version's session through the collection
                 f"{BASE}/2/uploads/{version}",  # another document
                 f"{BASE}/uploads/{'0' * 32}", f"{BASE}/uploads/not-an-id"):
        answer = api.request("GET", path)
        assert answer.status == 404 and error_body(answer)["message"] == "Not found", path
    completing = api.request("POST", f"{BASE}/1/uploads/{create}/complete",
                             json_body={"parts": [{"partNumber": 1, "etag": '"x"'}], "checksum": crc64nvme_b64(b"")})
    assert completing.status == 404
    assert api.request("GET", f"{BASE}/uploads/{create}").status == 200  # untouched through its own route
    assert start(api, "/api/v2/clients/4/dms/projects/9/documents/1", b"x" * 10).status == 404  # another client's
    no_token = api.request("POST", f"{BASE}/1/uploads", json_body={"size": 10}, claims=None)
    assert no_token.status == 401 and error_body(no_token)["details"] == "JWT token not found"


ONE_PART = crc64nvme_b64(b"0123456789")


@pytest.mark.parametrize("body, status, detail", [
    ({"contentType": "application/pdf", "size": 6 * 1024**3}, 413, "bytes"),  # above DmsMaxUploadBytes
    ({"contentType": "audio/mpeg", "size": 10}, 415, "image/*"),
    ({"contentType": "not a type", "size": 10}, 400, "contentType"),
    ({"contentType": "application/pdf"}, 400, "size"),
    ({"contentType": "application/pdf", "size": 0}, 400, "size"),
    ({"contentType": "application/pdf", "size": "12"}, 400, "size"),
    ({"contentType": "application/pdf", "size": 10, "fileName": ""}, 400, "fileName"),
    ({"size": 10, "folderId": -1}, 400, "folderId"),
    ({"size": 10, "parentUuid": "not-a-uuid"}, 400, "parentUuid"),
    ({"size": 10, "name": "x" * 300}, 400, "name"),
    ({"size": 10, "colour": "red"}, 400, "colour"),
    ({"size": 10, "partChecksums": None}, 400, "partChecksums"),
    ({"size": 10, "partChecksums": [ONE_PART] * 2}, 400, "partChecksums"),  # a 10-byte file is one part
    ({"size": 10, "partChecksums": ["not base64"]}, 400, "partChecksums[0]"),
    ({"size": 10, "partSize": 0}, 400, "partSize"),
])
@pytest.mark.parametrize("route", [BASE, f"{BASE}/1"])
def test_a_session_that_could_never_succeed_is_refused_at_its_start(api, aws, created, route, body, status, detail):
    answer = api.request("POST", route + "/uploads", json_body={"partChecksums": [ONE_PART], **body})
    assert answer.status == status and detail in error_body(answer)["details"], answer.body
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_a_start_body_that_is_no_json_object_is_refused(api, aws):
    assert error_body(api.request("POST", BASE + "/uploads", json_body=[1]))["code"] == 400
    form = send(api, "POST", BASE + "/uploads", name="x")
    assert form.status == 415 and error_body(form)
    assert start(api, f"{BASE}/99", b"x" * 10).status == 404  # a session for a missing document
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []
