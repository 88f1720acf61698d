"""The artu functions on moto: the batch upsert (atomic and not), lookups, upload URLs, the S3 event."""

import base64
import hashlib
import json
import uuid

import pytest
import requests

from folio.dialects.artu.constants import MAX_UPLOAD_BYTES

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


def upload_url(api, doc_id, body=None):
    return api.request("POST", f"/documents/{doc_id}/upload-url", headers=LIVE, json_body=body)


def policy_of(ticket):
    """The conditions of the presigned POST's signed policy (base64 JSON among its fields)."""
    return json.loads(base64.b64decode(ticket["fields"]["policy"]))["conditions"]


def arrive(api, aws, doc_id, put, sequencer="0000000000000001"):
    """The S3 event of an object version, handed to the record-upload function."""
    from folio.local.events import build_s3_event

    key = f"acme/artu-live/{doc_id}/artu-upload"
    head = aws["s3"].head_object(Bucket=aws["bucket"], Key=key, VersionId=put["VersionId"])
    event = build_s3_event(bucket=aws["bucket"], key=key, size=head["ContentLength"], etag=put["ETag"].strip('"'),
                           version_id=put["VersionId"], sequencer=sequencer)
    return api.runtime.invoke("ArtuRecordUploadFunction", event)


def test_upload_url_and_the_s3_event_record_the_file(api, aws):
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    answer = upload_url(api, doc["id"], {"contentType": "image/jpeg"})
    assert answer.status == 200, answer.body
    upload = answer.json
    assert upload["method"] == "POST" and upload["headers"] == {} and upload["maxSize"] == MAX_UPLOAD_BYTES
    assert upload["fields"]["key"] == f"acme/artu-live/{doc['id']}/artu-upload"
    assert upload["fields"]["Content-Type"] == "image/jpeg" and "x-amz-signature" in upload["fields"]
    data = b"\xff\xd8\xff" + b"jpeg bytes" * 100
    put = aws["s3"].put_object(Bucket=aws["bucket"], Key=f"acme/artu-live/{doc['id']}/artu-upload", Body=data,
                               ContentType="image/jpeg")
    assert arrive(api, aws, doc["id"], put) == {"recorded": 1}
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert (got["status"], got["contentType"], got["size"]) == ("uploaded", "image/jpeg", len(data))
    from folio.storage.wiring import batch_service
    from folio.dialects.artu.mapping import document_key

    stored = batch_service().read(document_key("acme", "live", CLIENT, "ine-0001"))
    assert stored.files["file"].sha256 == hashlib.sha256(data).hexdigest()
    assert stored.files["file"].version_id == put["VersionId"]
    arrive(api, aws, doc["id"], put, sequencer="0000000000000000")  # out of order: ignored
    assert batch_service().read(stored.key).version == stored.version


def test_the_presigned_post_binds_size_type_key_and_name(api, aws):
    """S3 refuses what the signed policy does not allow; the policy carries the size bound."""
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    ticket = upload_url(api, doc["id"], {"contentType": "image/jpeg", "filename": "INE frente ñ.jpg",
                                         "size": 1000}).json
    conditions = policy_of(ticket)
    assert ["content-length-range", 0, 1000] in conditions and ticket["maxSize"] == 1000
    assert {"Content-Type": "image/jpeg"} in conditions
    assert {"key": f"acme/artu-live/{doc['id']}/artu-upload"} in conditions
    assert {"x-amz-meta-filename": ticket["fields"]["x-amz-meta-filename"]} in conditions
    assert ["content-length-range", 0, MAX_UPLOAD_BYTES] in policy_of(upload_url(api, doc["id"]).json)
    data = b"\xff\xd8\xff" + b"j" * 900
    sent = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("x.jpg", data)})
    assert sent.status_code in (200, 201, 204), sent.text  # moto stores the form (it checks no policy)
    key = f"acme/artu-live/{doc['id']}/artu-upload"
    put = aws["s3"].head_object(Bucket=aws["bucket"], Key=key)
    assert arrive(api, aws, doc["id"], put | {"ETag": put["ETag"]}) == {"recorded": 1}
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert (got["status"], got["filename"], got["size"], got["contentType"]) == (
        "uploaded", "INE frente ñ.jpg", len(data), "image/jpeg")


@pytest.mark.parametrize("body", [
    {"size": -1}, {"size": MAX_UPLOAD_BYTES + 1}, {"size": 1.5}, {"size": "10"}, {"size": True},
    {"size": 10**20}, {"filename": ""}, {"filename": 7}, {"filename": "a/b.pdf"},
    {"filename": "a\u0000b"}, {"filename": "a\nb"}, {"filename": "é" * 200}, {"contentType": "text"},
    {"contentType": "text/plaiñ"}, {"other": 1}, [], "x"])
def test_upload_url_refuses_bad_size_filename_and_type(api, body):
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    answer = upload_url(api, doc["id"], body)
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"


def test_the_recorder_reads_nothing_of_an_object_over_the_bound(api, aws, monkeypatch):
    """An object larger than the bound is not read (S3's ContentLength says so): the document is
    rejected with the reason; one within the bound is read whole, and never past the bound."""
    from botocore.response import StreamingBody

    from folio.dialects.artu import operations

    monkeypatch.setattr(operations, "MAX_UPLOAD_BYTES", 4096)
    read = []
    original = StreamingBody.read

    def spy(self, amt=None):
        chunk = original(self, amt)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(StreamingBody, "read", spy)
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    key = f"acme/artu-live/{doc['id']}/artu-upload"
    big = aws["s3"].put_object(Bucket=aws["bucket"], Key=key, Body=b"x" * 50_000, ContentType="image/jpeg")
    assert arrive(api, aws, doc["id"], big, sequencer="01") == {"recorded": 1}
    assert sum(read) == 0
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert got["status"] == "rejected" and "4096" in got["rejectionReason"] and got["size"] == SPEC_ITEM["size"]
    fits = aws["s3"].put_object(Bucket=aws["bucket"], Key=key, Body=b"y" * 4096, ContentType="image/jpeg")
    arrive(api, aws, doc["id"], fits, sequencer="02")
    assert sum(read) == 4096
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert (got["status"], got["size"], got["rejectionReason"]) == ("uploaded", 4096, None)


def test_a_batch_after_the_upload_keeps_the_files_facts(api, aws):
    """size, filename and contentType come from the file once it arrived; a later item's are ignored."""
    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]
    ticket = upload_url(api, doc["id"], {"contentType": "image/jpeg", "filename": "real.jpg"}).json
    data = b"\xff\xd8\xff" + b"q" * 300
    assert requests.post(ticket["url"], data=ticket["fields"], files={"file": ("x", data)}).ok
    put = aws["s3"].head_object(Bucket=aws["bucket"], Key=ticket["fields"]["key"])
    arrive(api, aws, doc["id"], put)
    for atomic in (True, False):
        again = batch(api, [{**SPEC_ITEM, "filename": "forged.exe", "size": 1, "type": "passport"}], atomic=atomic)
        assert again.status == 200, again.body
        answered = again.json["data"][0]["data"]
        assert (answered["filename"], answered["size"], answered["contentType"], answered["type"]) == (
            "real.jpg", len(data), "image/jpeg", "passport")
    got = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]
    assert (got["filename"], got["size"], got["status"]) == ("real.jpg", len(data), "uploaded")


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
