"""The three crm functions on moto, with payload-2.0 events."""

import json

import pytest

from ..conftest import DEFAULT_CLAIMS

PATCH_JSON = {"Content-Type": "application/json-patch+json"}


@pytest.fixture
def created(api):
    answer = api.request("POST", "/api/v1/Document", json_body={
        "Header": "Quarterly Sales Report Q4 2024", "Name": "Lakin-McClure", "OurRef": "SO-2024-001",
        "CustomFields": {"CustomFields1": "suscipit"}, "UserDefinedFields": {"SuperOffice:1": "x"}})
    assert answer.status == 201, answer.body
    return answer.json


def stored(api, doc_id):
    return api.request("GET", f"/api/v1/Document/{doc_id}")


def test_create_answers_201_with_every_property(api, created):
    from folio.dialects.crm.constants import PROPERTIES

    assert list(created) == list(PROPERTIES)
    assert created["DocumentId"] == 1 and created["Header"] == "Quarterly Sales Report Q4 2024"
    assert created["CreatedBy"]["FullName"] == "Ada Lovelace" and created["CreatedBy"]["Name"] == "user-1"
    assert created["_Links"]["Self"].endswith("/api/v1/Document/1")
    assert api.request("POST", "/api/v1/Document", json_body={}).json["DocumentId"] == 2


def test_get_answers_the_entity_with_etag(api, created):
    answer = stored(api, 1)
    assert answer.status == 200 and answer.json == created and answer.headers["etag"] == '"1"'


def test_spec_sample_json_patch_and_merge_patch_are_equivalent(api, created):
    a = api.request("PATCH", "/api/v1/Document/1", body=b'[{"op": "replace", "path": "/Attention", "value": "foo"}]',
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert a.status == 200 and a.json["Attention"] == "foo" and a.headers["etag"] == '"2"'
    b = api.request("PATCH", "/api/v1/Document/1", body=b'{"attention": "bar"}',
                    headers={"Content-Type": "application/merge-patch+json"})
    assert b.status == 200 and b.json["Attention"] == "bar" and b.headers["etag"] == '"3"'
    assert b.json["UpdatedBy"]["Name"] == "user-1" and b.json["UpdatedDate"] > created["UpdatedDate"]


@pytest.mark.parametrize("ctype", ["application/json", "application/json-patch+json", "application/merge-patch+json"])
def test_all_three_media_types_take_either_shape(api, created, ctype):
    for body in ([{"op": "add", "path": "/CustomFields/k", "value": ctype}], {"CustomFields": {"k2": ctype}}):
        answer = api.request("PATCH", "/api/v1/Document/1", body=json.dumps(body).encode(), headers={"Content-Type": ctype})
        assert answer.status == 200, answer.body
    assert stored(api, 1).json["CustomFields"] == {"CustomFields1": "suscipit", "k": ctype, "k2": ctype}


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_other_media_types_are_415_with_accept_patch(api, created, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    answer = api.request("PATCH", "/api/v1/Document/1", body=b"[]", headers=headers)
    assert answer.status == 415 and answer.headers["content-type"] == "application/problem+json"
    assert "application/merge-patch+json" in answer.headers["accept-patch"]


def test_failed_test_is_409_and_changes_nothing(api, created):
    answer = api.request("PATCH", "/api/v1/Document/1", headers=PATCH_JSON, body=json.dumps([
        {"op": "replace", "path": "/Header", "value": "changed"},
        {"op": "test", "path": "/OurRef", "value": "wrong"}]).encode())
    assert answer.status == 409 and answer.json["status"] == 409
    assert stored(api, 1).json == created


def test_if_unmodified_since(api, created):
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    answer = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "x"},
                         headers={"If-Unmodified-Since": old})
    assert answer.status == 412 and answer.headers["etag"] == '"1"'
    assert stored(api, 1).json == created
    current = created["UpdatedDate"]
    ok = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "x"}, headers={"If-Unmodified-Since": current})
    assert ok.status == 200
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "y"},
                       headers={"If-Unmodified-Since": future}).status == 200
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "z"},
                       headers={"If-Unmodified-Since": current}).status == 412


def test_if_match_and_if_none_match(api, created):
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "a"}, headers={"If-Match": '"5"'}).status == 412
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "a"}, headers={"If-Match": '"1"'}).status == 200
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "b"}, headers={"If-None-Match": "*"}).status == 412
    assert api.request("POST", "/api/v1/Document", json_body={}, headers={"If-None-Match": "*"}).status == 201
    assert api.request("POST", "/api/v1/Document", json_body={}, headers={"If-Match": '"1"'}).status == 412


