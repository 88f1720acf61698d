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
