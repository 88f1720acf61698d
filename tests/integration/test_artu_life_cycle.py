"""artu's life cycle (DESIGN §10) through the handlers, on both engines: a client's documents
(``GET /documents?clientId=``) in pages newest first, scoped to tenant, environment and client,
with cursors that belong to no other list refused; the lookup by externalId unchanged; deletes
that erase every table item (the id alias included) and S3 object version, and never tear an
atomic batch that holds the document."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ..conftest import DEFAULT_CLAIMS
from .test_artu_handlers import CLIENT, LIVE, arrive, batch

pytestmark = pytest.mark.moto_only(
    reason="the artu mapping of lists and deletes; the core's lists, marks and purges (and their crashes) run "
           "on both engines in test_erasure.py")

OTHER_TENANT = {**DEFAULT_CLAIMS, "tenant": "globex", "sub": "user-9"}
OTHER_CLIENT = "9b2e4f1a-7c3d-4e5f-8a6b-1c2d3e4f5a6b"
TEST_ENV = {"X-Environment": "test"}


def create(api, external, client=CLIENT, headers=LIVE, claims=DEFAULT_CLAIMS, **fields):
    answer = batch(api, [{"clientId": client, "externalId": external, "type": "ine", **fields}], headers=headers,
                   claims=claims)
    assert answer.status == 200, answer.body
    return answer.json["data"][0]["data"]


def listing(api, client=CLIENT, headers=LIVE, claims=DEFAULT_CLAIMS, **query):
    query = {"clientId": client, **query} if client is not None else query
    return api.request("GET", "/documents", headers=headers, claims=claims,
                       query="&".join(f"{k}={v}" for k, v in query.items()))


def every_page(api, limit=3, **kwargs):
    """Every page of the client's list, following nextCursor: the pages' documents."""
    pages, cursor = [], None
    while True:
        answer = listing(api, limit=limit, **({"cursor": cursor} if cursor else {}), **kwargs)
        assert answer.status == 200, answer.body
        assert set(answer.json) == {"data", "nextCursor"}
        pages.append(answer.json["data"])
        cursor = answer.json["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20


def refused(answer):
    """A 400 in artu's error format that carries no document."""
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert "data" not in answer.json and b"externalId\": \"mine" not in answer.body
    return answer.json


@pytest.fixture
def lists(api):
    """Seven documents of CLIENT in live (each its own batch, so each is newer than the one before),
    and documents that must never appear in its list: another client's, the test environment's
    (same client, same externalIds) and another tenant's (same client and environment)."""
    mine = [create(api, f"mine-{n}") for n in range(7)]
    create(api, "other-client", client=OTHER_CLIENT)
    create(api, "mine-0", headers=TEST_ENV)
    create(api, "mine-1", claims=OTHER_TENANT)
    return mine


