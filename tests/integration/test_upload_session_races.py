"""Upload sessions under races and crashes (found by an adversarial review): an abort racing a
completion, a crash between the commit and the session's COMMITTED, a retry after later versions,
two completions at once, and JSON no store can hold. Each must leave the document pointing at a file
that exists, commit a file once, and answer a retry with the version it committed."""

import os

import pytest

from ..support.files import png
from ..support.uploads import completion, start_body, upload_parts
from .test_kyc_handlers import DOMAIN, SPEC_DOCUMENT, send

MIB = 1024 * 1024
KYC = "/api/customer/42/document"

RAW = b'{"contentType": "image/png", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "fileName": "\\ud800"}'

def big_png(size):
    head = png()
    return head + os.urandom(size - len(head))


def start(api, path, data, **fields):
    body = start_body(data, fileName="scan.png", contentType="image/png", **fields)
    return api.request("POST", path + "/uploads", json_body=body, headers=DOMAIN)


def s3_has(aws, key, version_id):
    versions = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key).get("Versions", [])
    return any(v["VersionId"] == version_id for v in versions)


def head_front(api, doc_id):
    from folio.storage.wiring import document_service
    from folio.dialects.kyc.mapping import document_key
    return document_service().get(document_key("acme", 7, doc_id))


def session_state(api, one):
    answer = api.request("GET", one, headers=DOMAIN)
    assert answer.status == 200, answer.body
    return answer.json["state"]


def test_an_abort_racing_a_completion_never_deletes_the_file_the_document_points_at(api, aws, monkeypatch):
    """Completion reached STORED and is about to commit; an abort (DELETE) lands in between and
    wins: its file is abandoned and deleted, the commit fails (409), and nothing points at it."""
    created = send(api, "POST", KYC)
    doc_id = created.json["id"]
    data = big_png(6 * MIB)
    session = start(api, f"{KYC}/{doc_id}/front", data).json
    parts = upload_parts(data, session)
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}"

    from folio.core import service as service_module
    original = service_module.DocumentService.update
    fired = {}

    def update_after_abort(self, *args, **kwargs):
        if not fired:
            fired["abort"] = api.request("DELETE", one, headers=DOMAIN)  # the racing DELETE
        return original(self, *args, **kwargs)

    monkeypatch.setattr(service_module.DocumentService, "update", update_after_abort)
    done = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    assert (fired["abort"].status, done.status) == (204, 409), done.body
    head = head_front(api, doc_id)
    assert head.version == 1  # the session committed nothing
    front = head.files["front"]
    assert s3_has(aws, front.key, front.version_id)  # metadata never points at a file that is not there
    versions = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=front.key).get("Versions", [])
    assert [v["VersionId"] for v in versions] == [front.version_id]  # the abandoned file is gone
    retry = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    assert retry.status in (404, 409) and head_front(api, doc_id).version == 1


def test_an_abort_landing_after_the_commit_answers_409_and_the_completion_stands(api, aws, monkeypatch):
    """The completion committed version 2 and is about to record COMMITTED when an abort lands: the
    abort finds the file attached (409, never 204), the session reads COMMITTED, and a retried
    completion answers version 2."""
    doc_id = send(api, "POST", KYC).json["id"]
    data = big_png(6 * MIB)
    session = start(api, f"{KYC}/{doc_id}/front", data).json
    body = completion(data, upload_parts(data, session))
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}"
    from folio.storage import uploads as storage_uploads

    original = storage_uploads.UploadTable.replace_session
    fired = {}

    def abort_before_committed(self, session, expected):
        if session.state == "COMMITTED" and not fired:
            fired["abort"] = api.request("DELETE", one, headers=DOMAIN)
        return original(self, session, expected)

    monkeypatch.setattr(storage_uploads.UploadTable, "replace_session", abort_before_committed)
    done = api.request("POST", one + "/complete", json_body=body, headers=DOMAIN)
    assert (fired["abort"].status, done.status) == (409, 200), fired["abort"].body
    assert session_state(api, one) == "COMMITTED"
    front = head_front(api, doc_id).files["front"]
    assert head_front(api, doc_id).version == 2 and s3_has(aws, front.key, front.version_id)
    retry = api.request("POST", one + "/complete", json_body=body, headers=DOMAIN)
    assert (retry.status, retry.headers["etag"]) == (200, '"2"')


