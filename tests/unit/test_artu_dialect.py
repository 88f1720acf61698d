"""artu's mapping and views without AWS: the upload key, S3 events, the item change, the answers."""

import json
import sys
import subprocess
from datetime import UTC, datetime

import pytest

from folio.core import Document, FileRef
from folio.core.errors import DocumentNotFound, FolioError, InvalidRequest
from folio.dialects.artu import answers, constants, mapping, models, operations, views
from folio.web.request import WebRequest
from folio.web.s3_events import objects_created, sequencer_order

CLIENT = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
DOC_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
WHEN = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=UTC)


def s3_event(*records):
    return {"Records": [{"eventName": name, "s3": {"bucket": {"name": "b"}, "object": obj}} for name, obj in records]}


def test_the_upload_key_is_the_cores_file_key_and_reads_back():
    key = mapping.upload_key("acme", "live", DOC_ID)
    assert key == f"acme/artu-live/{DOC_ID}/artu-upload"
    assert key.endswith("/" + constants.UPLOAD_SLOT)  # template.yaml's notification filter: suffix /artu-upload
    assert mapping.upload_target(key) == ("acme", "live", DOC_ID)


@pytest.mark.parametrize("key", ["acme/kyc-document/7/1/front", f"acme/artu-prod/{DOC_ID}/artu-upload",
                                 f"acme/artu-live/{DOC_ID}/other", f"acme/artu-live/x/{DOC_ID}/artu-upload", ""])
def test_other_keys_are_no_upload(key):
    assert mapping.upload_target(key) is None


def test_s3_events_give_created_objects_with_decoded_keys():
    event = s3_event(("ObjectCreated:Put", {"key": "a+b/c%40d", "versionId": "v1", "sequencer": "0A", "size": 3}),
                     ("ObjectRemoved:Delete", {"key": "gone", "versionId": "v2"}),
                     ("ObjectCreated:Copy", {"key": "no-version"}),
                     ("ObjectCreated:Put", "malformed"))
    created = objects_created(event)
    assert [(o.bucket, o.key, o.version_id, o.sequencer, o.size) for o in created] == [
        ("b", "a b/c@d", "v1", "0A", 3), ("b", "no-version", None, "", None)]
    assert objects_created({}) == [] and objects_created({"Records": "x"}) == []


def test_arrivals_are_the_versioned_artu_uploads():
    key = mapping.upload_key("acme", "test", DOC_ID)
    event = s3_event(("ObjectCreated:Put", {"key": key, "versionId": "v1", "sequencer": "01"}),
                     ("ObjectCreated:Put", {"key": key, "sequencer": "02"}),  # unversioned: not an upload
                     ("ObjectCreated:Put", {"key": "acme/kyc-document/7/1/front", "versionId": "v"}))
    assert mapping.arrivals(objects_created(event)) == [
        mapping.Arrival("acme", "test", DOC_ID, key=key, version_id="v1", sequencer="01")]


def test_sequencers_compare_as_hexadecimal_numbers():
    assert sequencer_order("0055AED6DCD90281E5") > sequencer_order("0000000000000001")
    assert sequencer_order("01") == sequencer_order("0001")
    assert sequencer_order("A1") > sequencer_order("00000099")


def item(**given):
    return models.Item.model_validate({"clientId": CLIENT, "externalId": "ine-1", **given}).model_dump(
        mode="json", exclude_unset=True)


def test_an_item_creates_pending_upload_and_updates_only_what_it_gives():
    created = mapping.item_change(item(type="ine", metadata={"a": 1}), DOC_ID)(None)
    assert created["id"] == DOC_ID and created["status"] == "pending_upload" and created["type"] == "ine"
    assert created["clientId"] == CLIENT and created["externalId"] == "ine-1" and created["fields"] == {}
    current = Document(mapping.document_key("acme", "live", CLIENT, "ine-1"), 1, created)
    updated = mapping.item_change(item(metadata=None), "unused")(current)
    assert updated == {**created, "metadata": {}}


def test_an_older_arrival_changes_nothing():
    ref = FileRef("k", "v2", 10, "ab" * 32, "image/jpeg")
    body = {"status": "uploaded", "uploadSequencer": "0002", "filename": "a.jpg"}
    doc = Document(mapping.document_key("acme", "live", CLIENT, "x"), 3, body)
    assert mapping.arrival_change(ref, "01")(doc) is body
    newer = mapping.arrival_change(ref, "03")(doc)
    assert (newer["size"], newer["uploadSequencer"], newer["filename"]) == (10, "03", "a.jpg")


def test_the_environment_is_required():
    assert operations.environment(WebRequest({"headers": {"X-Environment": " live "}})) == "live"
    for headers in ({}, {"x-environment": "prod"}):
        with pytest.raises(InvalidRequest, match="X-Environment"):
            operations.environment(WebRequest({"headers": headers}))


