"""capture's life cycle (DESIGN §10) through the handlers: a document with links to its attachments,
the attachments' list (pages newest first, cursors sealed to the document's list), and the
attachment delete that erases every version of its content."""

import os
from urllib.parse import parse_qs, urlsplit

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.uploads import upload_parts
from .test_capture_handlers import API, CLAIMS, XHR, attachment, capture_api, document, send, url  # noqa: F401
from .test_capture_upload_sessions import complete, start

API_V1 = "/capture/api/v1/documents"
OTHER_TENANT = {**CLAIMS, "tenant": "globex"}


def add(api, doc_id, n, claims=CLAIMS):
    answer = send(api, "POST", f"{API}/{doc_id}/attachments", attachment={"title": f"a{n}"},
                  content=(f"notes{n}.txt", b"notes %d\n" % n, "text/plain"), claims=claims)
    assert answer.status == 201, answer.body
    return answer.json


def new_document(api, claims=CLAIMS):
    answer = api.request("POST", API, json_body={"procedure": {"name": "Demo"}}, claims=claims)
    assert answer.status == 201, answer.body
    return answer.json


def delete(api, path, claims=CLAIMS, **kwargs):
    """A DELETE as a client that sends no body: the CSRF header, the precondition (if any) in ``kwargs``."""
    return api.request("DELETE", path, claims=claims, headers={**XHR, **kwargs.pop("headers", {})}, **kwargs)


def page(api, doc_id, claims=CLAIMS, base=API, **query):
    return api.request("GET", f"{base}/{doc_id}/attachments", claims=claims,
                       query="&".join(f"{k}={v}" for k, v in query.items()))


def next_cursor(answer):
    [link] = [l for l in answer.json["links"] if l["rel"] == "next"] or [None]
    return parse_qs(urlsplit(link["href"]).query)["cursor"][0] if link else None


def every_page(api, doc_id, limit, claims=CLAIMS):
    pages, cursor = [], None
    while True:
        answer = page(api, doc_id, claims, limit=limit, **({"cursor": cursor} if cursor else {}))
        assert answer.status == 200, answer.body
        pages.append(answer.json)
        cursor = next_cursor(answer)
        assert answer.json["hasMore"] == (cursor is not None)
        if cursor is None:
            return pages


def refused(answer, status=400):
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/problem+json" and b'"items"' not in answer.body


def test_pages_hold_every_attachment_once_newest_first(capture_api, document):
    added = [add(capture_api, document["id"], n) for n in range(7)]
    other = new_document(capture_api)
    add(capture_api, other["id"], 99)  # another document's: never in this list
    pages = every_page(capture_api, document["id"], 3)
    assert [len(p["items"]) for p in pages] == [3, 3, 1] and all(p["limit"] == 3 for p in pages)
    assert [p["count"] for p in pages] == [3, 3, 1]
    items = [i for p in pages for i in p["items"]]
    assert [i["id"] for i in items] == [a["id"] for a in reversed(added)]
    assert items[-1] == capture_api.request("GET", url(added[0]), claims=CLAIMS).json  # the attachment's own view
    whole = page(capture_api, document["id"], base=API_V1)  # the spec's v1 prefix, the default limit
    assert whole.status == 200 and whole.json["limit"] == 25 and not whole.json["hasMore"]
    assert [i["id"] for i in whole.json["items"]] == [i["id"] for i in items]


def test_the_document_links_to_its_attachments(capture_api, document):
    added = [add(capture_api, document["id"], n) for n in range(3)]
    answer = capture_api.request("GET", f"{API}/{document['id']}", claims=CLAIMS)
    assert answer.status == 200, answer.body
    got = answer.json
    assert {k: got[k] for k in ("id", "procedure", "batch", "step")} == \
        {k: document[k] for k in ("id", "procedure", "batch", "step")}
    links = {(l["rel"], l["method"]): l["href"] for l in got["links"]}
    canonical = links[("canonical", "GET")]
    assert canonical.endswith(f"{API}/{document['id']}")
    assert links[("urn:oce:capture:attachments", "GET")] == links[("urn:oce:capture:attachments", "POST")] \
        == canonical + "/attachments"
    each = [l["href"] for l in got["links"] if l["rel"] == "urn:oce:capture:attachment"]
    assert each == [canonical + f"/attachments/{a['id']}" for a in reversed(added)]
    assert capture_api.request("GET", f"{API_V1}/{document['id']}", claims=CLAIMS).json == got
    created = capture_api.request("POST", API, json_body={"procedure": {"name": "Demo"}}, claims=CLAIMS)
    assert created.headers["location"].endswith(f"{API}/{created.json['id']}")
    assert capture_api.request("GET", f"{API}/nope", claims=CLAIMS).status == 404


