"""kyc's life cycle (DESIGN §10) through the handlers: a customer's documents listed page by page
by cursor, and deletes that erase every table item and S3 object version the document had."""

import pytest

from ..conftest import DEFAULT_CLAIMS
from ..support.files import JPEG, PDF, png
from ..support.uploads import completion, start_body, upload_parts
from .test_kyc_handlers import DOMAIN, send

pytestmark = pytest.mark.moto_only(
    reason="the kyc mapping of lists and deletes; the core's lists, marks and purges (and their crashes) run "
           "on both engines in test_erasure.py")

LIST = "/api/customer/42/document"
OTHER_TENANT = {**DEFAULT_CLAIMS, "tenant": "globex"}


def create(api, customer=42, domain=DOMAIN, claims=DEFAULT_CLAIMS, **parts):
    answer = send(api, "POST", f"/api/customer/{customer}/document", headers=domain, claims=claims, **parts)
    assert answer.status == 201, answer.body
    return answer.json


def pages(api, path=LIST, size=2, headers=DOMAIN, claims=DEFAULT_CLAIMS):
    """Every page of a list, following nextCursor."""
    out, cursor = [], None
    while True:
        query = f"size={size}" + (f"&cursor={cursor}" if cursor else "")
        answer = api.request("GET", path, query=query, headers=headers, claims=claims)
        assert answer.status == 200, answer.body
        out.append(answer.json)
        cursor = answer.json["nextCursor"]
        if cursor is None:
            return out
        assert len(out) < 50, "the cursor never ends"


def listed_ids(api, **kwargs) -> list[int]:
    return [doc["id"] for page in pages(api, **kwargs) for doc in page["content"]]


def assert_refused(answer, field):
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert "content" not in answer.json and field in answer.body.decode()


def test_a_customer_s_documents_come_newest_first_each_once_across_pages(api):
    ids = [create(api, document={"type": "PASSPORT", "number": f"P{n}"})["id"] for n in range(5)]
    session = _create_through_a_session(api)  # a session's create is in the list too
    all_pages = pages(api, size=2)
    sizes = [len(p["content"]) for p in all_pages]  # DynamoDB may end on an empty page (no look-ahead)
    assert sizes[:3] == [2, 2, 2] and sizes[3:] in ([], [0])
    listed = [doc["id"] for p in all_pages for doc in p["content"]]
    assert listed == [session, *reversed(ids)]
    first, last = all_pages[0], all_pages[-1]
    assert (first["first"], first["last"], first["size"], first["numberOfElements"]) == (True, False, 2, 2)
    assert last["last"] and last["nextCursor"] is None and not all_pages[1]["first"]
    assert all(not p["last"] and p["nextCursor"] for p in all_pages[:-1])
    assert first["content"][0]["customerId"] == 42 and first["content"][0]["front"].endswith(f"/document/{session}/front")
    whole = api.request("GET", LIST, headers=DOMAIN)  # default size 20: one page
    assert [d["id"] for d in whole.json["content"]] == listed and whole.json["size"] == 20


def test_a_list_holds_only_the_customer_s_documents_in_the_domain_of_the_tenant(api):
    mine = create(api)["id"]
    create(api, customer=43)
    create(api, domain={"X-Domain-ID": "8"})
    theirs = create(api, claims=OTHER_TENANT)["id"]
    assert listed_ids(api) == [mine]
    assert listed_ids(api, claims=OTHER_TENANT) == [theirs]
    assert listed_ids(api, path="/api/customer/44/document") == []
    empty = api.request("GET", "/api/customer/44/document", headers=DOMAIN).json
    assert (empty["content"], empty["empty"], empty["last"], empty["nextCursor"]) == ([], True, True, None)


def test_a_domain_the_token_does_not_grant_is_403_and_lists_nothing(api):
    create(api)
    answer = api.request("GET", LIST, headers=DOMAIN, claims={**DEFAULT_CLAIMS, "folio:domains": "[8]"})
    assert answer.status == 403 and b"content" not in answer.body


@pytest.fixture
def cursor(api):
    for _ in range(3):
        create(api)
    first = api.request("GET", LIST, query="size=1", headers=DOMAIN).json
    assert first["nextCursor"]
    return first["nextCursor"]


