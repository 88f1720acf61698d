"""The four kyc functions on moto, with payload-2.0 multipart events."""

import hashlib
import json

import pytest
from requests_toolbelt import MultipartEncoder

from ..conftest import DEFAULT_CLAIMS
from ..support.files import HEIC, JPEG, PDF, WEBP, png

SPEC_DOCUMENT = {
    "type": "NATIONAL_ID", "number": "S1234567A", "authenticity": "ORIGINAL",
    "issueDate": "2020-01-01T00:00:00.000Z", "expiryDate": "2030-01-01T00:00:00.000Z",
    "showExpiryNotification": True,
}
DOMAIN = {"X-Domain-ID": "7"}


def multipart(document=SPEC_DOCUMENT, front=("front.png", png(), "image/png"), back=None, document_type=None, extra=()):
    fields = []
    if document is not None:
        raw = document if isinstance(document, str) else json.dumps(document)
        fields.append(("document", (None, raw, document_type) if document_type else raw))
    if front is not None:
        fields.append(("front", front))
    if back is not None:
        fields.append(("back", back))
    fields.extend(extra)
    encoder = MultipartEncoder(fields=fields)
    return encoder.to_string(), {"Content-Type": encoder.content_type}


def send(api, method, path, headers=DOMAIN, claims=DEFAULT_CLAIMS, **parts):
    body, content_type = multipart(**parts)
    return api.request(method, path, body=body, headers={**content_type, **headers}, claims=claims)


@pytest.fixture
def created(api):
    answer = send(api, "POST", "/api/customer/42/document", back=("back.jpg", JPEG, "image/jpeg"))
    assert answer.status == 201, answer.body
    return answer


def versions_in_bucket(aws):
    listing = aws["s3"].list_object_versions(Bucket=aws["bucket"])
    return sorted((v["Key"], v["VersionId"]) for v in listing.get("Versions", []))


def test_create_answers_every_field_of_the_spec_response(api, created):
    doc = created.json
    assert list(doc) == sorted(doc)  # the spec lists them alphabetically; so do we
    assert set(doc) == {
        "assignees", "authenticity", "back", "backName", "createdAt", "createdBy", "customerId", "expiryDate",
        "front", "frontName", "id", "issueDate", "number", "parentCustomerId", "parentParticular", "particular",
        "showExpiryNotification", "type", "updatedAt", "updatedBy"}
    assert doc["id"] == 1 and doc["customerId"] == 42
    assert (doc["type"], doc["number"], doc["authenticity"]) == ("NATIONAL_ID", "S1234567A", "ORIGINAL")
    assert (doc["issueDate"], doc["expiryDate"], doc["showExpiryNotification"]) == ("2020-01-01", "2030-01-01", True)
    assert doc["front"].endswith("/api/customer/42/document/1/front") and doc["frontName"] == "front.png"
    assert doc["back"].endswith("/api/customer/42/document/1/back") and doc["backName"] == "back.jpg"
    assert doc["createdBy"] == {"email": "ada@example.com", "firstName": None, "fullName": "Ada Lovelace",
                                "id": None, "lastName": None}
    assert set(doc["createdAt"]) == {"date", "day", "hours", "minutes", "month", "nanos", "seconds", "time",
                                     "timezoneOffset", "year"}
    assert (doc["assignees"], doc["particular"], doc["parentParticular"], doc["parentCustomerId"]) == ([], {}, {}, None)
    assert created.headers["etag"] == '"1"' and created.headers["location"].endswith("/api/customer/42/document/1")


def test_get_and_images_return_exact_bytes_with_type_and_etag(api, created):
    got = api.request("GET", "/api/customer/42/document/1", headers=DOMAIN)
    assert got.status == 200 and got.json == created.json
    front = api.request("GET", "/api/customer/42/document/1/front", headers=DOMAIN)
    assert front.status == 200 and front.body == png() and front.headers["content-type"] == "image/png"
    assert front.headers["etag"].startswith(f'"{hashlib.sha256(png()).hexdigest()}.')
    back = api.request("GET", "/api/customer/42/document/1/back", headers=DOMAIN)
    assert back.body == JPEG and back.headers["content-type"] == "image/jpeg"


def test_update_without_back_keeps_the_previous_back(api, aws, created):
    new_front = png(3, 3, (0, 0, 255))
    answer = send(api, "PUT", "/api/customer/42/document/1", front=("scan.png", new_front, "application/octet-stream"),
                  document={"number": "S7654321B"})
    assert answer.status == 200, answer.body
    doc = answer.json
    assert doc["number"] == "S7654321B" and doc["type"] == "NATIONAL_ID" and doc["issueDate"] == "2020-01-01"
    assert doc["frontName"] == "scan.png" and doc["backName"] == "back.jpg"
    assert answer.headers["etag"] == '"2"'
    assert api.request("GET", "/api/customer/42/document/1/front", headers=DOMAIN).body == new_front
    assert api.request("GET", "/api/customer/42/document/1/back", headers=DOMAIN).body == JPEG
    fronts = [v for v in versions_in_bucket(aws) if v[0].endswith("/front")]
    assert len(fronts) == 2  # every version kept