def test_another_tenants_attachments_never_appear(capture_api, document):
    """globex holds a document of the same id, with attachments in a list of the same name."""
    from folio.core import Caller, DocumentKey, NewFile
    from folio.dialects.capture.constants import ATTACHMENT_KIND, CONTENT_SLOT, DOCUMENT_KIND
    from folio.dialects.capture.mapping import attachments_of
    from folio.storage.wiring import document_service

    mine = add(capture_api, document["id"], 1)
    documents, globex = document_service(), Caller("globex", "intruder")
    documents.create(DocumentKey("globex", DOCUMENT_KIND, document["id"]),
                     {k: document[k] for k in ("procedure", "batch", "step")}, globex)
    for n in range(2):
        documents.create(DocumentKey("globex", ATTACHMENT_KIND, f"globex-{n}"),
                         {"documentId": document["id"], "title": "theirs", "comment": None, "type": None}, globex,
                         new_files={CONTENT_SLOT: NewFile(b"theirs", "text/plain", "t.txt")},
                         collection=attachments_of(document["id"]))
    ours = every_page(capture_api, document["id"], 1)
    assert [i["id"] for p in ours for i in p["items"]] == [mine["id"]]
    theirs = every_page(capture_api, document["id"], 1, claims=OTHER_TENANT)
    assert sorted(i["id"] for p in theirs for i in p["items"]) == ["globex-0", "globex-1"]
    links = capture_api.request("GET", f"{API}/{document['id']}", claims=OTHER_TENANT).json["links"]
    assert mine["id"] not in str(links)
    assert capture_api.request("GET", f"{API}/{new_document(capture_api)['id']}", claims=OTHER_TENANT).status == 404
    # globex cannot delete acme's attachment, nor through its own document of the same id
    gone = delete(capture_api, url(mine), claims=OTHER_TENANT)
    assert gone.status == 404
    assert capture_api.request("GET", url(mine), claims=CLAIMS).status == 200


def test_an_ungranted_step_is_403_and_shows_nothing(capture_api, document):
    from folio.core import Caller
    from folio.dialects.capture.mapping import document_key
    from folio.dialects.capture.procedures import DEMO_PROCEDURE
    from folio.storage.wiring import document_service

    review, find_date = DEMO_PROCEDURE["steps"][0], DEMO_PROCEDURE["steps"][1]
    mine = add(capture_api, document["id"], 1)
    moved = new_document(capture_api)
    moved_att = add(capture_api, moved["id"], 2)
    document_service().update(document_key("acme", moved["id"]), lambda d: {**d.body, "step": find_date},
                              Caller("acme", "processor"))
    only_find_date = {**DEFAULT_CLAIMS, "folio:steps": f"[{find_date['id']}]"}
    for claims in (only_find_date, DEFAULT_CLAIMS):  # DEFAULT_CLAIMS: no folio:steps, no step
        refused(capture_api.request("GET", f"{API}/{document['id']}", claims=claims), 403)
        refused(page(capture_api, document["id"], claims), 403)
        refused(delete(capture_api, url(mine), claims=claims), 403)
    assert [i["id"] for i in page(capture_api, moved["id"], only_find_date).json["items"]] == [moved_att["id"]]
    only_review = {**DEFAULT_CLAIMS, "folio:steps": f"[{review['id']}]"}
    refused(page(capture_api, moved["id"], only_review), 403)
    assert [i["id"] for i in page(capture_api, document["id"], only_review).json["items"]] == [mine["id"]]
    assert capture_api.request("GET", url(mine), claims=CLAIMS).status == 200  # the refused delete deleted nothing


def test_cursors_of_no_list_another_list_or_another_tenant_are_400(capture_api, document):
    for n in range(3):
        add(capture_api, document["id"], n)
    cursor = next_cursor(page(capture_api, document["id"], limit=1))
    other = new_document(capture_api)
    for n in range(3):
        add(capture_api, other["id"], n)
    others = next_cursor(page(capture_api, other["id"], limit=1))
    payload, _, mac = cursor.partition(".")
    tampered = ("A" if payload[0] != "A" else "B") + payload[1:] + "." + mac
    for bad in ("forged", "eyJwayI6IngifQ.0123456789abcdef0123456789abcdef", tampered, others, cursor + "x"):
        refused(page(capture_api, document["id"], limit=1, cursor=bad))
    # globex: a document of the same id (another tenant's list of the same name) refuses acme's cursor
    globex_doc = new_document(capture_api, claims=OTHER_TENANT)
    refused(page(capture_api, globex_doc["id"], OTHER_TENANT, limit=1, cursor=cursor))
    assert page(capture_api, document["id"], limit=1, cursor=cursor).status == 200  # the real one still works


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "", "1e2", "99999999999999999999"])
def test_a_limit_out_of_range_is_400(capture_api, document, limit):
    refused(page(capture_api, document["id"], limit=limit))


