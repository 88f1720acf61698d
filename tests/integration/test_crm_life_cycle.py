"""crm's life cycle (DESIGN §10) through its functions: ``GET /api/v1/Document`` in OData pages
(``$top``, ``$select``, ``odata.nextLink``), and ``DELETE /api/v1/Document/{id}`` that erases."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ..conftest import DEFAULT_CLAIMS

pytestmark = pytest.mark.moto_only(
    reason="the crm mapping of lists and deletes; the core's lists, marks and purges (and their crashes) run "
           "on both engines in test_erasure.py")

OTHER_TENANT = {**DEFAULT_CLAIMS, "tenant": "globex", "sub": "user-9"}


def create(api, header: str, claims=DEFAULT_CLAIMS) -> dict:
    answer = api.request("POST", "/api/v1/Document", json_body={"Header": header, "Name": f"{header}.docx"},
                         claims=claims)
    assert answer.status == 201, answer.body
    return answer.json


def get_page(api, query: str = "", claims=DEFAULT_CLAIMS):
    return api.request("GET", "/api/v1/Document", query=query, claims=claims)


def follow(api, link: str, claims=DEFAULT_CLAIMS):
    """GET an ``odata.nextLink`` as a client does: the URL as given."""
    parts = urlsplit(link)
    assert parts.path == "/api/v1/Document", link
    return get_page(api, parts.query, claims)


def every_page(api, query: str, claims=DEFAULT_CLAIMS) -> list[dict]:
    pages, answer = [], get_page(api, query, claims)
    while True:
        assert answer.status == 200, answer.body
        pages.append(answer.json)
        if "odata.nextLink" not in answer.json:
            return pages
        answer = follow(api, answer.json["odata.nextLink"], claims)


def refused(answer, field: str) -> None:
    """A 400 in crm's error format that carries no data."""
    assert answer.status == 400, answer.body
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json["status"] == 400 and "value" not in answer.json
    assert answer.json["errors"][0]["field"] == field, answer.json


# ---------------------------------------------------------------- the list

def test_pages_hold_every_document_once_newest_first(api):
    ids = [create(api, f"report {n}")["DocumentId"] for n in range(7)]
    pages = every_page(api, "$top=3")
    assert [len(p["value"]) for p in pages] == [3, 3, 1]
    assert [row["DocumentId"] for p in pages for row in p["value"]] == ids[::-1]
    first = pages[0]
    assert list(first) == ["odata.metadata", "odata.nextLink", "value"]
    assert first["odata.metadata"].endswith("/api/v1/$metadata#Document")
    assert first["odata.nextLink"].startswith("https://") and "$top=3" in first["odata.nextLink"]
    assert first["value"][0]["Header"] == "report 6" and first["value"][0]["_Links"]["Self"].endswith(f"/{ids[-1]}")


def test_select_projects_every_page_and_rides_in_the_next_link(api):
    for n in range(3):
        create(api, f"report {n}")
    pages = every_page(api, "$top=2&$select=documentId,Header,category/id")
    assert len(pages) == 2
    query = parse_qs(urlsplit(pages[0]["odata.nextLink"]).query)
    assert query["$select"] == ["documentId,Header,category/id"] and query["$top"] == ["2"]
    assert [row for p in pages for row in p["value"]] == [
        {"DocumentId": 3, "Header": "report 2"}, {"DocumentId": 2, "Header": "report 1"},
        {"DocumentId": 1, "Header": "report 0"}]


def test_default_page_and_an_empty_list(api):
    assert get_page(api).json["value"] == [] and "odata.nextLink" not in get_page(api).json
    create(api, "only")
    answer = get_page(api)
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/json")
    assert [row["Header"] for row in answer.json["value"]] == ["only"]


def test_another_tenants_and_another_lists_documents_never_appear(api):
    from folio.core import Caller, DocumentKey
    from folio.storage.wiring import document_service

    mine = [create(api, f"acme {n}")["DocumentId"] for n in range(3)]
    theirs = [create(api, f"globex {n}", OTHER_TENANT)["DocumentId"] for n in range(4)]
    # a document of the tenant in another list (another dialect's) is no crm document
    document_service().create(DocumentKey("acme", "kyc-document", "77"), {"Header": "not crm"},
                              Caller("acme", "someone"), collection="sg#1")
    assert [r["DocumentId"] for p in every_page(api, "$top=2") for r in p["value"]] == mine[::-1]
    globex = [r for p in every_page(api, "$top=2", OTHER_TENANT) for r in p["value"]]
    assert [r["DocumentId"] for r in globex] == theirs[::-1]
    assert all(r["Header"].startswith("globex") for r in globex)


@pytest.mark.parametrize("top", ["0", "101", "-1", "x", "", "1.5", "9" * 5000])
def test_top_out_of_range_is_400(api, top):
    create(api, "a")
    refused(get_page(api, f"$top={top}"), "$top")


@pytest.mark.parametrize("option", ["$skip=1", "$filter=Header eq 'a'", "$orderby=Header"])
def test_options_it_does_not_take_are_400_never_ignored(api, option):
    refused(get_page(api, option), option.split("=")[0])


def next_token(api, claims=DEFAULT_CLAIMS) -> str:
    answer = get_page(api, "$top=1", claims)
    return parse_qs(urlsplit(answer.json["odata.nextLink"]).query)["$skiptoken"][0]


def tampered(token: str) -> str:
    payload, _, mac = token.partition(".")
    swapped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    return f"{swapped}.{mac}"