def test_select_on_get_and_patch(api, created):
    answer = api.request("GET", "/api/v1/Document/1", query="%24select=header,ourref")
    assert answer.json["Header"] == created["Header"] and answer.json["OurRef"] == "SO-2024-001"
    assert answer.json["DocumentId"] is None and answer.json["CustomFields"] is None
    patched = api.request("PATCH", "/api/v1/Document/1", query="$select=name,department,category/id",
                          json_body=[{"op": "replace", "path": "name", "value": "n2"}])
    assert patched.status == 200 and patched.json["Name"] == "n2" and patched.json["Header"] is None


def test_no_op_patch_commits_nothing(api, created):
    answer = api.request("PATCH", "/api/v1/Document/1", json_body=[])
    assert answer.status == 200 and answer.headers["etag"] == '"1"'
    answer = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": created["Header"]})
    assert answer.headers["etag"] == '"1"'


@pytest.mark.parametrize("body, status, needle", [
    (b'{"Header": ', 400, "not valid JSON"),
    (b'"replace"', 400, "JSON Patch array"),
    (b'[{"op": "jump", "path": "/Header"}]', 400, "unknown op"),
    (b'[{"op": "move", "from": "/Header", "path": "/Name"}]', 400, "not supported"),
    (b'[{"op": "copy", "from": "/Header", "path": "/Name"}]', 400, "not supported"),
    (b'[{"op": "add", "path": "/Department", "value": "foo"}]', 400, "Department"),
    (b'[{"op": "replace", "path": "/ActiveLinks", "value": "many"}]', 400, "ActiveLinks"),
    (b'[{"op": "replace", "path": "/DocumentId", "value": 5}]', 400, "read-only"),
    (b'{"UpdatedDate": "2020-01-01T00:00:00Z"}', 400, "read-only"),
    (b'[{"op": "remove", "path": "/CustomFields/missing"}]', 400, "cannot be applied"),
    (b'[{"op": "add", "path": "/Links/7", "value": {}}]', 400, "cannot be applied"),
    (b'', 400, "empty"),
    (b'\xff\xfe', 400, "UTF-8"),
])
def test_bad_patches_are_4xx_problems_and_change_nothing(api, created, body, status, needle):
    answer = api.request("PATCH", "/api/v1/Document/1", body=body, headers={"Content-Type": "application/json"})
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json
    assert problem["status"] == status and needle in problem["detail"] + json.dumps(problem.get("errors", []))
    assert stored(api, 1).json == created


@pytest.mark.parametrize("raw_id", ["abc", "0", "99999999999", "-3", "1.0"])
def test_non_numeric_ids_are_400(api, raw_id):
    for method in ("GET", "PATCH"):
        answer = api.request(method, f"/api/v1/Document/{raw_id}", json_body=[])
        assert answer.status == 400 and "id must be" in answer.json["detail"]


def test_unknown_id_is_404(api, created):
    assert api.request("GET", "/api/v1/Document/42").status == 404
    assert api.request("PATCH", "/api/v1/Document/42", json_body=[]).status == 404


def test_another_tenant_sees_404_not_data(api, created):
    other = {**DEFAULT_CLAIMS, "tenant": "globex"}
    for method in ("GET", "PATCH"):
        answer = api.request(method, "/api/v1/Document/1", json_body={"Header": "mine"}, claims=other,
                             query="$select=Header")
        assert answer.status == 404 and "Quarterly" not in answer.body.decode()
    assert stored(api, 1).json == created
    assert api.request("POST", "/api/v1/Document", json_body={}, claims=other).json["DocumentId"] == 1


def test_oversized_document_is_413_and_nothing_changes(api, created):
    """Over DynamoDB's 400 KB per item: 413 naming the limit (a document just under it is stored)."""
    answer = api.request("PATCH", "/api/v1/Document/1", json_body={"Description": "x" * 420_000})
    assert answer.status == 413 and "400 KB" in answer.json["detail"]
    assert stored(api, 1).json == created
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Description": "x" * 390_000}).status == 200


def test_no_verified_identity_is_401(api, created):
    answer = api.request("GET", "/api/v1/Document/1", claims=None)
    assert answer.status == 401 and answer.json["title"] == "Unauthorized"


