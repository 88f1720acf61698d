"""The artu functions on moto: the batch upsert (atomic and not), lookups, upload URLs, the S3 event."""

import hashlib
import uuid

import pytest

from ..conftest import DEFAULT_CLAIMS

CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
LIVE = {"X-Environment": "live"}
SPEC_ITEM = {
    "clientId": CLIENT, "externalId": "ine-0001", "scope": "kyc", "type": "ine", "expiresAt": "2030-12-31",
    "metadata": {"source": "crm"},
    "fields": {"claveElector": "GOMZJN80010109H400", "curp": "GOMJ800101HDFMRN09", "fullName": "Juan Gomez",
               "paternalSurname": "Gomez", "maternalSurname": "Martinez", "givenNames": "Juan",
               "dateOfBirth": "1980-01-01", "birthState": "CDMX", "street": "Reforma", "exteriorNumber": "222",
               "interiorNumber": "4B", "neighborhood": "Juarez", "municipality": "Cuauhtemoc", "state": "CDMX",
               "postalCode": "06600", "section": "0123", "registrationYear": 1998, "issueYear": 2019,
               "expirationYear": 2029},
    "filename": "ine-front.jpg", "size": 52340, "storagePath": "uploads/ine-front.jpg",
}


def batch(api, items, atomic=None, headers=LIVE, claims=DEFAULT_CLAIMS):
    body = {"items": items} if atomic is None else {"items": items, "atomic": atomic}
    return api.request("PUT", "/documents/batch/external", json_body=body, headers=headers, claims=claims)


def many(n, prefix="ext", **extra):
    return [{"clientId": CLIENT, "externalId": f"{prefix}-{i}", "type": "ine", **extra} for i in range(n)]


def test_the_specs_item_creates_a_document_pending_upload(api):
    answer = batch(api, [SPEC_ITEM])
    assert answer.status == 200, answer.body
    assert answer.json["atomic"] is True and len(answer.json["data"]) == 1
    doc = answer.json["data"][0]["data"]
    assert list(doc) == ["clientId", "type", "id", "createdAt", "updatedAt", "status", "filename", "contentType",
                         "size", "expiresAt", "verifiedAt", "verifiedBy", "rejectionReason", "reviewedAt",
                         "reviewedBy", "externalId", "fields", "metadata"]
    assert doc["status"] == "pending_upload" and uuid.UUID(doc["id"]) and doc["clientId"] == CLIENT
    assert doc["fields"]["dateOfBirth"] == "1980-01-01" and doc["metadata"] == {"source": "crm"}
    assert doc["createdAt"].endswith("Z") and doc["expiresAt"] == "2030-12-31"
    assert doc["filename"] == "ine-front.jpg" and doc["size"] == 52340 and doc["contentType"] is None


def test_second_batch_updates_by_external_id_keeping_the_id(api):
    first = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    second = batch(api, [{"clientId": CLIENT, "externalId": "ine-0001", "metadata": {"source": "erp"}}])
    doc = second.json["data"][0]["data"]
    assert doc["id"] == first["id"] and doc["metadata"] == {"source": "erp"}
    assert doc["fields"] == first["fields"] and doc["type"] == "ine" and doc["createdAt"] == first["createdAt"]
    got = api.request("GET", f"/documents/{first['id']}", headers=LIVE)
    assert got.status == 200 and got.json["data"] == doc


def test_environments_share_nothing(api):
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    assert api.request("GET", f"/documents/{doc['id']}", headers={"X-Environment": "test"}).status == 404
    test_doc = batch(api, [SPEC_ITEM], headers={"X-Environment": "test"}).json["data"][0]["data"]
    assert test_doc["id"] != doc["id"]
    for headers in ({}, {"X-Environment": "prod"}):
        assert batch(api, [SPEC_ITEM], headers=headers).status == 400


def test_lookup_by_client_and_external_id(api):
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    found = api.request("GET", "/documents", headers=LIVE, query=f"clientId={CLIENT}&externalId=ine-0001")
    assert found.status == 200 and found.json == {"data": [doc]}
    none = api.request("GET", "/documents", headers=LIVE, query=f"clientId={CLIENT}&externalId=nope")
    assert none.json == {"data": []}


def test_atomic_250_with_one_invalid_item_changes_nothing(api, aws):
    items = many(250)
    items[137]["expiresAt"] = "not-a-date"
    answer = batch(api, items)
    assert answer.status == 400 and answer.headers["content-type"] == "application/problem+json"
    assert [(e["index"], e["externalId"]) for e in answer.json["errors"]] == [(137, "ext-137")]
    assert "expiresAt" in answer.json["errors"][0]["reason"]
    assert aws["dynamodb"].scan(TableName=aws["table"])["Count"] == 0


def test_atomic_250_valid_applies_all(api):
    answer = batch(api, many(250))
    assert answer.status == 200 and len(answer.json["data"]) == 250
    assert [d["data"]["externalId"] for d in answer.json["data"]] == [f"ext-{i}" for i in range(250)]
    again = batch(api, many(250, type="passport"))
    assert {d["data"]["type"] for d in again.json["data"]} == {"passport"}


def test_non_atomic_answers_item_by_item(api):
    items = many(3)
    items[1]["size"] = -5
    answer = batch(api, items, atomic=False)
    assert answer.status == 200 and answer.json["atomic"] is False
    data = answer.json["data"]
    assert "data" in data[0] and "data" in data[2]
    assert data[1]["error"]["status"] == 400 and "size" in data[1]["error"]["detail"]