def test_pages_hold_every_document_of_the_client_once_newest_first(api, lists):
    create(api, "mine-0", metadata={"source": "erp"})  # an update by batch: the document stays in its place
    pages = every_page(api, limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [d["externalId"] for p in pages for d in p] == [f"mine-{n}" for n in range(6, -1, -1)]
    assert pages[-1][0]["metadata"] == {"source": "erp"}
    assert {d["id"] for p in pages for d in p} == {d["id"] for d in lists}
    assert listing(api).json["nextCursor"] is None  # the default page (20) holds all seven


def test_a_batch_of_many_creates_lists_each_once(api):
    answer = batch(api, [{"clientId": CLIENT, "externalId": f"bulk-{n}"} for n in range(12)])
    assert answer.status == 200
    listed = [d["externalId"] for p in every_page(api, limit=5) for d in p]
    assert sorted(listed) == sorted(f"bulk-{n}" for n in range(12)) and len(set(listed)) == 12


def test_lists_are_scoped_to_tenant_environment_and_client(api, lists):
    assert [d["externalId"] for d in listing(api, client=OTHER_CLIENT).json["data"]] == ["other-client"]
    assert [d["externalId"] for d in listing(api, headers=TEST_ENV).json["data"]] == ["mine-0"]
    assert [d["externalId"] for d in listing(api, claims=OTHER_TENANT).json["data"]] == ["mine-1"]
    assert listing(api, client=str(uuid.uuid4())).json == {"data": [], "nextCursor": None}
    assert listing(api, headers={}).status == 400


def test_the_lookup_by_external_id_is_unchanged(api, lists):
    found = listing(api, externalId="mine-3")
    assert found.status == 200 and found.json == {"data": [lists[3]]}
    assert listing(api, externalId="nope").json == {"data": []}
    for query in ({"client": None, "externalId": "mine-3"}, {"externalId": ""}, {"client": "not-a-uuid"},
                  {"client": "not-a-uuid", "externalId": "mine-3"}, {"client": None}):
        assert listing(api, **query).status == 400, query


def test_a_cursor_of_no_page_of_this_list_is_refused(api, lists):
    cursor = listing(api, limit=2).json["nextCursor"]
    payload, _, mac = cursor.partition(".")
    position = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**position, "lsk": "9999"}).encode()).decode().rstrip("=")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    create(api, "other-client-2", client=OTHER_CLIENT)
    other_list = listing(api, client=OTHER_CLIENT, limit=1).json["nextCursor"]
    create(api, "mine-2", headers=TEST_ENV)
    other_env = listing(api, headers=TEST_ENV, limit=1).json["nextCursor"]
    create(api, "mine-2", claims=OTHER_TENANT)
    other_tenant = listing(api, claims=OTHER_TENANT, limit=1).json["nextCursor"]
    assert other_list and other_env and other_tenant
    for bad in [f"{forged}.{mac}", f"{flipped}.{mac}", f"{payload}.{'0' * len(mac)}", "not-a-cursor", other_list,
                other_env, other_tenant, cursor + "x"]:
        assert "cursor" in json.dumps(refused(listing(api, limit=2, cursor=bad))), bad
    # a cursor is good for its own list alone: this one reads the second page
    assert [d["externalId"] for d in listing(api, limit=2, cursor=cursor).json["data"]] == ["mine-4", "mine-3"]
    refused(listing(api, client=OTHER_CLIENT, limit=2, cursor=cursor))
    refused(listing(api, headers=TEST_ENV, limit=2, cursor=cursor))
    refused(listing(api, claims=OTHER_TENANT, limit=2, cursor=cursor))


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "99999999999999999999999"])
def test_a_limit_out_of_range_is_refused(api, lists, limit):
    assert "limit" in json.dumps(refused(listing(api, limit=limit)))


# ---------------------------------------------------------------- deletes that erase

def delete(api, doc_id, headers=LIVE, claims=DEFAULT_CLAIMS, **extra):
    return api.request("DELETE", f"/documents/{doc_id}", headers={**headers, **extra}, claims=claims)


def stored(aws, doc):
    """Every S3 object version under the document's file prefixes (its key's, and its id's, where
    its uploads go) and of every file key its versions named, and every table item of the
    document: its partition (head, history, pending records), its id alias, its purge record."""
    from folio.dialects.artu.mapping import alias, document_key, id_key
    from folio.storage.keys import partition_key
    from folio.storage.wiring import document_service

    key = document_key("acme", "live", doc["clientId"], doc["externalId"])
    files = {ref.key for version in document_service().history(key) for ref in version.files.values()}
    objects = []
    for prefix in {key.file_prefix(), id_key("acme", "live", doc["id"]).file_prefix(), *files}:
        listed = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
        objects += [(v["Key"], v["VersionId"]) for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])]
    names = (partition_key(key), partition_key(alias("acme", "live", doc["id"])))
    items = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items += [i for i in page["Items"] if any(str(v.get("S", "")).startswith(names) for v in i.values())]
    return sorted(set(objects)), items, files


def upload(api, aws, doc, data, sequencer):
    put = aws["s3"].put_object(Bucket=aws["bucket"], Key=f"acme/artu-live/{doc['id']}/artu-upload", Body=data,
                               ContentType="image/jpeg")
    assert arrive(api, aws, doc["id"], put, sequencer=sequencer) == {"recorded": 1}


def test_a_delete_erases_every_item_and_object_version(api, aws):
    doc = create(api, "erase-me", metadata={"n": 1})
    upload(api, aws, doc, b"\xff\xd8\xff first", "0000000000000001")
    create(api, "erase-me", metadata={"n": 2})
    upload(api, aws, doc, b"\xff\xd8\xff second", "0000000000000002")
    # what no version names: an upload session's object, left by a session that never completed
    aws["s3"].put_object(Bucket=aws["bucket"], Key=f"acme/artu-live/{doc['id']}/file", Body=b"never recorded")
    keep = create(api, "keep-me")
    objects, items, files = stored(aws, doc)
    assert len(objects) == 3 and len(files) == 1 and len(items) >= 6  # head, 4 versions, alias
    assert delete(api, doc["id"]).status == 204
    assert stored(aws, doc)[:2] == ([], [])
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).status == 404
    assert listing(api, externalId="erase-me").json == {"data": []}
    assert [d["id"] for d in listing(api).json["data"]] == [keep["id"]]
    assert api.request("GET", f"/documents/{keep['id']}", headers=LIVE).json["data"] == keep
    gone = delete(api, doc["id"])
    assert gone.status == 404 and gone.headers["content-type"] == "application/problem+json"
    again = create(api, "erase-me")  # the externalId is free again: a new document, a new id
    assert again["id"] != doc["id"] and again["metadata"] == {}


