"""The rare paths of the functions, run as the functions (issue 27, item 1): the suite's IAM guard
(tests/support/iam_guard.py) checks every AWS call each makes against its policy, so a path that needs
a right its function lacks fails here, not on AWS.

- each dialect's CompleteUploadFunction, retried after its precondition lost and its document was erased
  meanwhile: the retry reads whether a version holds the stored file, then deletes that object version
  (nothing of an erased document is kept);
- SweepPurgesFunction finishing an erasure its delete left (the delete died after its mark): it claims
  the purge (an UpdateItem in a transaction), lists and deletes the object versions, the items;
- ArtuSweepBatchesFunction and the readers recovering an atomic batch a dead writer left are in
  test_artu_handlers.py and test_batches.py, which run the functions too.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from ..support.uploads import completion, start_body, upload_parts

pytestmark = pytest.mark.moto_only(
    reason="what is checked is each function's IAM policy, the same on both engines; the conditional writes "
           "of these paths run on both in test_upload_session_races.py and test_erasure.py")

KYC = "/api/customer/42/document"
DMS = "/api/v2/clients/3/dms/projects/9/documents"


def _versions(aws, prefix=""):
    return aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix).get("Versions", [])


def _kyc(api):
    from .test_kyc_handlers import DOMAIN, send

    doc = send(api, "POST", KYC).json["id"]
    data = os.urandom(1024)
    one = f"{KYC}/{doc}/front/uploads/"
    session = api.request("POST", f"{KYC}/{doc}/front/uploads", headers=DOMAIN,
                          json_body=start_body(data, fileName="scan.png", contentType="image/png")).json
    parts = upload_parts(data, session)
    one += session["uploadId"] + "/complete"

    def complete(fresh: bool):
        return api.request("POST", one, json_body=completion(data, parts),
                           headers={**DOMAIN, "If-Match": '"1"' if fresh else '"7"'})
    return complete, lambda: api.request("DELETE", f"{KYC}/{doc}", headers=DOMAIN), "KycCompleteUploadFunction"


def _dms(api):
    from .test_dms_handlers import send

    assert send(api, "POST", DMS, file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"), name="Site plan",
                folderId=17).status == 201
    data = b"%PDF-1.4\n" + os.urandom(1024)
    session = api.request("POST", f"{DMS}/1/uploads",
                          json_body=start_body(data, fileName="survey.pdf", contentType="application/pdf")).json
    parts = upload_parts(data, session)
    one = f"{DMS}/1/uploads/{session['uploadId']}/complete"

    def complete(fresh: bool):
        return api.request("POST", one, json_body=completion(data, parts), headers={"If-Match": '"1"' if fresh else '"7"'})
    return complete, lambda: api.request("DELETE", f"{DMS}/1"), "DmsCompleteUploadFunction"


def _crm(api):
    doc = api.request("POST", "/api/v1/Document", json_body={"Header": "Big deck", "Name": "deck.pptx"}).json["DocumentId"]
    data = os.urandom(1024)
    session = api.request("POST", f"/api/v1/Document/{doc}/Content/uploads",
                          json_body=start_body(data, contentType="application/vnd.ms-powerpoint")).json
    parts = upload_parts(data, session)
    one = f"/api/v1/Document/{doc}/Content/uploads/{session['uploadId']}/complete"

    def complete(fresh: bool):
        return api.request("POST", one, json_body=completion(data, parts), headers={"If-Match": '"1"' if fresh else '"7"'})
    return complete, lambda: api.request("DELETE", f"/api/v1/Document/{doc}"), "CrmCompleteUploadFunction"


def _artu(api):
    from .test_artu_handlers import LIVE, SPEC_ITEM, batch

    doc = batch(api, [SPEC_ITEM]).json["data"][0]["data"]["id"]
    data = os.urandom(1024)
    session = api.request("POST", f"/documents/{doc}/uploads", headers=LIVE,
                          json_body=start_body(data, fileName="ine.jpg", contentType="image/jpeg")).json
    parts = upload_parts(data, session)
    one = f"/documents/{doc}/uploads/{session['uploadId']}/complete"

    def complete(fresh: bool):
        return api.request("POST", one, json_body=completion(data, parts), headers={**LIVE, "If-Match": '"1"' if fresh else '"7"'})
    return complete, lambda: api.request("DELETE", f"/documents/{doc}", headers=LIVE), "ArtuCompleteUploadFunction"


def _capture(api):
    from folio.local.fixtures import seed

    from .test_capture_handlers import API, CLAIMS, XHR, send

    seed()
    doc = api.request("POST", API, json_body={"procedure": {"name": "Demo"}, "batch": {"name": "ep_53"}},
                      claims=CLAIMS).json
    att = send(api, "POST", f"{API}/{doc['id']}/attachments", attachment={"title": "Notes", "type": {"name": "Invoice Notes"}},
               content=("notes5.txt", b"first notes\n", "text/plain")).json
    content = f"{API}/{att['documentId']}/attachments/{att['id']}/content"
    data = b"%PDF-1.4\n" + os.urandom(1024)
    session = api.request("POST", content + "/uploads", headers=XHR, claims=CLAIMS,
                          json_body=start_body(data, fileName="scan.pdf", contentType="application/pdf")).json
    parts = upload_parts(data, session)
    one = f"{content}/uploads/{session['uploadId']}/complete"

    def complete(fresh: bool):
        return api.request("POST", one, headers=XHR, claims=CLAIMS, json_body=completion(
            data, parts, stateToken=att["stateToken"] if fresh else "0" * 32))
    erase = lambda: api.request("DELETE", f"{API}/{att['documentId']}/attachments/{att['id']}", headers=XHR,  # noqa: E731
                                claims=CLAIMS)
    return complete, erase, "CaptureCompleteUploadFunction"


@pytest.mark.parametrize("dialect", [_kyc, _dms, _crm, _artu, _capture], ids=lambda f: f.__name__[1:])
def test_a_completion_retried_after_its_precondition_lost_and_an_erasure_keeps_none_of_its_bytes(api, aws, dialect):
    """The completion loses its precondition (412: the session stays STORED, its object version in S3);
    the document is erased; the retry finds no version holding the file and deletes that object version."""
    complete, erase, function = dialect(api)
    stale = complete(fresh=False)
    assert stale.status in (409, 412), (function, stale.status, stale.body)
    assert erase().status in (200, 204), function
    retried = complete(fresh=True)
    assert retried.status == 404, (function, retried.status, retried.body)
    assert _versions(aws) == [] or all(v["Key"].startswith("~") for v in _versions(aws)), _versions(aws)


def test_the_purge_sweeper_claims_and_finishes_an_erasure_its_delete_left(api, aws, monkeypatch):
    """A DELETE that died after its mark (the purge failed): every read is 404 already; the scheduled
    SweepPurgesFunction claims the purge and erases every item and object version of the document."""
    from folio.core import service as service_module
    from folio.core.errors import StorageUnavailable

    from .test_kyc_handlers import DOMAIN, send

    doc = send(api, "POST", KYC).json["id"]
    assert _versions(aws)
    purge = service_module.DocumentService.purge

    def dies(self, key):
        raise StorageUnavailable("the purge's first call timed out")

    monkeypatch.setattr(service_module.DocumentService, "purge", dies)
    assert api.request("DELETE", f"{KYC}/{doc}", headers=DOMAIN).status == 204
    monkeypatch.setattr(service_module.DocumentService, "purge", purge)
    assert api.request("GET", f"{KYC}/{doc}", headers=DOMAIN).status == 404
    assert _versions(aws)  # nothing erased yet

    import sys

    api.runtime.handler("SweepPurgesFunction")  # loaded: its module's globals are the function's
    app = vars(sys.modules["folio_fn_SweepPurgesFunction"])
    wired = app["document_service"]

    def later():  # the sweeper runs once the dead delete's claim has lapsed
        documents = wired()
        documents.clock = lambda: service_module.utcnow() + timedelta(seconds=service_module.PURGE_CLAIM_SECONDS + 1)
        return documents

    monkeypatch.setitem(app, "document_service", later)
    monkeypatch.setitem(app, "RUNNING_SECONDS", 0)
    answer = api.runtime.invoke("SweepPurgesFunction", {"source": "aws.events", "detail-type": "Scheduled Event"})
    assert answer == {"purged": 1}, answer
    assert _versions(aws) == []
