"""An abort of a session whose completion died COMPLETING (before S3 completed its object) never
deletes the committed version of another session of the same slot and the same bytes (hence the
same multipart ETag, by which a lost object is found): it deletes only what it could abandon."""
import os
import pytest
from ..support.files import png
from ..support.uploads import completion, start_body, upload_parts
from .test_kyc_handlers import DOMAIN, send
from .test_upload_session_races import Killed, crash_once, head_front, s3_has, start

MIB = 1024 * 1024
KYC = "/api/customer/42/document"


def test_an_abort_of_a_session_that_died_completing_never_deletes_a_committed_twin(api, aws, monkeypatch):
    from folio.core import uploads as core_uploads
    from folio.storage import uploads as storage_uploads
    doc_id = send(api, "POST", KYC).json["id"]
    data = png() + os.urandom(6 * MIB)
    s1 = start(api, f"{KYC}/{doc_id}/front", data).json
    done = api.request("POST", f"{KYC}/{doc_id}/front/uploads/{s1['uploadId']}/complete",
                       json_body=completion(data, upload_parts(data, s1)), headers=DOMAIN)
    assert done.status == 200, done.body
    front = head_front(api, doc_id).files["front"]
    # the same file again (a client re-sending it), and its completion dies right after its claim
    s2 = start(api, f"{KYC}/{doc_id}/front", data).json
    parts2 = upload_parts(data, s2)
    one2 = f"{KYC}/{doc_id}/front/uploads/{s2['uploadId']}"
    crash_once(monkeypatch, storage_uploads.MultipartStore, "complete_multipart", lambda *a: True)
    with pytest.raises(Killed):
        api.request("POST", one2 + "/complete", json_body=completion(data, parts2), headers=DOMAIN)
    monkeypatch.setattr(core_uploads, "CLAIM_SECONDS", -1)
    assert api.request("DELETE", one2, headers=DOMAIN).status == 204
    assert head_front(api, doc_id).files["front"] == front
    assert s3_has(aws, front.key, front.version_id), "the abort deleted the committed version's file"