def test_an_abort_after_a_lost_precondition_deletes_the_stored_file(api, aws):
    """A completion whose If-Match lost leaves the session STORED with the file in S3; the client
    gives up and aborts: nothing can commit that file any more, so it is deleted at once."""
    doc_id = send(api, "POST", KYC).json["id"]
    data = big_png(6 * MIB)
    session = start(api, f"{KYC}/{doc_id}/front", data).json
    body = completion(data, upload_parts(data, session))
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}"
    stale = api.request("POST", one + "/complete", json_body=body, headers={**DOMAIN, "If-Match": '"9"'})
    assert stale.status == 412 and session_state(api, one) == "STORED"
    key = head_front(api, doc_id).files["front"].key
    before = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key).get("Versions", [])
    assert len(before) == 2  # version 1's front, and the session's file
    assert api.request("DELETE", one, headers=DOMAIN).status == 204
    after = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key).get("Versions", [])
    assert [v["VersionId"] for v in after] == [head_front(api, doc_id).files["front"].version_id]
    assert api.request("POST", one + "/complete", json_body=body, headers=DOMAIN).status in (404, 409)


def _committed_then_killed(api, monkeypatch):
    """A front image session whose completion committed version 2 and died before recording
    COMMITTED: the document, the session's path and its completion body."""
    doc_id = send(api, "POST", KYC).json["id"]
    data = big_png(6 * MIB)
    session = start(api, f"{KYC}/{doc_id}/front", data).json
    body = completion(data, upload_parts(data, session))
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}"
    from folio.storage import uploads as storage_uploads

    original = storage_uploads.UploadTable.replace_session

    def crash_on_committed(self, session, expected):
        if session.state == "COMMITTED":
            raise KeyboardInterrupt("function killed")  # the runtime dies right after the commit
        return original(self, session, expected)

    monkeypatch.setattr(storage_uploads.UploadTable, "replace_session", crash_on_committed)
    with pytest.raises(KeyboardInterrupt):
        api.request("POST", one + "/complete", json_body=body, headers=DOMAIN)
    monkeypatch.setattr(storage_uploads.UploadTable, "replace_session", original)
    assert head_front(api, doc_id).version == 2
    return doc_id, one, body


def test_an_abort_after_a_crash_between_commit_and_committed_keeps_the_committed_file(api, aws, monkeypatch):
    doc_id, one, _ = _committed_then_killed(api, monkeypatch)
    front = head_front(api, doc_id).files["front"]
    aborted = api.request("DELETE", one, headers=DOMAIN)
    assert s3_has(aws, front.key, front.version_id), \
        f"abort answered {aborted.status} and deleted the committed version {front.version_id}"
    assert aborted.status == 409 and session_state(api, one) == "COMMITTED"


def test_a_retry_after_a_crash_and_a_later_inline_update_answers_the_committed_version(api, aws, monkeypatch):
    doc_id, one, body = _committed_then_killed(api, monkeypatch)
    assert send(api, "PUT", f"{KYC}/{doc_id}").status == 200  # someone else replaces the front inline (v3)
    assert head_front(api, doc_id).version == 3
    retry = api.request("POST", one + "/complete", json_body=body, headers=DOMAIN)
    assert (retry.status, retry.headers["etag"]) == (200, '"2"')
    assert head_front(api, doc_id).version == 3, \
        f"the retried completion committed again: version {head_front(api, doc_id).version} ({retry.status})"

class Killed(BaseException):
    """The function dies (not an Exception: nothing in folio catches it)."""


def crash_once(monkeypatch, cls, name, when):
    original = getattr(cls, name)
    state = {"done": False}

    def wrapper(self, *args, **kwargs):
        if not state["done"] and when(*args, **kwargs):
            state["done"] = True
            raise Killed(name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)


def session_for_create(api):
    data = png() + os.urandom(6 * MIB)
    body = start_body(data, fileName="scan.png", contentType="image/png", document=SPEC_DOCUMENT)
    session = api.request("POST", KYC + "/uploads", json_body=body, headers=DOMAIN).json
    return data, session, upload_parts(data, session), f"{KYC}/uploads/{session['uploadId']}"


def test_crash_after_s3_completed_before_stored_then_retry(api, aws, monkeypatch):
    from folio.core import uploads as core_uploads
    from folio.storage import uploads as storage_uploads
    data, session, parts, one = session_for_create(api)
    crash_once(monkeypatch, storage_uploads.UploadTable, "replace_session", lambda s, e: s.state == "STORED")
    with pytest.raises(Killed):
        api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    early = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    assert early.status == 409, early.body  # the claim may still be a live completion's
    monkeypatch.setattr(core_uploads, "CLAIM_SECONDS", -1)
    late = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    assert late.status == 201, late.body


