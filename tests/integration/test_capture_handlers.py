"""The five capture functions on moto, with payload-2.0 multipart events."""

import json

import pytest
from requests_toolbelt import MultipartEncoder

from ..conftest import DEFAULT_CLAIMS

API = "/capture/api/v1.1/documents"
CLAIMS = {**DEFAULT_CLAIMS, "folio:steps": "[*]"}
XHR = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def capture_api(api):
    from folio.local.fixtures import seed

    seed()
    return api


def multipart(attachment=None, content=None, attachment_type="application/json", extra=()):
    fields = []
    if attachment is not None:
        raw = attachment if isinstance(attachment, str) else json.dumps(attachment)
        fields.append(("attachment", (None, raw, attachment_type) if attachment_type else raw))
    if content is not None:
        fields.append(("content", content))
    fields.extend(extra)
    encoder = MultipartEncoder(fields=fields)
    return encoder.to_string(), {"Content-Type": encoder.content_type}


def send(api, method, path, *, headers=XHR, claims=CLAIMS, **parts):
    body, content_type = multipart(**parts)
    return api.request(method, path, body=body, headers={**content_type, **headers}, claims=claims)


@pytest.fixture
def document(capture_api):
    answer = capture_api.request("POST", API, json_body={"procedure": {"name": "Demo"}, "batch": {"name": "ep_53"}},
                                 claims=CLAIMS)
    assert answer.status == 201, answer.body
    return answer.json


@pytest.fixture
def attachment(capture_api, document):
    answer = send(capture_api, "POST", f"{API}/{document['id']}/attachments",
                  attachment={"title": "Notes", "type": {"name": "Invoice Notes"}},
                  content=("notes5.txt", b"first notes\n", "text/plain"))
    assert answer.status == 201, answer.body
    return answer.json


def url(att):
    return f"{API}/{att['documentId']}/attachments/{att['id']}"


def update(api, att, changes, **kwargs):
    return send(api, "PUT", url(att), attachment={**changes, "stateToken": att["stateToken"]}, **kwargs)


def test_create_document_in_the_demo_procedure(document):
    from folio.dialects.capture.procedures import DEMO_PROCEDURE

    assert document["procedure"] == {"id": DEMO_PROCEDURE["id"], "name": "Demo"}
    assert document["step"] == DEMO_PROCEDURE["steps"][0] and document["step"]["name"] == "Review"
    assert document["batch"]["name"] == "ep_53" and document["batch"]["id"].isdigit()
    assert document["links"][0]["href"].endswith(f"{API}/{document['id']}/attachments")


def test_generated_batch_names_use_the_prefix_and_number(capture_api):
    from folio.dialects.capture.procedures import DEMO_PROCEDURE

    answer = capture_api.request("POST", API, json_body={"procedure": {"id": DEMO_PROCEDURE["id"]}}, claims=CLAIMS)
    batch = answer.json["batch"]
    assert answer.status == 201 and batch["name"] == f"demo_{batch['id']}"


@pytest.mark.parametrize("body, status", [({"procedure": {"name": "Nope"}}, 400), ({}, 400),
                                          ({"procedure": "Demo"}, 400), ({"procedure": {"name": "Demo"}, "batch": 5}, 400)])
def test_create_document_rejects_unknown_or_malformed_procedures(capture_api, body, status):
    assert capture_api.request("POST", API, json_body=body, claims=CLAIMS).status == status


def test_add_and_get_attachment_shape(capture_api, document, attachment):
    assert list(attachment) == ["id", "documentId", "title", "comment", "batch", "step", "type", "stateToken",
                                "mediaType", "sourceName", "size", "createdBy", "createdDate", "updatedBy",
                                "updatedDate", "links"]
    assert attachment["documentId"] == document["id"] and attachment["batch"] == document["batch"]
    assert attachment["type"]["name"] == "Invoice Notes" and attachment["mediaType"] == "text/plain"
    assert attachment["sourceName"] == "notes5.txt" and attachment["size"] == len(b"first notes\n")
    assert attachment["createdBy"] == {"name": "Ada Lovelace"}
    assert len(attachment["stateToken"]) == 32 and int(attachment["stateToken"], 16) >= 0
    assert attachment["createdDate"].endswith("Z") and len(attachment["createdDate"]) == len("2021-09-19T20:05:14.215Z")
    canonical, content = attachment["links"]
    assert canonical == {"rel": "canonical", "href": canonical["href"], "method": "GET", "mediaType": "application/json"}
    assert canonical["href"].endswith(url(attachment))
    assert content["rel"] == "urn:oce:capture:attachment-content" and content["mediaType"] == "text/plain"
    got = capture_api.request("GET", url(attachment), claims=CLAIMS)
    assert got.status == 200 and got.json == attachment
    body = capture_api.request("GET", url(attachment) + "/content", claims=CLAIMS)
    assert body.body == b"first notes\n" and body.headers["content-type"] == "text/plain"