def test_update_with_back_replaces_it(api, created):
    answer = send(api, "PUT", "/api/customer/42/document/1", front=("f.pdf", PDF, "application/pdf"),
                  back=("b.webp", WEBP, "image/webp"))
    assert answer.status == 200 and answer.json["backName"] == "b.webp"
    back = api.request("GET", "/api/customer/42/document/1/back", headers=DOMAIN)
    assert back.body == WEBP and back.headers["content-type"] == "image/webp"


@pytest.mark.parametrize("data, expected", [(JPEG, "image/jpeg"), (png(), "image/png"), (HEIC, "image/heic"),
                                            (WEBP, "image/webp"), (PDF, "application/pdf")])
def test_accepted_types_are_judged_by_their_bytes(api, data, expected):
    answer = send(api, "POST", "/api/customer/42/document", front=("example-file", data, "application/octet-stream"))
    assert answer.status == 201, answer.body
    image = api.request("GET", f"/api/customer/42/document/{answer.json['id']}/front", headers=DOMAIN)
    assert image.headers["content-type"] == expected and image.body == data


@pytest.mark.parametrize("front", [("a.png", b"GIF89a not allowed", "image/png"),
                                   ("a.txt", b"hello", "text/plain"),
                                   ("lying.jpg", b"<html>" * 10, "image/jpeg")])
def test_a_front_that_is_no_image_is_415_and_stores_nothing(api, aws, front):
    answer = send(api, "POST", "/api/customer/42/document", front=front)
    assert answer.status == 415 and answer.headers["content-type"] == "application/problem+json"
    assert "JPEG, PNG, HEIC, WebP or PDF" in answer.json["detail"]
    assert versions_in_bucket(aws) == []


def test_a_back_that_is_no_image_is_415_and_changes_nothing(api, aws, created):
    before = versions_in_bucket(aws)
    answer = send(api, "PUT", "/api/customer/42/document/1", back=("b.txt", b"text", "text/plain"))
    assert answer.status == 415
    assert versions_in_bucket(aws) == before
    assert api.request("GET", "/api/customer/42/document/1", headers=DOMAIN).json == created.json


def test_a_file_over_4_mib_is_413(api, aws):
    big = png() + b"\x00" * (4 * 1024 * 1024)
    answer = send(api, "POST", "/api/customer/42/document", front=("big.png", big, "image/png"))
    assert answer.status == 413 and versions_in_bucket(aws) == []


@pytest.mark.parametrize("document, field", [
    ({"type": "NATIONAL_ID", "issueDate": "2030-01-01", "expiryDate": "2020-01-01"}, "document.expiryDate"),
    ({"type": "NATIONAL_CARD"}, "document.type"),
    ({"type": "NATIONAL_ID", "authenticity": "FAKE"}, "document.authenticity"),
    ({"type": "NATIONAL_ID", "issueDate": "0000-00-00"}, "document.issueDate"),
    ({"type": "NATIONAL_ID", "showExpiryNotification": "yes"}, "document.showExpiryNotification"),
    ({"type": "NATIONAL_ID", "colour": "blue"}, "document.colour"),
    ({"number": "X1"}, "document.type"),
])
def test_invalid_fields_are_400_naming_the_field(api, aws, document, field):
    answer = send(api, "POST", "/api/customer/42/document", document=document)
    assert answer.status == 400, answer.body
    assert field in [e["field"] for e in answer.json["errors"]]
    assert versions_in_bucket(aws) == []


def test_expiry_before_an_existing_issue_date_is_400_on_update(api, created):
    answer = send(api, "PUT", "/api/customer/42/document/1", document={"expiryDate": "2019-12-31"})
    assert answer.status == 400 and "before issueDate" in answer.json["detail"]


@pytest.mark.parametrize("document_type", ["application/json", "text/plain"])
def test_document_part_accepts_json_and_text_plain(api, document_type):
    answer = send(api, "POST", "/api/customer/42/document", document_type=document_type)
    assert answer.status == 201, answer.body


def test_document_part_of_another_type_is_415(api):
    answer = send(api, "POST", "/api/customer/42/document", document_type="application/xml")
    assert answer.status == 415


@pytest.mark.parametrize("parts, detail", [
    ({"front": None}, "'front' is required"),
    ({"document": None}, "'document' is required"),
    ({"document": "{not json"}, "not valid JSON"),
    ({"document": "[1, 2]"}, "JSON object"),
    ({"extra": [("notes", "hello")]}, "unknown multipart part"),
])
def test_missing_and_malformed_parts_are_400(api, parts, detail):
    answer = send(api, "POST", "/api/customer/42/document", **parts)
    assert answer.status == 400 and detail in answer.json["detail"]