def test_an_abort_after_a_completion_died_completing_deletes_the_object_s3_made(api, aws, monkeypatch):
    """S3 completed the object, then the completion died before STORED; once its claim lapsed an
    abort ends the session and deletes that object, which nothing references."""
    from folio.core import uploads as core_uploads
    from folio.storage import uploads as storage_uploads
    data, session, parts, one = session_for_create(api)
    crash_once(monkeypatch, storage_uploads.UploadTable, "replace_session", lambda s, e: s.state == "STORED")
    with pytest.raises(Killed):
        api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN)
    def versions():  # the session creates a document: nothing else is in the bucket
        return aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix="acme/").get("Versions", [])

    assert len(versions()) == 1  # S3 made it
    assert api.request("DELETE", one, headers=DOMAIN).status == 409  # the claim may still be a live completion's
    monkeypatch.setattr(core_uploads, "CLAIM_SECONDS", -1)
    assert api.request("DELETE", one, headers=DOMAIN).status == 204
    assert versions() == []
    assert api.request("POST", one + "/complete", json_body=completion(data, parts), headers=DOMAIN).status in (404, 409)


def test_an_abort_retried_after_a_crash_deletes_what_the_first_left(api, aws, monkeypatch):
    """The abort of a stored session dies after recording ABORTED, before deleting the stored file;
    the client sends the abort again: 404 (it is aborted), and the file is gone now."""
    from folio.storage import uploads as storage_uploads
    doc_id = send(api, "POST", KYC).json["id"]
    data = big_png(6 * MIB)
    session = start(api, f"{KYC}/{doc_id}/front", data).json
    body = completion(data, upload_parts(data, session))
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}"
    assert api.request("POST", one + "/complete", json_body=body, headers={**DOMAIN, "If-Match": '"9"'}).status == 412
    key = head_front(api, doc_id).files["front"].key
    crash_once(monkeypatch, storage_uploads.MultipartStore, "delete_version", lambda *a: True)
    with pytest.raises(Killed):
        api.request("DELETE", one, headers=DOMAIN)
    versions = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key).get("Versions", [])
    assert len(versions) == 2  # version 1's front, and the file the crash left
    assert api.request("DELETE", one, headers=DOMAIN).status == 404
    after = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=key).get("Versions", [])
    assert [v["VersionId"] for v in after] == [head_front(api, doc_id).files["front"].version_id]


def test_create_retry_with_if_none_match_after_crash_after_commit(api, aws, monkeypatch):
    from folio.storage import uploads as storage_uploads
    data, session, parts, one = session_for_create(api)
    crash_once(monkeypatch, storage_uploads.UploadTable, "replace_session", lambda s, e: s.state == "COMMITTED")
    headers = {**DOMAIN, "If-None-Match": "*"}
    with pytest.raises(Killed):
        api.request("POST", one + "/complete", json_body=completion(data, parts), headers=headers)
    retry = api.request("POST", one + "/complete", json_body=completion(data, parts), headers=headers)
    assert retry.status == 201, "a retried completion must answer the committed version"


def test_concurrent_completions_on_a_stored_session_commit_once(api, aws, monkeypatch):
    """Two completions of a STORED session (the first lost its If-Match) at once."""
    from tests.integration.test_kyc_handlers import send
    doc_id = send(api, "POST", KYC).json["id"]
    data = png() + os.urandom(6 * MIB)
    session = api.request("POST", f"{KYC}/{doc_id}/front/uploads", headers=DOMAIN,
                          json_body=start_body(data, contentType="image/png")).json
    parts = upload_parts(data, session)
    one = f"{KYC}/{doc_id}/front/uploads/{session['uploadId']}/complete"
    stale = api.request("POST", one, json_body=completion(data, parts), headers={**DOMAIN, "If-Match": '"9"'})
    assert stale.status == 412
    from folio.core import service as service_module
    original = service_module.DocumentService._commit
    inner = {}

    def commit_after_other(self, doc, marks=None):
        if not inner:
            inner["answer"] = api.request("POST", one, json_body=completion(data, parts), headers=DOMAIN)
        return original(self, doc, marks)

    monkeypatch.setattr(service_module.DocumentService, "_commit", commit_after_other)
    outer = api.request("POST", one, json_body=completion(data, parts), headers=DOMAIN)
    assert {inner["answer"].status, outer.status} == {200}
    read = api.request("GET", f"{KYC}/{doc_id}", headers=DOMAIN)
    assert read.headers["etag"] == '"2"', read.headers