def test_update_title_returns_a_new_state_token(capture_api, attachment):
    answer = update(capture_api, attachment, {"title": "Notes Title"})
    assert answer.status == 200, answer.body
    updated = answer.json
    assert updated["title"] == "Notes Title" and updated["stateToken"] != attachment["stateToken"]
    assert updated["type"] == attachment["type"] and updated["comment"] is None
    assert updated["updatedDate"] >= updated["createdDate"]


def test_an_update_that_changes_nothing_still_returns_a_new_state_token(capture_api, attachment):
    first = update(capture_api, attachment, {"title": attachment["title"]})
    assert first.status == 200 and first.json["stateToken"] != attachment["stateToken"]
    assert update(capture_api, first.json, {}).json["stateToken"] != first.json["stateToken"]


def test_only_title_type_and_comment_are_updated(capture_api, attachment):
    answer = update(capture_api, attachment, {"comment": "checked", "size": 1, "mediaType": "x/y", "id": "other",
                                              "sourceName": "evil.exe", "documentId": "elsewhere"})
    doc = answer.json
    assert answer.status == 200 and doc["comment"] == "checked"
    for name in ("size", "mediaType", "id", "sourceName", "documentId"):
        assert doc[name] == attachment[name]


def test_type_by_id_by_name_and_null(capture_api, attachment):
    from folio.dialects.capture.procedures import DEMO_PROCEDURE

    receipt = DEMO_PROCEDURE["attachmentTypes"][1]
    first = update(capture_api, attachment, {"type": {"id": receipt["id"]}}).json
    assert first["type"] == receipt
    second = update(capture_api, first, {"type": {"name": "Invoice Notes"}}).json
    assert second["type"]["name"] == "Invoice Notes"
    third = update(capture_api, second, {"type": None}).json
    assert third["type"] is None


@pytest.mark.parametrize("type_ref", [{"name": "Unknown"}, {"id": "nope"}, "Receipt", {},
                                      {"name": "Receipt", "id": "mismatch"}])
def test_unknown_type_is_400_and_changes_nothing(capture_api, attachment, type_ref):
    answer = update(capture_api, attachment, {"type": type_ref})
    assert answer.status == 400 and answer.headers["content-type"] == "application/problem+json"
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).json == attachment


def test_content_replaces_media_type_source_name_and_size(capture_api, attachment):
    answer = update(capture_api, attachment, {}, content=("scan.pdf", b"%PDF-1.4 new", "application/pdf"))
    doc = answer.json
    assert answer.status == 200, answer.body
    assert (doc["mediaType"], doc["sourceName"], doc["size"]) == ("application/pdf", "scan.pdf", 12)
    assert doc["links"][1]["mediaType"] == "application/pdf"
    content = capture_api.request("GET", url(attachment) + "/content", claims=CLAIMS)
    assert content.body == b"%PDF-1.4 new" and content.headers["content-type"] == "application/pdf"


def test_stale_state_token_is_412_with_the_current_one(capture_api, attachment):
    fresh = update(capture_api, attachment, {"title": "first"}).json
    stale = update(capture_api, attachment, {"title": "second"})
    assert stale.status == 412 and stale.json["stateToken"] == fresh["stateToken"]
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).json["title"] == "first"


def test_a_state_token_that_loses_the_race_is_409(capture_api, attachment, monkeypatch):
    """Read sees the token current; a concurrent writer commits before our conditional write."""
    from folio.storage.documents import DocumentTable

    original = DocumentTable.commit
    interfered = []

    def commit(self, key, version, record, marks=None):
        if not interfered:
            interfered.append(True)
            theirs = json.loads(record)
            theirs["body"]["title"] = "Concurrent"
            original(self, key, version, json.dumps(theirs))  # the other writer wins
        return original(self, key, version, record, marks)

    monkeypatch.setattr(DocumentTable, "commit", commit)
    answer = update(capture_api, attachment, {"title": "Mine"})
    assert answer.status == 409, answer.body
    assert capture_api.request("GET", url(attachment), claims=CLAIMS).json["title"] == "Concurrent"


@pytest.mark.parametrize("changes", [{}, {"stateToken": None}, {"stateToken": 5}])
def test_state_token_is_required(capture_api, attachment, changes):
    answer = send(capture_api, "PUT", url(attachment), attachment={"title": "x", **changes})
    assert answer.status == 400 and "stateToken" in answer.json["detail"]


@pytest.mark.parametrize("headers", [{}, {"X-Requested-With": "fetch"}])
def test_x_requested_with_is_required(capture_api, attachment, headers):
    answer = update(capture_api, attachment, {"title": "x"}, headers=headers)
    assert answer.status == 400 and "X-Requested-With" in answer.json["detail"]


