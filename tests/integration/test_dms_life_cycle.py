"""dms's life cycle (DESIGN §10) through the handlers, on both engines: a project's documents in
pages newest first (scoped to tenant, client and project; cursors that belong to no other list),
deletes that erase every table item and S3 object version, and restoring a version as a new one
that points at the same S3 object version."""

import base64
import hashlib
import json

import pytest

from ..conftest import DEFAULT_CLAIMS
from .test_dms_handlers import BASE, error_body, send

pytestmark = pytest.mark.moto_only(
    reason="the dms mapping of lists and deletes; the core's lists, marks and purges (and their crashes) run "
           "on both engines in test_erasure.py")

OTHER_TENANT = {**DEFAULT_CLAIMS, "tenant": "globex", "sub": "user-9"}
PROJECT_10 = "/api/v2/clients/3/dms/projects/10/documents"
CLIENT_4 = "/api/v2/clients/4/dms/projects/9/documents"


def create(api, base=BASE, name="doc", data=b"%PDF-1.4 one", claims=DEFAULT_CLAIMS, **fields):
    answer = send(api, "POST", base, file=(f"{name}.pdf", data, "application/pdf"), claims=claims, name=name, **fields)
    assert answer.status == 201, answer.body
    return answer.json


def listing(api, base=BASE, claims=DEFAULT_CLAIMS, **query):
    return api.request("GET", base, query="&".join(f"{k}={v}" for k, v in query.items()), claims=claims)


def every_page(api, base=BASE, limit=3, claims=DEFAULT_CLAIMS):
    """Every page of a list, following nextCursor: the pages' documents."""
    pages, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = listing(api, base, claims, **query)
        assert answer.status == 200, answer.body
        assert set(answer.json) == {"data", "nextCursor"}
        pages.append(answer.json["data"])
        cursor = answer.json["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20


@pytest.fixture
def lists(api):
    """Seven documents in project 9 of client 3, and documents that must never appear in its list:
    project 10's, client 4's project 9's, and another tenant's in the same client and project."""
    mine = [create(api, name=f"mine-{n}") for n in range(7)]
    create(api, PROJECT_10, name="project-10-a")
    create(api, PROJECT_10, name="project-10-b")
    create(api, CLIENT_4, name="client-4")
    create(api, name="other-tenant-a", claims=OTHER_TENANT)
    create(api, name="other-tenant-b", claims=OTHER_TENANT)
    return mine


def test_pages_hold_every_document_of_the_project_once_newest_first(api, lists):
    send(api, "PUT", f"{BASE}/{lists[0]['id']}", file=("new.pdf", b"%PDF-1.4 two", "application/pdf"))  # stays put
    pages = every_page(api, limit=3)
    assert [len(page) for page in pages] == [3, 3, 1]
    listed = [doc for page in pages for doc in page]
    assert [doc["name"] for doc in listed] == [f"mine-{n}" for n in reversed(range(7))]
    assert listed[-1]["version"] == 2 and listed[-1]["fileName"] == "new.pdf"  # the current version's facts
    assert listed[0] == api.request("GET", f"{BASE}/{listed[0]['id']}").json  # the document as GET answers it
    assert [doc["name"] for doc in every_page(api, limit=100)[0]] == [doc["name"] for doc in listed]
    default = listing(api).json
    assert len(default["data"]) == 7 and default["nextCursor"] is None


def test_lists_are_scoped_to_tenant_client_and_project(api, lists):
    assert [d["name"] for d in every_page(api, PROJECT_10)[0]] == ["project-10-b", "project-10-a"]
    assert [d["name"] for d in every_page(api, CLIENT_4)[0]] == ["client-4"]
    assert [d["name"] for d in every_page(api, claims=OTHER_TENANT)[0]] == ["other-tenant-b", "other-tenant-a"]
    assert listing(api, "/api/v2/clients/3/dms/projects/11/documents").json == {"data": [], "nextCursor": None}


def _refused(answer):
    assert answer.status == 400, answer.body
    body = error_body(answer)
    assert "data" not in body and "mine-" not in answer.body.decode()
    return body


def test_a_cursor_of_no_page_of_this_list_is_refused(api, lists):
    cursor = listing(api, limit=2).json["nextCursor"]
    payload, _, mac = cursor.partition(".")
    position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**position, "lsk": "9999"}).encode()).decode().rstrip("=")
    other_list = listing(api, PROJECT_10, limit=1).json["nextCursor"]
    other_tenant = listing(api, claims=OTHER_TENANT, limit=1).json["nextCursor"]
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    for bad in [f"{forged}.{mac}", f"{flipped}.{mac}", f"{payload}.{'0' * len(mac)}", "not-a-cursor", other_list,
                other_tenant, cursor + "x"]:
        assert "cursor" in _refused(listing(api, limit=2, cursor=bad))["details"], bad
    # and a cursor is good for its own list alone: this one reads project 9's second page
    assert [d["name"] for d in listing(api, limit=2, cursor=cursor).json["data"]] == ["mine-4", "mine-3"]
    assert _refused(listing(api, PROJECT_10, limit=2, cursor=cursor))
    assert _refused(listing(api, claims=OTHER_TENANT, limit=2, cursor=cursor))


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "99999999999999999999999"])
def test_a_limit_out_of_range_is_refused(api, lists, limit):
    assert "limit" in _refused(listing(api, limit=limit))["details"]


