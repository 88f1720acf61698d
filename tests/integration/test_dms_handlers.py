"""The five dms functions on moto: versions from uploads, metadata-only updates, the spec's error body."""

import hashlib

import pytest
from requests_toolbelt import MultipartEncoder

from ..conftest import DEFAULT_CLAIMS

BASE = "/api/v2/clients/3/dms/projects/9/documents"


def form(file=None, **fields):
    parts = [(k, str(v)) for k, v in fields.items()]
    if file is not None:
        parts.append(("file", file))
    encoder = MultipartEncoder(fields=parts)
    return encoder.to_string(), {"Content-Type": encoder.content_type}


def send(api, method, path, file=None, headers=None, claims=DEFAULT_CLAIMS, **fields):
    body, content_type = form(file, **fields)
    return api.request(method, path, body=body, headers={**content_type, **(headers or {})}, claims=claims)


@pytest.fixture
def created(api):
    answer = send(api, "POST", BASE, file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"), folderId=17,
                  parentUuid="22222222-2222-2222-2222-222222222222", name="Site plan", description="")
    assert answer.status == 201, answer.body
    return answer.json


def test_create_answers_the_document(created):
    assert created == {
        "id": 1, "clientId": 3, "projectId": 9, "name": "Site plan", "description": "", "folderId": 17,
        "parentUuid": "22222222-2222-2222-2222-222222222222", "version": 1, "fileName": "plan.pdf",
        "contentType": "application/pdf", "size": 11, "sha256": hashlib.sha256(b"%PDF-1.4 v1").hexdigest(),
        "crc64nvme": None, "createdAt": created["createdAt"], "updatedAt": created["updatedAt"],
        "createdBy": {"id": "user-1", "name": "Ada Lovelace", "email": "ada@example.com"},
        "updatedBy": {"id": "user-1", "name": "Ada Lovelace", "email": "ada@example.com"},
    }


@pytest.mark.parametrize("method, headers", [("POST", {}), ("PUT", {}), ("POST", {"X-HTTP-Method-Override": "PUT"})])
def test_upload_creates_a_new_version_with_metadata(api, created, method, headers):
    answer = send(api, method, f"{BASE}/1", file=("plan-v2.pdf", b"%PDF-1.4 v2!", "application/pdf"), headers=headers,
                  name="Site plan rev B")
    assert answer.status == 201, answer.body
    doc = answer.json
    assert (doc["version"], doc["fileName"], doc["size"], doc["name"]) == (2, "plan-v2.pdf", 12, "Site plan rev B")
    assert doc["folderId"] == 17 and doc["description"] == ""


def test_metadata_only_update_keeps_the_file_and_version(api, created):
    answer = send(api, "POST", f"{BASE}/1", description="Ground floor", folderId=18)
    doc = answer.json
    assert answer.status == 201 and doc["version"] == 1 and doc["sha256"] == created["sha256"]
    assert (doc["description"], doc["folderId"]) == ("Ground floor", 18)
    json_update = api.request("POST", f"{BASE}/1", json_body={"name": "Renamed"})
    assert json_update.status == 201 and json_update.json["name"] == "Renamed" and json_update.json["version"] == 1


def test_the_specs_sample_request_without_a_body_changes_nothing(api, created):
    answer = api.request("POST", f"{BASE}/1", headers={"Content-Type": "multipart/form-data", "Accept": "application/json"})
    assert answer.status == 201 and answer.json == created


def test_versions_newest_first_each_downloads_byte_identical(api, created):
    contents = [b"%PDF-1.4 v1"] + [f"text version {n}\n".encode() * n for n in range(2, 6)]
    for n, data in enumerate(contents[1:], start=2):
        assert send(api, "PUT", f"{BASE}/1", file=(f"v{n}.txt", data, "text/plain")).json["version"] == n
        assert send(api, "PUT", f"{BASE}/1", description=f"after {n}").status == 201  # metadata only, no version
    listing = api.request("GET", f"{BASE}/1/versions")
    versions = listing.json["data"]
    assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]
    assert set(versions[0]) == {"version", "fileName", "contentType", "size", "sha256", "crc64nvme", "createdAt",
                               "createdBy"}
    for v in versions:
        data = contents[v["version"] - 1]
        assert v["sha256"] == hashlib.sha256(data).hexdigest() and v["size"] == len(data)
        got = api.request("GET", f"{BASE}/1/versions/{v['version']}/file")
        assert got.status == 200 and got.body == data and got.headers["content-type"] == v["contentType"]
    assert api.request("GET", f"{BASE}/1").json["version"] == 5


