"""Idempotency-Key on mutating routes (Powertools Idempotency, keyed per tenant and caller)."""

import json

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


# ---------------------------------------------------------------- what selects data or authorizes it

KYC_CREATE = "/api/customer/42/document"


def kyc_create(api, key, domain, claims=DEFAULT_CLAIMS):
    """A kyc create (multipart: each send picks a new boundary, as a retrying client may)."""
    from requests_toolbelt import MultipartEncoder

    from ..support.files import png

    encoder = MultipartEncoder(fields=[("document", json.dumps(KYC_DOCUMENT)),
                                       ("front", ("f.png", png(), "image/png"))])
    return api.request("POST", KYC_CREATE, body=encoder.to_string(), claims=claims,
                       headers={"Content-Type": encoder.content_type, "X-Domain-ID": domain, "Idempotency-Key": key})


KYC_DOCUMENT = {"type": "NATIONAL_ID", "number": "S1234567A", "authenticity": "ORIGINAL",
                "issueDate": "2020-01-01T00:00:00.000Z", "expiryDate": "2030-01-01T00:00:00.000Z",
                "showExpiryNotification": True}


def test_a_retry_under_another_domain_is_not_a_replay(api):
    first = kyc_create(api, "K", "1")
    assert first.status == 201, first.body
    again = kyc_create(api, "K", "2")
    assert again.status == 422 and "idempotent-replayed" not in again.headers
    assert api.request("GET", f"{KYC_CREATE}/{first.json['id']}", headers={"X-Domain-ID": "2"}).status == 404
    assert kyc_create(api, "K", "1").headers["idempotent-replayed"] == "true"  # the first request's own retry


def test_a_retry_under_a_token_without_the_domain_is_not_a_replay(api):
    assert kyc_create(api, "K", "1", claims={**DEFAULT_CLAIMS, "folio:domains": "[1 2]"}).status == 201
    refused = kyc_create(api, "K", "1", claims={**DEFAULT_CLAIMS, "folio:domains": "[2]"})
    assert refused.status in (403, 422) and "idempotent-replayed" not in refused.headers
    assert str(KYC_DOCUMENT["number"]) not in refused.body.decode()


def test_a_retry_with_fewer_scopes_is_not_a_replay(api):
    assert post(api, "k-scope", {"Header": "x"}).status == 201
    reader = {**DEFAULT_CLAIMS, "scope": "documents:read"}
    answer = post(api, "k-scope", {"Header": "x"}, claims=reader)
    assert answer.status in (403, 422) and "idempotent-replayed" not in answer.headers


