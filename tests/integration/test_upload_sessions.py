"""Upload sessions (DESIGN §9) through the handlers on moto: start, parts to presigned URLs,
resume, abort, complete, and what each refuses."""

import os

import pytest

from ..support.files import png
from ..support.uploads import completion, start_body, upload_parts
from .test_kyc_handlers import DOMAIN, SPEC_DOCUMENT, send

MIB = 1024 * 1024
KYC = "/api/customer/42/document"


def big_png(size: int) -> bytes:
    head = png()
    return head + os.urandom(size - len(head))


def start(api, path, data, **fields):
    body = start_body(data, fileName="scan.png", contentType="image/png", **fields)
    return api.request("POST", path + "/uploads", json_body=body, headers=DOMAIN)


def test_kyc_create_through_a_session_commits_the_exact_s3_version(api, aws):
    data = big_png(9 * MIB)
    started = start(api, KYC, data, document=SPEC_DOCUMENT)
    assert started.status == 201, started.body
    session = started.json
    assert session["partCount"] == 2 and session["partSize"] == 8 * MIB and len(session["parts"]) == 2
    assert started.headers["location"] == f"{KYC}/uploads/{session['uploadId']}"
    parts = upload_parts(data, session)

    resumed = api.request("GET", f"{KYC}/uploads/{session['uploadId']}", headers=DOMAIN)
    assert resumed.status == 200 and resumed.json["parts"] == []
    assert [p["partNumber"] for p in resumed.json["partsReceived"]] == [1, 2]

    done = api.request("POST", f"{KYC}/uploads/{session['uploadId']}/complete",
                       json_body=completion(data, parts), headers=DOMAIN)
    assert done.status == 201, done.body
    doc = done.json
    assert doc["type"] == "NATIONAL_ID" and doc["customerId"] == 42
    listing = aws["s3"].list_object_versions(Bucket=aws["bucket"])["Versions"]
    assert len(listing) == 1
    stored = aws["s3"].get_object(Bucket=aws["bucket"], Key=listing[0]["Key"], VersionId=listing[0]["VersionId"])
    assert stored["Body"].read() == data

    again = api.request("POST", f"{KYC}/uploads/{session['uploadId']}/complete",
                        json_body=completion(data, parts), headers=DOMAIN)
    assert (again.status, again.json["id"]) == (201, doc["id"])  # a retry answers the committed version
    read = api.request("GET", f"{KYC}/{doc['id']}", headers=DOMAIN)
    assert read.json["updatedAt"] == doc["updatedAt"]


def test_kyc_image_session_updates_one_side_with_if_match(api, aws):
    created = send(api, "POST", KYC)
    assert created.status == 201
    doc_id = created.json["id"]
    data = big_png(5 * MIB)
    session = start(api, f"{KYC}/{doc_id}/back", data).json
    parts = upload_parts(data, session)
    path = f"{KYC}/{doc_id}/back/uploads/{session['uploadId']}/complete"
    stale = api.request("POST", path, json_body=completion(data, parts), headers={**DOMAIN, "If-Match": '"7"'})
    assert stale.status == 412, stale.body
    assert api.request("GET", f"{KYC}/{doc_id}", headers=DOMAIN).headers["etag"] == '"1"'
    done = api.request("POST", path, json_body=completion(data, parts), headers={**DOMAIN, "If-Match": '"1"'})
    assert done.status == 200, done.body
    assert done.headers["etag"] == '"2"'
    image = api.request("GET", f"{KYC}/{doc_id}/back", headers=DOMAIN)
    assert image.status in (200, 302)


@pytest.mark.parametrize("mangle, status", [
    (lambda parts: parts[:1], 400),  # a part missing
    (lambda parts: list(reversed(parts)), 400),  # out of order
    (lambda parts: [{**parts[0], "etag": '"' + "0" * 32 + '"'}] + parts[1:], 400),  # a wrong etag
    (lambda parts: [], 400),
])
def test_a_completion_with_a_wrong_part_list_commits_nothing(api, aws, mangle, status):
    data = big_png(9 * MIB)
    session = start(api, KYC, data, document=SPEC_DOCUMENT).json
    parts = upload_parts(data, session)
    path = f"{KYC}/uploads/{session['uploadId']}/complete"
    answer = api.request("POST", path, json_body=completion(data, mangle(parts)), headers=DOMAIN)
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert api.request("GET", f"{KYC}/1", headers=DOMAIN).status == 404
    fixed = api.request("POST", path, json_body=completion(data, parts), headers=DOMAIN)
    assert fixed.status == 201, fixed.body  # the session stays open after a refused completion


def test_a_completion_after_an_abort_is_refused(api, aws):
    data = big_png(6 * MIB)
    session = start(api, KYC, data, document=SPEC_DOCUMENT).json
    parts = upload_parts(data, session)
    one = f"{KYC}/uploads/{session['uploadId']}"
    assert api.request("DELETE", one, headers=DOMAIN).status == 204
    answer = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    assert answer.status == 409, answer.body
    assert api.request("DELETE", one, headers=DOMAIN).status == 404
    assert aws["s3"].list_object_versions(Bucket=aws["bucket"]).get("Versions", []) == []


def test_sessions_of_another_tenant_customer_or_domain_are_not_found(api, aws):
    data = big_png(6 * MIB)
    session = start(api, KYC, data, document=SPEC_DOCUMENT).json
    other_tenant = {**__import__("tests.conftest", fromlist=["DEFAULT_CLAIMS"]).DEFAULT_CLAIMS, "tenant": "other"}
    one = f"uploads/{session['uploadId']}"
    assert api.request("GET", f"{KYC}/{one}", headers=DOMAIN, claims=other_tenant).status == 404
    assert api.request("GET", f"/api/customer/43/document/{one}", headers=DOMAIN).status == 404
    assert api.request("GET", f"{KYC}/{one}", headers={"X-Domain-ID": "8"}).status == 404
    assert api.request("GET", f"{KYC}/1/front/{one}", headers=DOMAIN).status == 404
    assert api.request("GET", f"{KYC}/uploads/{'0' * 32}", headers=DOMAIN).status == 404


@pytest.mark.parametrize("body, status", [
    ({"contentType": "image/png", "size": 6 * 1024**3}, 413),  # above KycMaxUploadBytes
    ({"contentType": "text/html", "size": 10}, 415),
    ({"contentType": "image/png"}, 400),
    ({"contentType": "image/png", "size": 0}, 400),
    ({"contentType": "image/png", "size": "12"}, 400),
    ({"contentType": "image/png", "size": 10, "fileName": ""}, 400),
])
def test_a_session_that_could_never_succeed_is_refused_at_its_start(api, aws, body, status):
    body = {"partChecksums": ["J9LsBYHJrEg="], **body, "document": SPEC_DOCUMENT}
    answer = api.request("POST", KYC + "/uploads", json_body=body, headers=DOMAIN)
    assert answer.status == status, answer.body
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", []) == []


def test_a_session_for_a_missing_document_is_not_found(api, aws):
    answer = start(api, f"{KYC}/99/front", b"x" * 10)
    assert answer.status == 404, answer.body