# ---------------------------------------------------------------- deletes that erase

def _stored(aws, key):
    """Every S3 object version under the document's file prefix and of every file key its versions
    named, and every table item of the document (its partition, as key or as alias)."""
    from folio.storage.keys import partition_key
    from folio.storage.wiring import document_service

    keys = {ref.key for doc in document_service().history(key) for ref in doc.files.values()}
    objects = []
    for prefix in {key.file_prefix(), *keys}:
        listed = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
        objects += [(v["Key"], v["VersionId"]) for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])]
    pk, items = partition_key(key), []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items += [i for i in page["Items"]
                  if any(v.get("S") == pk or str(v.get("S", "")).startswith(pk + "#") for v in i.values())]
    return sorted(set(objects)), items, keys


def test_a_delete_erases_every_item_and_object_version(api, aws):
    from folio.dialects.dms.mapping import document_key

    doc = create(api, name="erase-me", data=b"%PDF-1.4 first")
    keep = create(api, name="keep-me", data=b"%PDF-1.4 kept")
    path = f"{BASE}/{doc['id']}"
    for n in (2, 3):
        send(api, "PUT", path, file=(f"v{n}.pdf", b"%%PDF-1.4 version %d" % n, "text/plain"))
    send(api, "PUT", path, description="metadata only")
    assert api.request("POST", f"{path}/versions/1/restore").status == 201
    key = document_key("acme", 3, 9, doc["id"])
    objects, items, keys = _stored(aws, key)
    assert len(objects) == 3 and len(items) >= 6 and keys  # three files, five versions and the head

    answer = api.request("DELETE", path)
    assert (answer.status, answer.body) == (204, b"")
    assert _stored(aws, key)[:2] == ([], [])
    for prefix in sorted(keys):  # the keys its versions named, read before the delete
        assert aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix).get("Versions", []) == []
    for gone in (path, f"{path}/versions", f"{path}/versions/1/file"):
        assert error_body(api.request("GET", gone))["code"] == 404, gone
    assert [d["name"] for d in listing(api).json["data"]] == ["keep-me"]
    assert api.request("GET", f"{BASE}/{keep['id']}/versions/1/file").body == b"%PDF-1.4 kept"
    again = api.request("DELETE", path)
    assert again.status == 404 and error_body(again)["message"] == "Not found"