@pytest.mark.parametrize("body", ['{"contentType": "text"}', '{"other": 1}', "[]", '{"contentType": "a/b\\r\\n"}',
                                  '{"size": -1}', '{"size": "1"}', '{"size": 1e3}', '{"filename": "../x"}',
                                  '{"filename": "\\ud800"}', '{"filename": null, "size": true}'])
def test_upload_url_bodies_other_than_type_name_and_size_are_400(body):
    with pytest.raises(InvalidRequest):
        operations.upload_request(WebRequest({"headers": {}, "body": body}))


def test_upload_url_takes_an_optional_type_name_and_size():
    assert operations.upload_request(WebRequest({"headers": {}})) == operations.UploadRequest()
    asked = operations.upload_request(WebRequest({"body": '{"contentType": "image/png", "filename": "a b.png", '
                                                          '"size": 0}'}))
    assert asked == operations.UploadRequest("image/png", "a b.png", 0)


def test_a_batch_item_no_longer_sets_the_file_facts_once_a_file_arrived():
    created = mapping.item_change(item(filename="declared.jpg", size=5), DOC_ID)(None)
    pending = Document(mapping.document_key("acme", "live", CLIENT, "ine-1"), 1, created)
    assert mapping.item_change(item(filename="b.jpg", size=6), "unused")(pending)["filename"] == "b.jpg"
    ref = FileRef("k", "v1", 10, "ab" * 32, "image/jpeg", "real.jpg")
    arrived = Document(pending.key, 2, mapping.arrival_change(ref, "01")(pending))
    later = mapping.item_change(item(filename="forged.exe", size=1, type="passport"), "unused")(arrived)
    assert (later["filename"], later["size"], later["contentType"], later["type"]) == (
        "real.jpg", 10, "image/jpeg", "passport")


def document(body):
    return Document(mapping.document_key("acme", "live", CLIENT, "ine-1"), 4, body, created_at=WHEN, updated_at=WHEN)


BODIES = [
    mapping.item_change(item(), DOC_ID)(None),
    {**mapping.item_change(item(type="ine", expiresAt="2030-12-31", metadata={"source": "crm"}, filename="f.jpg",
                                size=5, scope="kyc", storagePath="p", fields={"curp": "X", "dateOfBirth": "1980-01-01"}),
                           DOC_ID)(None),
     "status": "uploaded", "contentType": "image/jpeg", "sha256": "ab" * 32, "uploadSequencer": "01"},
]


@pytest.mark.parametrize("body", BODIES)
def test_the_document_view_is_what_the_answer_model_documents(body):
    view = views.document_view(document(body))
    assert list(view) == list(constants.ANSWER_FIELDS) == list(answers.DocumentAnswer.model_fields)
    answer = answers.DocumentData.model_validate_json(json.dumps({"data": view}))
    assert answer.model_dump(mode="json")["data"].keys() == view.keys()
    assert json.loads(views.document_answer(document(body)).body) == {"data": view}
    answers.LookupAnswer.model_validate_json(views.lookup_answer([document(body)]).body)


def test_the_batch_answer_is_what_the_answer_model_documents():
    results: list[Document | FolioError] = [document(BODIES[0]), InvalidRequest("size: too small"),
                                            DocumentNotFound("gone")]
    answer = views.batch_answer(False, results)
    parsed = answers.BatchAnswer.model_validate_json(answer.body)
    assert [type(entry).__name__ for entry in parsed.data] == ["DocumentData", "ItemError", "ItemError"]
    assert json.loads(answer.body)["data"][1] == {"error": {"status": 400, "title": "Bad Request",
                                                            "detail": "size: too small"}}
    assert json.loads(answer.body)["data"][2]["error"]["status"] == 404


def test_the_upload_url_answer_is_what_the_answer_model_documents():
    upload = operations.UploadUrl("https://s3.example/bucket", {"key": "k", "policy": "e30="}, 1000, WHEN)
    body = json.loads(views.upload_url_answer(upload).body)
    answers.UploadTicket.model_validate(body, strict=False)
    assert body == {"url": upload.url, "method": "POST", "fields": {"key": "k", "policy": "e30="}, "headers": {},
                    "maxSize": 1000, "expiresAt": "2026-11-23T09:00:00Z"}


def test_reading_functions_do_not_import_pydantic():
    """Cold start: only the batch upsert validates with pydantic."""
    code = ("import sys; import folio.dialects.artu.operations, folio.dialects.artu.views, folio.web.s3_events;"
            "print('pydantic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("content_type", ["a/b, text/html", "text/html; x=application/", "image/png\r\nX: y", "png"])
def test_upload_url_content_types_are_one_parsed_media_type(content_type):
    with pytest.raises(InvalidRequest):
        operations.upload_request(WebRequest({"body": json.dumps({"contentType": content_type})}))
    parsed = operations.upload_request(WebRequest({"body": json.dumps({"contentType": "Image/PNG"})}))
    assert parsed.content_type == "image/png"