def test_same_bytes_still_make_a_new_version(api, created):
    again = send(api, "POST", f"{BASE}/1", file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"))
    assert again.json["version"] == 2


@pytest.mark.parametrize("content_type, status", [("image/png", 201), ("text/csv", 201), ("video/mp4", 201),
                                                  ("application/zip", 201), ("audio/mpeg", 415), ("font/woff2", 415),
                                                  ("multipart/mixed", 415)])
def test_file_types(api, created, content_type, status):
    assert send(api, "POST", f"{BASE}/1", file=("f", b"data", content_type)).status == status


def error_body(answer):
    body = answer.json
    assert set(body) == {"status", "code", "message", "details"} and body["status"] == "error"
    assert body["code"] == answer.status
    return body


def test_errors_use_the_specs_body(api, created):
    body = error_body(api.request("GET", f"{BASE}/99"))
    assert body["message"] == "Not found"
    body = error_body(send(api, "POST", f"{BASE}/1", file=("a.mp3", b"x", "audio/mpeg")))
    assert body["code"] == 415 and "image/*" in body["details"]
    body = error_body(api.request("GET", f"{BASE}/1", claims=None))
    assert body == {"status": "error", "code": 401, "message": "Authentication failed", "details": "JWT token not found"}


@pytest.mark.parametrize("fields, detail", [
    ({"folderId": "seventeen"}, "folderId"), ({"folderId": "-1"}, "folderId"), ({"parentUuid": "not-a-uuid"}, "parentUuid"),
    ({"name": ""}, "name"), ({"name": "x" * 300}, "name"), ({"colour": "red"}, "colour"),
])
def test_bad_metadata_is_400_and_changes_nothing(api, created, fields, detail):
    answer = send(api, "POST", f"{BASE}/1", file=("n.txt", b"new", "text/plain"), **fields)
    assert answer.status == 400 and detail in error_body(answer)["details"]
    assert api.request("GET", f"{BASE}/1").json == created


def test_create_needs_a_file_and_bad_ids_are_400(api):
    assert send(api, "POST", BASE, name="x").status == 400
    assert api.request("GET", "/api/v2/clients/x/dms/projects/9/documents/1").status == 400
    assert api.request("GET", f"{BASE}/1/versions/zero/file").status == 400


def test_other_client_project_or_tenant_is_404(api, created):
    assert api.request("GET", "/api/v2/clients/4/dms/projects/9/documents/1").status == 404
    assert api.request("GET", "/api/v2/clients/3/dms/projects/8/documents/1/versions").status == 404
    assert api.request("GET", f"{BASE}/1/versions/1/file", claims={**DEFAULT_CLAIMS, "tenant": "globex"}).status == 404
    assert send(api, "POST", "/api/v2/clients/4/dms/projects/9/documents/1", name="x").status == 404
    assert api.request("GET", f"{BASE}/1/versions/7/file").status == 404


def test_if_match_on_upload(api, created):
    stale = send(api, "POST", f"{BASE}/1", file=("n.txt", b"new", "text/plain"), headers={"If-Match": '"9"'})
    assert stale.status == 412 and stale.headers["etag"] == '"1"'
    assert send(api, "POST", f"{BASE}/1", file=("n.txt", b"new", "text/plain"), headers={"If-Match": '"1"'}).status == 201


def test_other_method_overrides_are_refused(api, created):
    answer = send(api, "POST", f"{BASE}/1", name="x", headers={"X-HTTP-Method-Override": "DELETE"})
    assert answer.status == 400 and "PUT" in error_body(answer)["details"]


def test_file_over_4_mib_is_413(api, created):
    assert send(api, "POST", f"{BASE}/1", file=("big.bin", b"x" * (4 * 1024 * 1024 + 1), "application/octet-stream")).status == 413