def test_x_requested_with_value_is_case_insensitive(capture_api, attachment):
    assert update(capture_api, attachment, {"title": "x"}, headers={"X-Requested-With": "XmlHttpRequest"}).status == 200


@pytest.mark.parametrize("attachment_type", [None, "text/plain", "application/xml"])
def test_attachment_part_must_be_application_json(capture_api, attachment, attachment_type):
    answer = update(capture_api, attachment, {"title": "x"}, attachment_type=attachment_type)
    assert answer.status == 415 and "application/json" in answer.json["detail"]


def test_content_needs_a_type_and_a_file_name(capture_api, attachment):
    no_name = update(capture_api, attachment, {}, content=(None, b"data", "text/plain"))
    assert no_name.status == 400 and "filename" in no_name.json["detail"]


def test_content_over_4_mib_is_413(capture_api, attachment):
    answer = update(capture_api, attachment, {}, content=("big.bin", b"x" * (4 * 1024 * 1024 + 1), "application/octet-stream"))
    assert answer.status == 413


def test_attachment_of_another_document_is_404(capture_api, attachment):
    other = capture_api.request("POST", API, json_body={"procedure": {"name": "Demo"}}, claims=CLAIMS).json
    path = f"{API}/{other['id']}/attachments/{attachment['id']}"
    answer = send(capture_api, "PUT", path, attachment={"title": "x", "stateToken": attachment["stateToken"]})
    assert answer.status == 404
    assert capture_api.request("GET", path, claims=CLAIMS).status == 404
    assert capture_api.request("GET", path + "/content", claims=CLAIMS).status == 404
    assert capture_api.request("GET", f"{API}/nope/attachments/{attachment['id']}", claims=CLAIMS).status == 404


def test_step_not_granted_is_403(capture_api, attachment):
    from folio.dialects.capture.procedures import DEMO_PROCEDURE

    other_step = {**DEFAULT_CLAIMS, "folio:steps": f"[{DEMO_PROCEDURE['steps'][1]['id']}]"}
    assert update(capture_api, attachment, {"title": "x"}, claims=other_step).status == 403
    assert update(capture_api, attachment, {"title": "x"}, claims=DEFAULT_CLAIMS).status == 403  # no claim: none
    assert capture_api.request("GET", url(attachment), claims=other_step).status == 403
    granted = {**DEFAULT_CLAIMS, "folio:steps": f"[{DEMO_PROCEDURE['steps'][0]['id']}]"}
    assert update(capture_api, attachment, {"title": "x"}, claims=granted).status == 200


def test_another_tenant_sees_nothing(capture_api, attachment):
    other = {**CLAIMS, "tenant": "globex"}
    assert capture_api.request("GET", url(attachment), claims=other).status == 404
    assert update(capture_api, attachment, {"title": "x"}, claims=other).status == 404


def test_a_tenant_with_its_own_procedures_does_not_see_the_default(capture_api):
    from folio.core import Caller
    from folio.dialects.capture.procedures import Procedures
    from folio.storage.wiring import document_service

    admin = Caller(tenant="acme", sub="admin")
    Procedures(document_service()).define("acme", {
        "name": "Invoices", "batchPrefix": "inv",
        "steps": [{"id": "s-1", "name": "Find Invoice Date", "type": "External Processor"}],
        "attachmentTypes": [{"id": "t-1", "name": "Invoice Notes"}]}, admin)
    answer = capture_api.request("POST", API, json_body={"procedure": {"name": "Invoices"}}, claims=CLAIMS)
    assert answer.status == 201 and answer.json["batch"]["name"].startswith("inv_")
    assert answer.json["step"]["name"] == "Find Invoice Date"
    assert capture_api.request("POST", API, json_body={"procedure": {"name": "Demo"}}, claims=CLAIMS).status == 400
    limited = {**DEFAULT_CLAIMS, "folio:steps": "[other]"}
    assert capture_api.request("POST", API, json_body={"procedure": {"name": "Invoices"}}, claims=limited).status == 403


def test_add_attachment_requires_content_and_defaults_title(capture_api, document):
    path = f"{API}/{document['id']}/attachments"
    assert send(capture_api, "POST", path, attachment={"title": "x"}).status == 400
    answer = send(capture_api, "POST", path, attachment={}, content=("receipt.jpg", b"\xff\xd8\xff", "image/jpeg"))
    assert answer.status == 201 and answer.json["title"] == "receipt.jpg" and answer.json["type"] is None


def test_unknown_parts_and_bad_ids_are_400(capture_api, attachment):
    answer = update(capture_api, attachment, {"title": "x"}, extra=[("metadata", "x")])
    assert answer.status == 400 and "metadata" in answer.json["detail"]
    assert capture_api.request("GET", f"{API}/bad%20id/attachments/x", claims=CLAIMS).status == 400