def test_artu_environments_do_not_share_a_key(api):
    item = {"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "externalId": "e-1", "type": "ine"}

    def upsert(environment):
        return api.request("PUT", "/documents/batch/external", json_body={"items": [item]},
                           headers={"X-Environment": environment, "Idempotency-Key": "K"})

    live = upsert("live")
    assert live.status == 200, live.body
    test = upsert("test")
    assert test.status == 422 and "idempotent-replayed" not in test.headers
    document_id = live.json["data"][0]["data"]["id"]
    assert api.request("GET", f"/documents/{document_id}", headers={"X-Environment": "test"}).status == 404


def test_a_retry_with_another_precondition_is_not_a_replay(api):
    doc = post(api, "k-seed", {"Header": "v1"}).json

    def patch(etag):
        return api.request("PATCH", f"/api/v1/Document/{doc['DocumentId']}", json_body={"Header": "v2"},
                           headers={"Idempotency-Key": "k-if", "If-Match": etag})

    first = patch('"1"')
    assert first.status == 200, first.body
    assert patch('"2"').status == 422
    assert patch('"1"').headers["idempotent-replayed"] == "true"


def test_json_nested_very_deep_with_a_key_is_400(api):
    body = b"[" * 100_000 + b"]" * 100_000
    answer = api.request("POST", "/api/v1/Document", body=body,
                         headers={"Content-Type": "application/json", "Idempotency-Key": "k-deep"})
    assert answer.status == 400


# ---------------------------------------------------------------- answers of any size, records that expire

def idempotency_records(aws):
    items = aws["dynamodb"].scan(TableName=aws["table"])["Items"]
    return [item for item in items if "#idempotency#" in item["pk"]["S"]]


def test_an_answer_too_large_for_an_item_is_kept_and_replayed(api, aws):
    # ~300 KB of text that JSON escapes (the record's copy of this answer is well over 400 KB)
    large = {"Header": "large", "CustomFields": {f"field{i}": "Zoë \"Ω\" " * 100 for i in range(300)}}
    first = post(api, "k-large", large)
    assert first.status == 201, first.body[:300]
    assert len(first.body) > 300_000
    again = post(api, "k-large", large)
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.body == first.body and again.headers["etag"] == first.headers["etag"]
    assert api.request("POST", "/api/v1/Document", json_body={}).json["DocumentId"] == first.json["DocumentId"] + 1
    kept = aws["s3"].list_objects_v2(Bucket=aws["bucket"], Prefix="~idempotency/")["Contents"]
    assert len(kept) == 1
    (record,) = idempotency_records(aws)
    assert len(record["data"]["S"]) < 1000  # the table keeps a pointer, not the answer


def test_records_expire_through_the_tables_ttl(api, aws, template):
    import time

    from folio.storage.idempotency import idempotency_store

    assert post(api, "k-ttl", {"Header": "x"}).status == 201
    (record,) = idempotency_records(aws)
    expiry = idempotency_store("acme").expiry_attr
    assert abs(int(record[expiry]["N"]) - (time.time() + 24 * 3600)) < 120  # epoch seconds, 24 h ahead
    (table,) = template.of_type("AWS::DynamoDB::Table").values()
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": expiry, "Enabled": True}


def test_when_the_record_cannot_be_saved_the_committed_answer_still_reaches_the_caller(api, monkeypatch):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    update, unavailable = DynamoDBPersistenceLayer._update_record, [True]

    def fail(self, data_record):
        if unavailable:
            raise RuntimeError("the table is unavailable")
        return update(self, data_record)

    monkeypatch.setattr(DynamoDBPersistenceLayer, "_update_record", fail)
    first = post(api, "k-lost", {"Header": "committed"})
    assert first.status == 201 and first.json["Header"] == "committed"
    unavailable.clear()
    assert post(api, "k-lost", {"Header": "committed"}).status == 409  # never a second write under the key
    assert api.request("POST", "/api/v1/Document", json_body={}).json["DocumentId"] == first.json["DocumentId"] + 1


def test_an_artu_batch_answer_of_any_size_is_replayed(api, aws):
    client = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
    items = [{"clientId": client, "externalId": f"e-{i}", "type": "ine", "metadata": {"note": "ü" * 3000}}
             for i in range(50)]

    def upsert():
        return api.request("PUT", "/documents/batch/external", json_body={"items": items, "atomic": False},
                           headers={"X-Environment": "live", "Idempotency-Key": "k-batch"})

    first = upsert()
    assert first.status == 200, first.body[:300]
    again = upsert()
    assert again.status == 200 and again.headers["idempotent-replayed"] == "true" and again.body == first.body
    assert {d["data"]["id"] for d in again.json["data"]} == {d["data"]["id"] for d in first.json["data"]}


def test_a_large_answer_that_cannot_be_kept_still_leaves_its_key_used(api, monkeypatch):
    """The change is committed but the bucket refuses the answer: the caller gets the answer, and
    a retry - also after the first invocation's time is up - is told so (409), never run again."""
    from folio.storage.files import FileStore

    def refuse(self, key, data, content_type):
        raise RuntimeError("the bucket is unavailable")

    monkeypatch.setattr(FileStore, "put", refuse)
    large = {"Header": "large", "CustomFields": {f"field{i}": "Zoë \"Ω\" " * 100 for i in range(300)}}
    first = post(api, "k-lost-large", large)
    assert first.status == 201
    again = post(api, "k-lost-large", large)
    assert again.status == 409 and again.headers["idempotent-replayed"] == "true"
    assert b"answer could not be kept" in again.body
    assert api.request("POST", "/api/v1/Document", json_body={}).json["DocumentId"] == first.json["DocumentId"] + 1


def test_no_tenant_owns_the_prefix_of_kept_answers():
    """Every file key starts with its tenant; the answers' prefix (and the lifecycle rule that
    expires it) can never hold a tenant's files."""
    from folio.core import Caller
    from folio.core.errors import Forbidden
    from folio.storage.idempotency import ANSWER_PREFIX

    with pytest.raises(Forbidden):
        Caller(tenant=ANSWER_PREFIX.split("/")[0], sub="u")
    assert ANSWER_PREFIX.split("/")[0] != "idempotency"
