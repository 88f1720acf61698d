"""Idempotency-Key on mutating routes (Powertools Idempotency, keyed per tenant and caller)."""

import pytest

from ..conftest import DEFAULT_CLAIMS


def post(api, key, body, claims=DEFAULT_CLAIMS):
    return api.request("POST", "/api/v1/Document", json_body=body, headers={"Idempotency-Key": key}, claims=claims)


def test_a_retry_returns_the_first_answer_and_creates_nothing(api):
    first = post(api, "k-1", {"Header": "once"})
    again = post(api, "k-1", {"Header": "once"})
    assert first.status == again.status == 201
    assert again.json == first.json and again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert api.request("POST", "/api/v1/Document", json_body={}).json["DocumentId"] == first.json["DocumentId"] + 1


def test_the_same_key_with_another_body_is_422(api):
    assert post(api, "k-2", {"Header": "a"}).status == 201
    answer = post(api, "k-2", {"Header": "b"})
    assert answer.status == 422 and answer.headers["content-type"] == "application/problem+json"


def test_keys_are_per_tenant_and_caller(api):
    mine = post(api, "shared", {"Header": "x"}).json["DocumentId"]
    other_caller = post(api, "shared", {"Header": "x"}, claims={**DEFAULT_CLAIMS, "sub": "user-2"})
    other_tenant = post(api, "shared", {"Header": "x"}, claims={**DEFAULT_CLAIMS, "tenant": "globex"})
    assert other_caller.status == 201 and other_caller.json["DocumentId"] == mine + 1
    assert other_tenant.status == 201 and other_tenant.json["DocumentId"] == 1


def test_a_failed_request_is_not_remembered(api):
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "x"},
                       headers={"Idempotency-Key": "k-3"}).status == 404
    post(api, "k-seed", {})
    answer = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "x"}, headers={"Idempotency-Key": "k-3"})
    assert answer.status == 200


def test_while_the_first_is_in_flight_a_retry_is_409(api, monkeypatch):
    from folio.core import DocumentService

    original = DocumentService.create
    nested = []

    def create(self, *args, **kwargs):
        if not nested:  # the client retries while the first request is still being served
            nested.append(post(api, "k-4", {"Header": "slow"}))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DocumentService, "create", create)
    first = post(api, "k-4", {"Header": "slow"})
    assert first.status == 201 and nested[0].status == 409


@pytest.mark.parametrize("key", ["", "x" * 256, "bad key", "é"])
def test_malformed_keys_are_400(api, key):
    assert post(api, key, {}).status == 400


def test_dms_answers_in_its_own_error_format(api):
    from requests_toolbelt import MultipartEncoder

    def upload(content):
        encoder = MultipartEncoder(fields={"file": ("a.txt", content, "text/plain")})
        return api.request("POST", "/api/v2/clients/1/dms/projects/1/documents", body=encoder.to_string(),
                           headers={"Content-Type": encoder.content_type, "Idempotency-Key": "dms-1"})

    assert upload(b"one").status == 201
    replay = upload(b"one")
    assert replay.status == 201 and replay.json["id"] == 1
    reused = upload(b"two")
    assert reused.status == 422 and reused.json["status"] == "error" and reused.json["code"] == 422


def test_gets_ignore_the_header(api):
    doc = post(api, "k-5", {}).json
    got = api.request("GET", f"/api/v1/Document/{doc['DocumentId']}", headers={"Idempotency-Key": "k-5"})
    assert got.status == 200 and "idempotent-replayed" not in got.headers