def test_the_slower_of_two_completions_answers_the_committed_document(api, aws, monkeypatch):
    data = png() + os.urandom(6 * 1024 * 1024)
    body = start_body(data, fileName="scan.png", contentType="image/png", document=SPEC_DOCUMENT)
    session = api.request("POST", KYC + "/uploads", json_body=body, headers=DOMAIN).json
    parts = upload_parts(data, session)
    one = f"{KYC}/uploads/{session['uploadId']}/complete"
    from folio.storage import uploads as storage_uploads
    original = storage_uploads.MultipartStore.list_parts
    inner = {}

    def list_parts_after_other(self, *args):
        if not inner:
            inner["running"] = True
            inner["answer"] = api.request("POST", one, json_body=completion(data, parts), headers=DOMAIN)
        return original(self, *args)

    monkeypatch.setattr(storage_uploads.MultipartStore, "list_parts", list_parts_after_other)
    outer = api.request("POST", one, json_body=completion(data, parts), headers=DOMAIN)
    assert inner["answer"].status == 201 and outer.status == 201, outer.body
    assert outer.json["id"] == inner["answer"].json["id"]
    assert b"start a new one" not in outer.body, "the file was committed; the answer tells the client to start over"


def test_a_lone_surrogate_in_json_is_a_400_never_a_5xx(api, aws):
    doc_id = send(api, "POST", KYC).json["id"]
    out = []
    a = api.request("POST", f"{KYC}/{doc_id}/front/uploads", body=RAW,
                    headers={**DOMAIN, "Content-Type": "application/json"})
    out.append(("kyc start fileName", a.status))
    b = api.request("POST", "/api/v1/Document", body=b'{"Name": "\\ud800"}',
                    headers={"Content-Type": "application/json"})
    out.append(("crm create Name (inline JSON, not sessions)", b.status))
    c = api.request("POST", "/api/v2/clients/1/dms/projects/1/documents/uploads",
                    body=b'{"contentType": "application/pdf", "size": 10, "partChecksums": ["J9LsBYHJrEg="], '
                         b'"name": "\\ud800"}', headers={"Content-Type": "application/json"})
    out.append(("dms start name", c.status))
    # inline If-Match garbage, for comparison with the session's completion
    d = send(api, "PUT", f"{KYC}/{doc_id}", headers={**DOMAIN, "If-Match": "garbage\x01"})
    out.append(("kyc inline PUT If-Match garbage", d.status))
    assert [status for _, status in out] == [400, 400, 400, 400], out


@pytest.mark.parametrize("name", ["gpj.\u202eexe.png", "a\x7fb", "line\u2028break", "tab\there"])
def test_file_names_with_invisible_characters_are_refused(api, aws, name):
    doc_id = send(api, "POST", KYC).json["id"]
    body = {"contentType": "image/png", "size": 10, "partChecksums": ["J9LsBYHJrEg="], "fileName": name}
    answer = api.request("POST", f"{KYC}/{doc_id}/front/uploads", json_body=body, headers=DOMAIN)
    assert answer.status == 400 and b"fileName" in answer.body, answer.body


def test_a_session_of_an_erased_document_leaves_none_of_its_bytes(api, aws):
    """Deleted with a session open (parts in S3) and one completed later: the erasure aborts the open
    upload; a completion after it answers 404 and deletes the object it made."""
    doc_id = send(api, "POST", KYC).json["id"]
    data = big_png(6 * MIB)
    open_session = start(api, f"{KYC}/{doc_id}/back", data).json
    upload_parts(data, open_session)
    late = start(api, f"{KYC}/{doc_id}/front", data).json
    late_parts = upload_parts(data, late)
    from folio.dialects.kyc.mapping import document_key

    prefix = document_key("acme", 7, doc_id).file_prefix()
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"], Prefix=prefix).get("Uploads")  # open, with parts
    assert aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix).get("Versions")  # the front image
    assert api.request("DELETE", f"{KYC}/{doc_id}", headers=DOMAIN).status == 204
    done = api.request("POST", f"{KYC}/{doc_id}/front/uploads/{late['uploadId']}/complete",
                       json_body=completion(data, late_parts), headers=DOMAIN)
    assert done.status in (404, 409), done.body
    listing = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    assert aws["s3"].list_multipart_uploads(Bucket=aws["bucket"], Prefix=prefix).get("Uploads", []) == []