@pytest.mark.parametrize("body", [{"items": []}, {"items": many(251)}, {"items": many(1), "atomic": "yes"},
                                  {"items": many(1), "extra": 1}, [1, 2]])
def test_batch_shape_errors_are_400(api, body):
    answer = api.request("PUT", "/documents/batch/external", json_body=body, headers=LIVE)
    assert answer.status == 400


def test_duplicate_external_ids_are_400(api, aws):
    items = many(3) + [{"clientId": str(uuid.uuid4()), "externalId": "ext-1"}]
    for atomic in (True, False):
        answer = batch(api, items, atomic=atomic)
        assert answer.status == 400 and answer.json["errors"][0]["index"] == 3
    assert aws["dynamodb"].scan(TableName=aws["table"])["Count"] == 0


def test_unknown_item_properties_are_400(api):
    answer = batch(api, [{**SPEC_ITEM, "colour": "red"}])
    assert answer.status == 400 and "colour" in answer.json["errors"][0]["reason"]


def test_another_tenant_sees_nothing(api):
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    other = {**DEFAULT_CLAIMS, "tenant": "globex"}
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE, claims=other).status == 404
    assert api.request("POST", f"/documents/{doc['id']}/upload-url", headers=LIVE, claims=other).status == 404


def test_upload_url_and_the_s3_event_record_the_file(api, aws):
    from folio.local.events import build_s3_event

    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    answer = api.request("POST", f"/documents/{doc['id']}/upload-url", headers=LIVE,
                         json_body={"contentType": "image/jpeg"})
    assert answer.status == 200, answer.body
    upload = answer.json
    assert upload["method"] == "PUT" and upload["headers"] == {"Content-Type": "image/jpeg"}
    assert f"acme/artu-live/{doc['id']}/artu-upload" in upload["url"] and "X-Amz-Expires=300" in upload["url"]
    data = b"\xff\xd8\xff" + b"jpeg bytes" * 100
    put = aws["s3"].put_object(Bucket=aws["bucket"], Key=f"acme/artu-live/{doc['id']}/artu-upload", Body=data,
                               ContentType="image/jpeg")
    event = build_s3_event(bucket=aws["bucket"], key=f"acme/artu-live/{doc['id']}/artu-upload", size=len(data),
                           etag=put["ETag"].strip('"'), version_id=put["VersionId"], sequencer="0000000000000001")
    assert api.runtime.invoke("ArtuRecordUploadFunction", event) == {"recorded": 1}
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert (got["status"], got["contentType"], got["size"]) == ("uploaded", "image/jpeg", len(data))
    from folio.storage.wiring import batch_service
    from folio.dialects.artu.mapping import document_key

    stored = batch_service().read(document_key("acme", "live", CLIENT, "ine-0001"))
    assert stored.files["file"].sha256 == hashlib.sha256(data).hexdigest()
    assert stored.files["file"].version_id == put["VersionId"]
    older = build_s3_event(bucket=aws["bucket"], key=f"acme/artu-live/{doc['id']}/artu-upload", size=1,
                           etag="x", version_id=put["VersionId"], sequencer="0000000000000000")
    api.runtime.invoke("ArtuRecordUploadFunction", older)  # out of order: ignored
    assert batch_service().read(stored.key).version == stored.version


def test_s3_events_for_other_keys_are_ignored(api):
    from folio.local.events import build_s3_event

    event = build_s3_event(bucket="b", key="acme/kyc-document/7/1/front", size=1, etag="x", version_id="v",
                           sequencer="01")
    assert api.runtime.invoke("ArtuRecordUploadFunction", event) == {"recorded": 0}


# ---- near DynamoDB's limits (issue 11): applied whole, or 413 naming the limit; never half, never 503

def test_33_items_of_140_kb_metadata_apply_whole_and_stay_writable(api, aws):
    """99 actions fit one transaction's count, but 9 MB do not fit its 4 MB: the batch goes through
    locks and an intent packed by bytes, and applies whole."""
    answer = batch(api, many(33, prefix="big", metadata={"blob": "m" * 140_000}))
    assert answer.status == 200, answer.body[:300]
    assert len(answer.json["data"]) == 33
    again = batch(api, many(33, prefix="big", metadata={"blob": "n" * 140_000}))
    assert again.status == 200 and {d["data"]["metadata"]["blob"][:1] for d in again.json["data"]} == {"n"}
    assert batch(api, many(1, prefix="big", type="passport")).status == 200


def test_an_item_over_400_kb_refuses_the_batch_with_413_and_locks_nothing(api, aws):
    assert batch(api, many(5, prefix="lim")).status == 200
    items = many(5, prefix="lim", type="passport")
    items[2]["metadata"] = {"blob": "m" * 420_000}
    answer = batch(api, items)
    assert answer.status == 413 and "400 KB" in answer.json["detail"], answer.body[:300]
    assert answer.json["errors"][0]["externalId"] == "lim-2"
    scan = aws["dynamodb"].scan(TableName=aws["table"])["Items"]
    assert not [i for i in scan if "txlock" in i or i["sk"]["S"].startswith("PENDING#")]
    again = batch(api, many(5, prefix="lim", type="passport"))
    assert again.status == 200 and {d["data"]["type"] for d in again.json["data"]} == {"passport"}