def test_a_delete_with_a_stale_precondition_deletes_nothing(api, aws):
    doc = create(api, "guarded")
    create(api, "guarded", metadata={"v": 2})
    before = stored(aws, doc)
    assert delete(api, doc["id"], **{"If-Match": '"1"'}).status == 412
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert delete(api, doc["id"], **{"If-Unmodified-Since": past}).status == 412
    assert stored(aws, doc) == before
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]["metadata"] == {"v": 2}
    etag = api.request("GET", f"/documents/{doc['id']}", headers=LIVE).headers["etag"]
    assert delete(api, doc["id"], **{"If-Match": etag}).status == 204
    assert stored(aws, doc)[:2] == ([], [])


def test_another_tenant_or_environment_cannot_delete_it(api, aws):
    doc = create(api, "not-yours")
    assert delete(api, doc["id"], claims=OTHER_TENANT).status == 404
    assert delete(api, doc["id"], headers=TEST_ENV).status == 404
    assert delete(api, doc["id"], headers={}).status == 400
    assert delete(api, "not-a-uuid").status == 404
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"] == doc


# ---------------------------------------------------------------- a batch holding the document

def hold(doc, metadata):
    """A batch that locked the document's head (steps 2-3 of the protocol) and stopped there, as
    a live writer between its locks and its commit point: its id and its service."""
    from folio.core import Caller
    from folio.dialects.artu.mapping import document_key
    from folio.dialects.artu.operations import batch_item
    from folio.dialects.artu.models import Item
    from folio.storage.wiring import batch_service

    service = batch_service()
    item = batch_item("acme", "live", Item.model_validate({"clientId": doc["clientId"],
                                                           "externalId": doc["externalId"], "metadata": metadata}))
    key = document_key("acme", "live", doc["clientId"], doc["externalId"])
    _, writes = service._next_versions([item], service.table.get_heads([key]), Caller("acme", "batcher"))
    txid = uuid.uuid4().hex
    service.table.put_intent(txid, writes, service._now())
    service.table.lock(txid, writes)
    assert service.table.get_heads([key])[key].lock == txid
    return txid, service


def test_a_delete_never_tears_a_batch_that_holds_the_document(api, aws, monkeypatch):
    from folio.core.ports import COMMITTED, PENDING

    monkeypatch.setenv("FOLIO_MAX_WRITE_ATTEMPTS", "3")
    doc = create(api, "held")
    txid, service = hold(doc, {"by": "batch"})
    answer = delete(api, doc["id"])
    assert answer.status == 409 and answer.headers["content-type"] == "application/problem+json"
    assert service.table.get_intent(txid).state == PENDING  # the batch is as it was: locked, undecided
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"] == doc
    assert service.table.transition_intent(txid, PENDING, COMMITTED) and service.recover(txid)
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]["metadata"] == {"by": "batch"}
    assert delete(api, doc["id"]).status == 204
    assert stored(aws, doc)[:2] == ([], [])


def test_a_delete_finishes_a_committed_batch_first_then_erases(api, aws):
    """A batch whose writer died after its commit point: the delete rolls it forward (the batch is
    whole), then erases the document it wrote, its pending record included."""
    from folio.core.ports import COMMITTED, PENDING

    doc = create(api, "committed")
    txid, service = hold(doc, {"by": "batch"})
    assert service.table.transition_intent(txid, PENDING, COMMITTED)
    stale = api.request("DELETE", f"/documents/{doc['id']}", headers={**LIVE, "If-Match": '"1"'})
    assert stale.status == 412  # the batch's version 2 is the one there now
    assert api.request("GET", f"/documents/{doc['id']}", headers=LIVE).json["data"]["metadata"] == {"by": "batch"}
    assert delete(api, doc["id"], **{"If-Match": '"2"'}).status == 204
    assert service.table.get_intent(txid) is None
    assert stored(aws, doc)[:2] == ([], [])