def test_forged_tampered_other_tenants_and_other_lists_skiptokens_are_400(api):
    from folio.core import Caller, DocumentKey
    from folio.storage.wiring import document_service

    for n in range(2):
        create(api, f"acme {n}")
        create(api, f"globex {n}", OTHER_TENANT)
    documents = document_service()
    for n in range(2):
        documents.create(DocumentKey("acme", "kyc-document", str(n + 1)), {}, Caller("acme", "x"), collection="sg#1")
    other_list = documents.list_page("acme", "sg#1", 1, None).cursor
    assert other_list
    token = next_token(api)
    for bad in ("forged", "eyJwayI6ImFjbWUifQ.0123456789abcdef0123456789abcdef", tampered(token),
                next_token(api, OTHER_TENANT), other_list, "." + token.partition(".")[2], "x" * 5000):
        refused(get_page(api, f"$top=1&$skiptoken={bad}"), "$skiptoken")
    assert get_page(api, f"$top=1&$skiptoken={token}").json["value"][0]["Header"] == "acme 0"


# ---------------------------------------------------------------- the delete

def test_delete_answers_204_and_the_document_is_gone(api):
    doc = create(api, "to erase")
    keep = create(api, "to keep")
    answer = api.request("DELETE", f"/api/v1/Document/{doc['DocumentId']}")
    assert answer.status == 204 and answer.body == b""
    assert api.request("GET", f"/api/v1/Document/{doc['DocumentId']}").status == 404
    assert [r["DocumentId"] for r in get_page(api).json["value"]] == [keep["DocumentId"]]
    again = api.request("DELETE", f"/api/v1/Document/{doc['DocumentId']}")
    assert again.status == 404 and again.headers["content-type"] == "application/problem+json"
    assert api.request("DELETE", "/api/v1/Document/999").status == 404


@pytest.mark.parametrize("raw_id", ["abc", "0", "-1", "4294967296"])
def test_delete_of_a_malformed_id_is_400(api, raw_id):
    assert api.request("DELETE", f"/api/v1/Document/{raw_id}").status == 400


def test_stale_if_match_is_412_and_deletes_nothing(api):
    doc = create(api, "v1")
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "v2"}).headers["etag"] == '"2"'
    stale = api.request("DELETE", "/api/v1/Document/1", headers={"If-Match": '"1"'})
    assert stale.status == 412 and stale.headers["content-type"] == "application/problem+json"
    current = api.request("GET", "/api/v1/Document/1")
    assert current.status == 200 and current.json["Header"] == "v2" and doc["DocumentId"] == 1
    assert api.request("DELETE", "/api/v1/Document/1", headers={"If-Match": '"2"'}).status == 204
    assert api.request("GET", "/api/v1/Document/1").status == 404


def test_if_unmodified_since_applies(api):
    doc = create(api, "dated")
    old = api.request("DELETE", "/api/v1/Document/1", headers={"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert old.status == 412
    assert api.request("GET", "/api/v1/Document/1").status == 200
    ok = api.request("DELETE", "/api/v1/Document/1", headers={"If-Unmodified-Since": doc["UpdatedDate"]})
    assert ok.status == 204


def test_another_tenant_cannot_delete(api):
    create(api, "acme's")
    answer = api.request("DELETE", "/api/v1/Document/1", claims=OTHER_TENANT)
    assert answer.status == 404
    assert api.request("GET", "/api/v1/Document/1").json["Header"] == "acme's"


def test_the_erasure_leaves_no_object_version_and_no_item(api, aws):
    """After a delete: no S3 object version under the document's file prefix or of any file its
    versions named, and no table item of its partition (scanned, aliases included)."""
    from folio.dialects.crm.mapping import document_key
    from folio.storage.keys import partition_key
    from folio.storage.wiring import document_service

    doc_id = create(api, "erase me")["DocumentId"]
    for n in range(3):
        put = api.request("PUT", f"/api/v1/Document/{doc_id}/Content", body=b"content %d" % n,
                          headers={"Content-Type": "text/plain"})
        assert put.status == 200, put.body
        assert api.request("PATCH", f"/api/v1/Document/{doc_id}", json_body={"OurRef": f"r{n}"}).status == 200
    survivor = create(api, "survivor")["DocumentId"]
    api.request("PUT", f"/api/v1/Document/{survivor}/Content", body=b"kept", headers={"Content-Type": "text/plain"})
    key = document_key("acme", str(doc_id))
    file_keys = {ref.key for version in document_service().history(key) for ref in version.files.values()}
    assert file_keys  # one key per slot; each PUT is an S3 object version of it

    def leftovers() -> tuple[list, list]:
        objects = set()
        for prefix in {key.file_prefix(), *file_keys}:
            for page in aws["s3"].get_paginator("list_object_versions").paginate(Bucket=aws["bucket"], Prefix=prefix):
                objects |= {(o["Key"], o["VersionId"]) for o in page.get("Versions", []) + page.get("DeleteMarkers", [])}
        items = []
        for page in aws["dynamodb"].get_paginator("scan").paginate(TableName=aws["table"], ConsistentRead=True):
            items += [i for i in page["Items"]
                      if partition_key(key) in (i["pk"]["S"], i["sk"]["S"], i.get("lpk", {}).get("S"))]
        return objects, items

    objects, items = leftovers()
    assert len(objects) == 3 and len(items) >= 7  # the test can fail: it sees what is there
    assert api.request("DELETE", f"/api/v1/Document/{doc_id}").status == 204
    assert leftovers() == (set(), [])
    kept = api.request("GET", f"/api/v1/Document/{survivor}/Content")
    assert kept.status == 200 and kept.body == b"kept"