def _tampered(cursor: str) -> str:
    payload, _, mac = cursor.partition(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    return f"{flipped}.{mac}"


@pytest.mark.parametrize("mangle", [
    pytest.param(lambda c: "eyJwayI6ImZvbyJ9.0123456789abcdef0123456789abcdef", id="forged"),
    pytest.param(lambda c: "not-a-cursor", id="garbage"),
    pytest.param(_tampered, id="tampered"),
    pytest.param(lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), id="tampered-seal"),
])
def test_a_forged_or_tampered_cursor_is_400_and_reads_nothing(api, cursor, mangle):
    answer = api.request("GET", LIST, query=f"size=1&cursor={mangle(cursor)}", headers=DOMAIN)
    assert_refused(answer, "cursor")


@pytest.mark.parametrize("path, headers, claims", [
    pytest.param("/api/customer/43/document", DOMAIN, DEFAULT_CLAIMS, id="another-customer"),
    pytest.param(LIST, {"X-Domain-ID": "8"}, DEFAULT_CLAIMS, id="another-domain"),
    pytest.param(LIST, DOMAIN, OTHER_TENANT, id="another-tenant"),
])
def test_another_list_s_cursor_is_400_and_reads_nothing(api, cursor, path, headers, claims):
    create(api, customer=43)
    create(api, domain={"X-Domain-ID": "8"})
    create(api, claims=OTHER_TENANT)
    answer = api.request("GET", path, query=f"size=1&cursor={cursor}", headers=headers, claims=claims)
    assert_refused(answer, "cursor")


@pytest.mark.parametrize("query", ["size=0", "size=101", "size=-1", "size=abc", "size=", "size=99999999999999999999",
                                   "page=1"])
def test_a_page_size_out_of_range_or_a_page_number_is_400(api, query):
    create(api)
    answer = api.request("GET", LIST, query=query, headers=DOMAIN)
    assert_refused(answer, query.split("=")[0])


def test_size_100_is_the_largest_page(api):
    create(api)
    answer = api.request("GET", LIST, query="size=100&page=0", headers=DOMAIN)
    assert answer.status == 200 and answer.json["size"] == 100 and len(answer.json["content"]) == 1


# ---------------------------------------------------------------- deletes that erase

def _create_through_a_session(api) -> int:
    data = png(5, 5)
    body = start_body(data, fileName="scan.png", contentType="image/png", document={"type": "OTHER"})
    started = api.request("POST", f"{LIST}/uploads", json_body=body, headers=DOMAIN)
    assert started.status == 201, started.body
    parts = upload_parts(data, started.json)
    done = api.request("POST", f"{LIST}/uploads/{started.json['uploadId']}/complete",
                       json_body=completion(data, parts), headers=DOMAIN)
    assert done.status == 201, done.body
    return done.json["id"]


def leftovers(aws, tenant: str, document_id: int, file_keys: set[str]) -> tuple[list, list]:
    """Every S3 object version (and delete marker) under the document's file prefix and of every
    file key its versions named, and every table item naming its partition."""
    from folio.dialects.kyc.mapping import document_key
    from folio.storage.keys import partition_key

    key = document_key(tenant, 7, document_id)
    objects = []
    for prefix in {key.file_prefix(), *file_keys}:
        listing = aws["s3"].list_object_versions(Bucket=aws["bucket"], Prefix=prefix)
        objects += listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    items = []
    for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
        items += [i for i in page["Items"]
                  if partition_key(key) in (i["pk"]["S"], i["sk"]["S"], i.get("lpk", {}).get("S"))]
    return objects, items


def file_keys_of(tenant: str, document_id: int) -> set[str]:
    from folio.dialects.kyc.mapping import document_key
    from folio.storage.wiring import document_service

    history = document_service().history(document_key(tenant, 7, document_id))
    return {ref.key for doc in history for ref in doc.files.values()}