def test_a_delete_with_a_stale_precondition_deletes_nothing(api, aws):
    doc = create(api, name="guarded")
    path = f"{BASE}/{doc['id']}"
    stale = api.request("GET", path).headers["etag"]
    send(api, "PUT", path, file=("v2.pdf", b"%PDF-1.4 two", "application/pdf"))
    before = api.request("GET", path)
    for headers in ({"If-Match": stale}, {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}):
        answer = api.request("DELETE", path, headers=headers)
        assert answer.status == 412 and error_body(answer)["message"] == "Precondition failed", headers
    assert api.request("GET", path).json == before.json
    assert [v["version"] for v in api.request("GET", f"{path}/versions").json["data"]] == [2, 1]
    assert api.request("GET", f"{path}/versions/1/file").body == b"%PDF-1.4 one"
    assert api.request("DELETE", path, headers={"If-Match": before.headers["etag"]}).status == 204
    assert api.request("GET", path).status == 404

    other = create(api, name="unmodified")
    answer = api.request("DELETE", f"{BASE}/{other['id']}", headers={"If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert answer.status == 204


def test_another_tenant_client_or_project_cannot_delete_it(api):
    doc = create(api, name="not-yours")
    for path, claims in ((f"{BASE}/{doc['id']}", OTHER_TENANT), (f"{PROJECT_10}/{doc['id']}", DEFAULT_CLAIMS),
                         (f"{CLIENT_4}/{doc['id']}", DEFAULT_CLAIMS)):
        answer = api.request("DELETE", path, claims=claims)
        assert answer.status == 404 and error_body(answer)["details"] == f"no document {doc['id']}", path
    assert api.request("GET", f"{BASE}/{doc['id']}").json == doc
    assert error_body(api.request("DELETE", f"{BASE}/abc"))["code"] == 400


# ---------------------------------------------------------------- restore

def test_restore_makes_a_new_version_of_the_same_s3_object_version(api, aws):
    from folio.dialects.dms.mapping import document_key
    from folio.storage.wiring import document_service

    first, second = b"%PDF-1.4 the first plan", b"%PDF-1.4 the second plan, longer"
    doc = create(api, name="Plan", data=first, folderId=17)
    path = f"{BASE}/{doc['id']}"
    send(api, "PUT", path, name="Plan (approved)")  # metadata only: still version 1, as it stood when superseded
    send(api, "PUT", path, file=("rev-b.pdf", second, "application/pdf"), name="Plan rev B", folderId=18)
    key = document_key("acme", 3, 9, doc["id"])
    objects_before = _stored(aws, key)[0]

    answer = api.request("POST", f"{path}/versions/1/restore")
    assert answer.status == 201, answer.body
    restored = answer.json
    assert (restored["version"], restored["name"], restored["folderId"], restored["fileName"], restored["size"],
            restored["sha256"]) == (3, "Plan (approved)", 17, "Plan.pdf", len(first),
                                    hashlib.sha256(first).hexdigest())
    assert answer.headers["location"].endswith(path) and answer.headers["etag"] == '"4"'
    assert restored["createdAt"] == doc["createdAt"] and api.request("GET", path).json == restored
    assert api.request("GET", f"{path}/versions/3/file").body == first  # byte-identical
    history = document_service().history(key)
    assert history[-1].files["file"] == history[0].files["file"]  # the same key and VersionId: no copy
    assert _stored(aws, key)[0] == objects_before  # nothing stored
    assert [v["version"] for v in api.request("GET", f"{path}/versions").json["data"]] == [3, 2, 1]
    assert api.request("GET", f"{path}/versions/2/file").body == second  # history never rewritten
    assert [d.version for d in history] == [1, 2, 3, 4] and len(objects_before) == 2

    current = api.request("POST", f"{path}/versions/3/restore")  # the current one: the same, once more
    assert current.status == 201 and current.json["version"] == 4 and current.json["name"] == "Plan (approved)"


def test_restore_preconditions_and_refusals(api):
    doc = create(api, name="Plan")
    path = f"{BASE}/{doc['id']}"
    etag = api.request("GET", path).headers["etag"]
    send(api, "PUT", path, file=("v2.pdf", b"%PDF-1.4 two", "application/pdf"))
    stale = api.request("POST", f"{path}/versions/1/restore", headers={"If-Match": etag})
    assert stale.status == 412 and error_body(stale)["code"] == 412
    assert api.request("GET", path).json["version"] == 2  # nothing committed
    fresh = api.request("GET", path).headers["etag"]
    assert api.request("POST", f"{path}/versions/1/restore", headers={"If-Match": fresh}).json["version"] == 3

    missing = api.request("POST", f"{path}/versions/9/restore")
    assert missing.status == 404 and "no version 9" in error_body(missing)["details"]
    for version in ("0", "abc", "-1"):
        assert error_body(api.request("POST", f"{path}/versions/{version}/restore"))["code"] == 400, version
    for other, claims in ((f"{PROJECT_10}/{doc['id']}", DEFAULT_CLAIMS), (path, OTHER_TENANT)):
        answer = api.request("POST", f"{other}/versions/1/restore", claims=claims)
        assert answer.status == 404 and error_body(answer)["details"] == f"no document {doc['id']}"
    api.request("DELETE", path)
    assert api.request("POST", f"{path}/versions/1/restore").status == 404


def test_a_document_an_upload_session_created_is_listed(api):
    from ..support.uploads import completion, start_body, upload_parts

    create(api, name="inline")
    data = b"%PDF-1.4 sent in one part"
    started = api.request("POST", f"{BASE}/uploads", json_body=start_body(data, fileName="session.pdf",
                                                                          contentType="application/pdf"))
    assert started.status == 201, started.body
    session = started.json
    done = api.request("POST", f"{BASE}/uploads/{session['uploadId']}/complete",
                       json_body=completion(data, upload_parts(data, session)))
    assert done.status == 201, done.body
    assert [d["name"] for d in listing(api).json["data"]] == ["session.pdf", "inline"]