def test_unusable_tenant_is_403(api):
    answer = api.request("POST", "/api/v1/Document", json_body={}, claims={**DEFAULT_CLAIMS, "tenant": "a#b"})
    assert answer.status == 403


def test_wrong_types_on_create_are_400(api):
    answer = api.request("POST", "/api/v1/Document", json_body={"Header": 5, "IsPublished": "no"})
    assert answer.status == 400
    assert {e["field"] for e in answer.json["errors"]} == {"Header", "IsPublished"}
    assert api.request("POST", "/api/v1/Document", json_body=[1]).status == 400


# ---------------------------------------------------------------- content, versions, downloads (DESIGN §9)

def put_content(api, data, content_type="application/pdf", doc_id=1, **headers):
    return api.request("PUT", f"/api/v1/Document/{doc_id}/Content", body=data,
                       headers={"Content-Type": content_type, **headers} if content_type else headers)


def test_put_content_answers_the_entity_and_get_gives_the_bytes_back(api, created):
    data = b"%PDF-1.7 quarterly " + bytes(range(256))
    answer = put_content(api, data)
    assert answer.status == 200 and answer.json["DocumentId"] == 1 and answer.headers["etag"] == '"2"'
    assert answer.json["Header"] == created["Header"]  # the properties stay as they were
    got = api.request("GET", "/api/v1/Document/1/Content")
    assert got.status == 200 and got.body == data and got.headers["content-type"] == "application/pdf"
    import hashlib

    assert got.headers["etag"].startswith(f'"{hashlib.sha256(data).hexdigest()}.')
    # the file takes the entity's Name, its file name; a PDF is shown inline
    assert got.headers["content-disposition"] == "inline; filename=\"Lakin-McClure\"; filename*=UTF-8''Lakin-McClure"


def test_content_without_a_content_type_is_octets_and_a_bad_one_is_400(api, created):
    assert put_content(api, b"\x00\x01", content_type=None).status == 200
    got = api.request("GET", "/api/v1/Document/1/Content")
    assert got.headers["content-type"] == "application/octet-stream" and got.body == b"\x00\x01"
    bad = put_content(api, b"x", content_type="text/plain, text/html")
    assert bad.status == 400 and bad.headers["content-type"] == "application/problem+json"


def test_content_over_4_mib_is_413_naming_the_upload_session_route(api, created):
    from folio.core.limits import MAX_FILE_BYTES

    answer = put_content(api, b"x" * (MAX_FILE_BYTES + 1))
    assert answer.status == 413 and "POST /api/v1/Document/1/Content/uploads" in answer.json["detail"]
    assert stored(api, 1).headers["etag"] == '"1"'
    assert put_content(api, b"x" * MAX_FILE_BYTES).status == 200  # exactly the limit is inline


def test_content_preconditions_are_those_of_patch(api, created):
    stale = put_content(api, b"a", **{"If-Match": '"7"'})
    assert stale.status == 412 and stored(api, 1).headers["etag"] == '"1"'
    assert put_content(api, b"a", **{"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}).status == 412
    assert put_content(api, b"a", **{"If-Match": '"1"'}).status == 200
    assert api.request("GET", "/api/v1/Document/1/Content").body == b"a"


def test_no_content_and_unknown_documents_are_404(api, created):
    assert api.request("GET", "/api/v1/Document/1/Content").status == 404
    assert api.request("GET", "/api/v1/Document/5/Content").status == 404
    assert api.request("GET", "/api/v1/Document/5/Version").status == 404
    assert put_content(api, b"x", doc_id=5).status == 404
    assert api.request("GET", "/api/v1/Document/abc/Content").status == 400


def test_version_list_has_one_version_info_per_content_check_in(api, created):
    assert api.request("GET", "/api/v1/Document/1/Version").json == []
    put_content(api, b"first", "text/plain")
    api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "renamed"})  # no content: no VersionInfo
    put_content(api, b"second version", "text/plain")
    answer = api.request("GET", "/api/v1/Document/1/Version")
    assert answer.status == 200
    versions = answer.json
    assert [v["VersionId"] for v in versions] == ["2", "4"]
    from folio.dialects.crm.answers import VersionInfo

    for info in versions:
        VersionInfo.model_validate(info)
        assert info["DocumentId"] == 1 and info["CheckedInByName"] == "Ada Lovelace"
        assert info["ExternalReference"] == "Lakin-McClure"
    assert versions[1]["ExtraFields"]["Size"] == str(len(b"second version"))
    # each VersionId reads the content that version checked in
    first = api.request("GET", "/api/v1/Document/1/Content", query="versionId=2")
    assert first.status == 200 and first.body == b"first"
    assert api.request("GET", "/api/v1/Document/1/Content", query="versionId=3").body == b"first"
    assert api.request("GET", "/api/v1/Document/1/Content").body == b"second version"
    for unknown in ("9", "0", "x", "99999999999999999999"):
        assert api.request("GET", "/api/v1/Document/1/Content", query=f"versionId={unknown}").status == 404