def test_a_delete_erases_every_version_item_and_object_of_the_document(api, aws):
    """THE ERASURE TEST: after a delete, nothing of the document is left in the table or the bucket."""
    doc = create(api, back=("back.jpg", JPEG, "image/jpeg"))["id"]
    kept = create(api)["id"]  # a neighbour, untouched
    for n in range(2):
        answer = send(api, "PUT", f"{LIST}/{doc}", front=("f.pdf", PDF, "application/pdf"),
                      back=("b.png", png(3, 3, (n, n, n)), "image/png"), document={"number": f"N{n}"})
        assert answer.status == 200, answer.body
    image = api.request("POST", f"{LIST}/{doc}/back/uploads", headers=DOMAIN,
                        json_body=start_body(png(4, 4), fileName="b.png", contentType="image/png"))
    assert image.status == 201, image.body  # an unfinished session's parts are S3's, not a version
    files = file_keys_of("acme", doc)
    objects, items = leftovers(aws, "acme", doc, files)
    assert len(objects) >= 6 and len(items) >= 4  # head and three versions at least

    deleted = api.request("DELETE", f"{LIST}/{doc}", headers=DOMAIN)
    assert deleted.status == 204 and deleted.body == b""
    assert leftovers(aws, "acme", doc, files) == ([], [])
    assert api.request("GET", f"{LIST}/{doc}", headers=DOMAIN).status == 404
    assert api.request("GET", f"{LIST}/{doc}/front", headers=DOMAIN).status == 404
    assert listed_ids(api) == [kept]
    assert api.request("GET", f"{LIST}/{kept}/front", headers=DOMAIN).body == png()
    again = api.request("DELETE", f"{LIST}/{doc}", headers=DOMAIN)
    assert again.status == 404 and again.headers["content-type"] == "application/problem+json"


def test_a_session_created_document_is_erased_too(api, aws):
    doc = _create_through_a_session(api)
    files = file_keys_of("acme", doc)
    assert listed_ids(api) == [doc]
    assert api.request("DELETE", f"{LIST}/{doc}", headers=DOMAIN).status == 204
    assert leftovers(aws, "acme", doc, files) == ([], []) and listed_ids(api) == []


@pytest.mark.parametrize("headers", [
    pytest.param({"If-Match": '"1"'}, id="if-match-stale"),
    pytest.param({"If-Unmodified-Since": "Tue, 15 Nov 1994 08:12:31 GMT"}, id="if-unmodified-since-past"),
])
def test_a_delete_with_a_stale_precondition_is_412_and_deletes_nothing(api, aws, headers):
    doc = create(api)["id"]
    assert send(api, "PUT", f"{LIST}/{doc}", document={"number": "X"}).status == 200
    files = file_keys_of("acme", doc)
    before = leftovers(aws, "acme", doc, files)
    answer = api.request("DELETE", f"{LIST}/{doc}", headers={**DOMAIN, **headers})
    assert answer.status == 412 and answer.headers["content-type"] == "application/problem+json"
    assert leftovers(aws, "acme", doc, files) == before
    assert api.request("GET", f"{LIST}/{doc}", headers=DOMAIN).json["number"] == "X"


def test_a_delete_with_a_current_precondition_erases(api, aws):
    doc = create(api)["id"]
    current = api.request("GET", f"{LIST}/{doc}", headers=DOMAIN)
    files = file_keys_of("acme", doc)
    answer = api.request("DELETE", f"{LIST}/{doc}", headers={
        **DOMAIN, "If-Match": current.headers["etag"], "If-Unmodified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert answer.status == 204, answer.body
    assert leftovers(aws, "acme", doc, files) == ([], [])


@pytest.mark.parametrize("path, headers, claims", [
    pytest.param("/api/customer/43/document/{id}", DOMAIN, DEFAULT_CLAIMS, id="another-customer"),
    pytest.param(LIST + "/{id}", {"X-Domain-ID": "8"}, DEFAULT_CLAIMS, id="another-domain"),
    pytest.param(LIST + "/{id}", DOMAIN, OTHER_TENANT, id="another-tenant"),
    pytest.param(LIST + "/999", DOMAIN, DEFAULT_CLAIMS, id="no-such-document"),
])
def test_a_delete_of_a_document_the_path_does_not_name_is_404_and_deletes_nothing(api, aws, path, headers, claims):
    doc = create(api)["id"]
    files = file_keys_of("acme", doc)
    before = leftovers(aws, "acme", doc, files)
    answer = api.request("DELETE", path.format(id=doc), headers=headers, claims=claims)
    assert answer.status == 404 and answer.headers["content-type"] == "application/problem+json"
    assert leftovers(aws, "acme", doc, files) == before and listed_ids(api) == [doc]