def test_not_multipart_is_415(api):
    answer = api.request("POST", "/api/customer/42/document", json_body=SPEC_DOCUMENT, headers=DOMAIN)
    assert answer.status == 415


@pytest.mark.parametrize("headers, status", [({}, 400), ({"X-Domain-ID": "seven"}, 400),
                                             ({"X-Domain-ID": "-1"}, 400), ({"X-Domain-ID": "9" * 30}, 400)])
def test_domain_header_is_required_and_an_integer(api, headers, status):
    assert send(api, "POST", "/api/customer/42/document", headers=headers).status == status


def test_domains_partition_documents_and_claims_limit_them(api, created):
    assert api.request("GET", "/api/customer/42/document/1", headers={"X-Domain-ID": "8"}).status == 404
    limited = {**DEFAULT_CLAIMS, "folio:domains": "[1 8]"}
    assert api.request("GET", "/api/customer/42/document/1", headers=DOMAIN, claims=limited).status == 403
    assert send(api, "PUT", "/api/customer/42/document/1", claims=limited).status == 403
    allowed = {**DEFAULT_CLAIMS, "folio:domains": "[7]"}
    assert api.request("GET", "/api/customer/42/document/1", headers=DOMAIN, claims=allowed).status == 200


def test_another_customers_document_is_404_and_unchanged(api, aws, created):
    before = versions_in_bucket(aws)
    assert send(api, "PUT", "/api/customer/43/document/1").status == 404
    assert api.request("GET", "/api/customer/43/document/1", headers=DOMAIN).status == 404
    assert api.request("GET", "/api/customer/43/document/1/front", headers=DOMAIN).status == 404
    assert versions_in_bucket(aws) == before


def test_another_tenants_document_is_404(api, created):
    other = {**DEFAULT_CLAIMS, "tenant": "globex"}
    assert api.request("GET", "/api/customer/42/document/1", headers=DOMAIN, claims=other).status == 404
    assert send(api, "PUT", "/api/customer/42/document/1", claims=other).status == 404


def test_unknown_document_and_bad_ids(api, created):
    assert send(api, "PUT", "/api/customer/42/document/99").status == 404
    assert api.request("GET", "/api/customer/42/document/abc", headers=DOMAIN).status == 400
    assert api.request("GET", "/api/customer/0/document/1", headers=DOMAIN).status == 400
    assert api.request("GET", "/api/customer/42/document/99999999999999999999", headers=DOMAIN).status == 400


def test_missing_back_image_is_404(api):
    doc = send(api, "POST", "/api/customer/42/document").json
    assert doc["back"] is None and doc["backName"] is None
    answer = api.request("GET", f"/api/customer/42/document/{doc['id']}/back", headers=DOMAIN)
    assert answer.status == 404 and "no back image" in answer.json["detail"]


def test_if_match_guards_updates(api, created):
    assert send(api, "PUT", "/api/customer/42/document/1", headers={**DOMAIN, "If-Match": '"9"'}).status == 412
    assert send(api, "PUT", "/api/customer/42/document/1", headers={**DOMAIN, "If-Match": '"1"'}).status == 200


def test_user_info_from_a_token_with_names_and_numeric_sub(api):
    claims = {**DEFAULT_CLAIMS, "sub": "1001", "given_name": "Ada", "family_name": "Lovelace"}
    doc = send(api, "POST", "/api/customer/42/document", claims=claims).json
    assert doc["createdBy"] == {"email": "ada@example.com", "firstName": "Ada", "fullName": "Ada Lovelace",
                                "id": 1001, "lastName": "Lovelace"}


def test_front_and_back_upload_concurrently(api, monkeypatch):
    """Both puts are in flight at once: each waits until the other has started."""
    import threading

    from folio.storage.files import FileStore

    started = threading.Barrier(2, timeout=5)
    original = FileStore.put

    def put(self, key, data, content_type):
        started.wait()  # raises BrokenBarrierError if the uploads ran one after the other
        return original(self, key, data, content_type)

    monkeypatch.setattr(FileStore, "put", put)
    answer = send(api, "POST", "/api/customer/42/document", back=("back.jpg", JPEG, "image/jpeg"))
    assert answer.status == 201, answer.body


def test_a_client_file_name_never_reaches_the_s3_key(api, aws):
    refused = send(api, "POST", "/api/customer/42/document", front=("../../etc/passwd\x00.png", png(), "image/png"))
    assert refused.status == 400 and versions_in_bucket(aws) == []
    answer = send(api, "POST", "/api/customer/42/document", front=("passport scan.png", png(), "image/png"))
    assert answer.status == 201 and answer.json["frontName"] == "passport scan.png"
    assert [key for key, _ in versions_in_bucket(aws)] == ["acme/kyc-document/7/1/front"]