def test_redirect_on_request_names_the_exact_version_and_the_served_headers(api, aws, created):
    from urllib.parse import parse_qs, urlsplit

    import requests

    put_content(api, b"<html>old</html>", "text/html")
    doc = put_content(api, b"<html>mine</html>", "text/html")
    assert doc.status == 200
    answer = api.request("GET", "/api/v1/Document/1/Content", query="redirect=true")
    assert answer.status == 302 and answer.body == b"" and answer.headers["cache-control"] == "no-store"
    location = answer.headers["location"]
    query = parse_qs(urlsplit(location).query)
    versions = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=f"{DEFAULT_CLAIMS['tenant']}/crm-document/1/content")["Versions"]
    latest = next(v["VersionId"] for v in versions if v["IsLatest"])
    assert query["versionId"] == [latest]
    assert query["response-content-type"] == ["text/html"]
    # an active type is an attachment, with the same rule as inline answers
    assert query["response-content-disposition"] == ["attachment; filename=\"Lakin-McClure\"; "
                                                     "filename*=UTF-8''Lakin-McClure"]
    fetched = requests.get(location)  # moto serves the presigned URL in process
    assert fetched.status_code == 200 and fetched.content == b"<html>mine</html>"
    assert fetched.headers["content-disposition"].startswith("attachment;")
    for value, status in (("false", 200), ("0", 200), ("1", 302), ("TRUE", 302), ("maybe", 400)):
        assert api.request("GET", "/api/v1/Document/1/Content", query=f"redirect={value}").status == status, value


def test_a_5_mib_file_is_302_never_read_and_s3_serves_it_ranges_included(api, aws, created, monkeypatch):
    """A file above the inline threshold (an upload session's object, committed through the same
    put_content as inline bytes) answers 302; the function never reads it."""
    import hashlib

    import requests

    from folio.core import DocumentKey, FileRef
    from folio.dialects.crm import operations
    from folio.storage.files import FileStore
    from folio.web.request import WebRequest

    data = hashlib.sha256(b"seed").digest() * (5 * 2**20 // 32)
    key = DocumentKey(DEFAULT_CLAIMS["tenant"], "crm-document", "1").file_key("content")
    stored_object = FileStore().put(key, data, "application/pdf")
    ref = FileRef(stored_object.key, stored_object.version_id, stored_object.size, None, "application/pdf",
                  "report – Q4.pdf", crc64nvme="AAAAAAAAAAA=")
    _, event = api.event("PUT", "/api/v1/Document/1/Content")
    doc = operations.put_content(WebRequest(event), "1", ref)
    assert doc.version == 2 and doc.files["content"] == ref

    with monkeypatch.context() as patched:
        patched.setattr(FileStore, "get", lambda *a, **k: pytest.fail("a large file must not be read"))
        answer = api.request("GET", "/api/v1/Document/1/Content")
    assert answer.status == 302 and answer.headers["cache-control"] == "no-store"
    location = answer.headers["location"]
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(location).query)
    assert query["versionId"] == [stored_object.version_id] and query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"] == [  # RFC 6266: an ASCII fallback and the exact UTF-8 name
        "inline; filename=\"report _ Q4.pdf\"; filename*=UTF-8''report%20%E2%80%93%20Q4.pdf"]
    whole = requests.get(location)
    assert whole.status_code == 200 and whole.content == data
    part = requests.get(location, headers={"Range": "bytes=1048576-1048675"})
    assert part.status_code == 206 and part.content == data[1048576:1048676]
    # the version list copes with a file that has no SHA-256 (its ETag is the CRC64NVME's)
    info = api.request("GET", "/api/v1/Document/1/Version").json[0]
    assert info["ExtraFields"]["ETag"] == ref.etag and info["ExtraFields"]["Size"] == str(len(data))
