"""Review 2: attacks on the life cycle (throwaway)."""
import base64
import json
import urllib.parse

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.uploads import completion, upload_parts
from .test_dms_handlers import BASE, error_body, send
from .test_dms_life_cycle import create, listing
from .test_dms_upload_sessions import pdf, start, stored_versions

MIB = 1024 * 1024


def all_versions(aws, prefix=""):
    out = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
    return out.get("Versions", []) + out.get("DeleteMarkers", [])


@pytest.mark.parametrize("bad", ["abc.%C3%A9", "abc.%C3%A9%C3%A9", "%C3%A9.abc", "x" * 5000, "x" * (1024 * 1024),
                                 "a.b.c", ".", "%00.%00", "e30." + "0" * 32])
def test_review2_cursor_garbage(api, bad):
    create(api, name="a"); create(api, name="b")
    answer = api.request("GET", BASE, query=f"limit=1&cursor={bad}")
    print(bad[:30], answer.status, answer.body[:300])
    assert answer.status == 400, answer.body[:500]


def test_review2_crm_cursor_garbage(api):
    from .test_crm_handlers import send as crm_send  # noqa
    for bad in ["abc.%C3%A9", "x" * 5000]:
        answer = api.request("GET", "/api/v1/Document", query=f"$top=1&cursor={bad}")
        print("crm", answer.status, answer.body[:300])


def test_review2_upload_session_completed_after_delete_leaves_object(api, aws):
    created = send(api, "POST", BASE, file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"), name="x")
    assert created.status == 201
    doc_id = created.json["id"]
    data = pdf(6 * MIB)
    session = start(api, f"{BASE}/{doc_id}", data).json
    parts = upload_parts(data, session)
    gone = api.request("DELETE", f"{BASE}/{doc_id}")
    assert gone.status == 204, gone.body
    print("after delete", [(v["Key"], v.get("Size")) for v in all_versions(aws)])
    path = f"{BASE}/{doc_id}/uploads/{session['uploadId']}/complete"
    done = api.request("POST", path, json_body=completion(data, parts))
    print("complete after delete", done.status, done.body[:300])
    left = [(v["Key"], v.get("Size")) for v in all_versions(aws) if not v["Key"].startswith("~")]
    print("left", left)
    mp = aws["s3"].list_multipart_uploads(Bucket=aws["bucket"]).get("Uploads", [])
    print("multipart in progress", [(u["Key"]) for u in mp])
    items = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"]):
        items += [(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]]
    print("items", items)
    assert left == [] and mp == []


def test_review2_history_visible_mid_purge(aws):
    """A purge that dies after its first BatchWriteItem (HEAD and V#1..24 gone, V#25.. left)."""
    from folio.core import Caller, DocumentKey, Edit
    from folio.storage.wiring import document_service
    from .test_faults import Crash, Injector

    documents, caller = document_service(), Caller("acme", "eraser")
    key = DocumentKey("acme", "dms-document", "3/9/77")
    documents.create(key, {"n": 0}, caller, collection="x")
    for n in range(1, 30):
        documents.update(key, Edit(lambda d, n=n: {"n": n}), caller)
    injector = Injector()
    try:
        injector.arm(None, None)
        documents.delete(key, caller)
        calls = list(injector.calls)
        print(calls)
    finally:
        injector.close()
    key = DocumentKey("acme", "dms-document", "3/9/78")
    documents.create(key, {"n": 0}, caller, collection="x")
    for n in range(1, 30):
        documents.update(key, Edit(lambda d, n=n: {"n": n}), caller)
    injector = Injector()
    try:
        target = calls.index("BatchWriteItem") + 1
        injector.arm(target, "crash")
        with pytest.raises(Crash):
            documents.delete(key, caller)
        injector.arm(None, None)
        print("find", documents.find(key))
        hist = documents.history(key)
        print("history after crash", [d.version for d in hist])
        try:
            print("get_version 29", documents.get_version(key, 29))
        except Exception as e:
            print("get_version", type(e).__name__, e)
        assert hist == []
    finally:
        injector.close()