def test_delete_with_and_without_preconditions(capture_api, document):
    a, b, c, d, e = (add(capture_api, document["id"], n) for n in range(5))
    stale = "0" * 32
    answer = delete(capture_api, url(a))  # no precondition: unconditional
    assert answer.status == 204 and answer.body == b""

    for bad in ({"json_body": {"stateToken": stale}}, {"query": f"stateToken={stale}"},
                {"headers": {"If-Match": '"7"'}}):
        got = delete(capture_api, url(b), **bad)
        refused(got, 412)
        assert got.json["stateToken"] == b["stateToken"]  # the answer names the current one
    mixed = capture_api.request("DELETE", url(b), claims=CLAIMS, headers=XHR, json_body={"stateToken": b["stateToken"]},
                                query=f"stateToken={stale}")
    refused(mixed)
    refused(capture_api.request("DELETE", url(b), claims=CLAIMS, json_body={"stateToken": b["stateToken"]}))  # no XHR
    refused(capture_api.request("DELETE", url(b), claims=CLAIMS, headers=XHR, json_body=["x"]))
    assert capture_api.request("GET", url(b), claims=CLAIMS).json == b  # nothing of it was deleted

    assert capture_api.request("DELETE", url(b), claims=CLAIMS, headers=XHR,
                               json_body={**b, "stateToken": b["stateToken"]}).status == 204  # the whole object
    assert capture_api.request("DELETE", url(c), claims=CLAIMS, headers=XHR,
                               query=f"stateToken={c['stateToken']}").status == 204
    assert capture_api.request("DELETE", f"{API_V1}/{document['id']}/attachments/{d['id']}", claims=CLAIMS,
                               headers={**XHR, "If-Match": '"1"'}).status == 204
    other = new_document(capture_api)
    refused(delete(capture_api, f"{API}/{other['id']}/attachments/{e['id']}"), 404)  # not attached to it

    for gone in (a, b, c, d):
        refused(capture_api.request("GET", url(gone), claims=CLAIMS), 404)
        refused(delete(capture_api, url(gone)), 404)  # deleting a deleted attachment
    listed = page(capture_api, document["id"]).json["items"]
    assert [i["id"] for i in listed] == [e["id"]]


def erasure_leftovers(aws, key, file_keys):
    """Every S3 object version (and delete marker) under the attachment's file prefix and under each
    file key its versions named, and every table item naming its partition."""
    from folio.storage.keys import partition_key

    objects = []
    for prefix in {key.file_prefix(), *file_keys}:
        listing = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
        objects += listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    items = []
    for scanned in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items += [i for i in scanned["Items"] if partition_key(key) in (i["pk"]["S"], i["sk"]["S"])]
    return objects, items


def test_a_delete_erases_every_version_of_the_content_and_every_item(capture_api, document, aws):
    from folio.dialects.capture.mapping import attachment_key
    from folio.storage.wiring import document_service

    att = add(capture_api, document["id"], 1)
    for n in range(2, 4):  # three content versions, each its own S3 object version
        answer = send(capture_api, "PUT", url(att), attachment={"title": f"v{n}", "stateToken": att["stateToken"]},
                      content=(f"v{n}.txt", b"version %d\n" % n, "text/plain"))
        assert answer.status == 200, answer.body
        att = answer.json
    key = attachment_key("acme", att["id"])
    history = document_service().history(key)
    file_keys = {ref.key for version in history for ref in version.files.values()}
    assert len(history) == 3 and len({ref.version_id for v in history for ref in v.files.values()}) == 3
    objects, items = erasure_leftovers(aws, key, file_keys)
    assert len(objects) >= 3 and len(items) >= 4  # before: the head and three history items at least

    assert delete(capture_api, url(att)).status == 204
    assert erasure_leftovers(aws, key, file_keys) == ([], [])
    assert capture_api.request("GET", f"{API}/{document['id']}", claims=CLAIMS).status == 200  # the document stays
    assert page(capture_api, document["id"]).json["items"] == []


@pytest.mark.moto_only(reason="the upload session's conditional writes run on both engines in test_upload_sessions.py")
def test_an_attachment_added_through_a_session_is_listed_and_erased(capture_api, document, aws):
    from folio.dialects.capture.mapping import attachment_key
    from folio.storage.wiring import document_service

    inline = add(capture_api, document["id"], 1)
    data = os.urandom(6 * 1024 * 1024)
    collection = f"{API}/{document['id']}/attachments"
    session = start(capture_api, collection, data).json
    parts = upload_parts(data, session)
    done = complete(capture_api, f"{collection}/uploads/{session['uploadId']}", data, parts, headers={})
    assert done.status == 201, done.body
    listed = page(capture_api, document["id"]).json["items"]
    assert [i["id"] for i in listed] == [done.json["id"], inline["id"]]

    key = attachment_key("acme", done.json["id"])
    file_keys = {ref.key for v in document_service().history(key) for ref in v.files.values()}
    assert erasure_leftovers(aws, key, file_keys)[0]
    assert delete(capture_api, url(done.json)).status == 204
    assert erasure_leftovers(aws, key, file_keys) == ([], [])
    assert [i["id"] for i in page(capture_api, document["id"]).json["items"]] == [inline["id"]]
