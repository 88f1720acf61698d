"""A document's numbered versions, one item each (DESIGN §12), on moto and DynamoDB Local: a dms file
version's download and restore, crm's content versions, read in a fixed number of calls however long
the history is; version lists in pages (dms ``limit``/``cursor``, crm ``$top`` and ``Link: rel="next"``)
that stay exact while versions are added between pages; and documents written before marks existed
(today's layout: no ``M#`` items) read from their history once, then marked."""

import pytest

from folio.core import Caller, Edit, NewFile
from folio.storage.clients import client
from folio.storage.config import settings
from folio.storage.keys import partition_key

from ..conftest import DEFAULT_CLAIMS
from .test_dms_handlers import BASE, send

OTHER_TENANT = {**DEFAULT_CLAIMS, "tenant": "globex", "sub": "user-9"}


@pytest.fixture
def dynamodb_calls(aws):
    """The DynamoDB operations folio's own client sends, in order."""
    calls: list[str] = []

    def before_call(model, **_kwargs):
        calls.append(model.name)

    db = client("dynamodb", settings())
    db.meta.events.register("before-call.dynamodb", before_call)
    yield calls
    db.meta.events.unregister("before-call.dynamodb", before_call)


def dms_document(api, file_versions, edits_between=1):
    """A dms document with ``file_versions`` file versions, ``edits_between`` metadata-only edits after each."""
    answer = send(api, "POST", BASE, file=("plan.pdf", b"%PDF-1.4 v1", "application/pdf"), name="plan")
    assert answer.status == 201, answer.body
    path = f"{BASE}/{answer.json['id']}"
    for n in range(1, file_versions + 1):
        if n > 1:
            upload = send(api, "POST", path, file=(f"plan-{n}.pdf", f"%PDF-1.4 v{n}".encode(), "application/pdf"))
            assert upload.status == 201 and upload.json["version"] == n, upload.body
        for e in range(edits_between):
            assert send(api, "POST", path, description=f"v{n} edit {e}").status == 201
    return path


def dms_pages(api, path, limit, between=lambda: None, claims=DEFAULT_CLAIMS):
    seen, cursor = [], None
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = api.request("GET", f"{path}/versions", query=query, claims=claims)
        assert answer.status == 200, answer.body
        assert set(answer.json) == {"data", "nextCursor"}
        seen.extend(v["version"] for v in answer.json["data"])
        cursor = answer.json["nextCursor"]
        if cursor is None:
            return seen
        between()


def test_a_dms_version_file_and_restore_read_one_version_item_whatever_the_history_length(api, dynamodb_calls):
    path = dms_document(api, 12, edits_between=2)  # 36 committed versions
    dynamodb_calls.clear()
    got = api.request("GET", f"{path}/versions/3/file")
    assert got.status == 200 and got.body == b"%PDF-1.4 v3"
    # one atomic read of head, the marks' count and mark 3; one read of the version it names
    assert dynamodb_calls == ["TransactGetItems", "GetItem"]
    dynamodb_calls.clear()
    restored = api.request("POST", f"{path}/versions/3/restore")
    assert restored.status == 201 and restored.json["version"] == 13
    assert "Query" not in dynamodb_calls and "BatchGetItem" not in dynamodb_calls, dynamodb_calls
    # the restore brings back version 3 as it stood last: the metadata edits made while it was current
    assert restored.json["description"] == "v3 edit 1"
    assert api.request("GET", f"{path}/versions/13/file").body == b"%PDF-1.4 v3"
    assert api.request("GET", f"{path}/versions/14/file").status == 404
    assert api.request("GET", f"{path}/versions/1/file", claims=OTHER_TENANT).status == 404


def test_dms_version_pages_are_newest_first_exact_and_sealed(api, dynamodb_calls):
    path = dms_document(api, 7)
    dynamodb_calls.clear()
    first = api.request("GET", f"{path}/versions", query="limit=3")
    assert [v["version"] for v in first.json["data"]] == [7, 6, 5] and first.json["nextCursor"]
    assert dynamodb_calls == ["TransactGetItems", "Query", "BatchGetItem"]  # never the whole history
    assert first.json["data"][0]["fileName"] == "plan-7.pdf"
    for limit in (1, 2, 3, 7, 100):
        assert dms_pages(api, path, limit) == [7, 6, 5, 4, 3, 2, 1], limit
    assert api.request("GET", f"{path}/versions").json["nextCursor"] is None  # 7 fit the default page

    added = []

    def meanwhile():  # a new file version between pages: newer than every position, never repeats one
        n = 8 + len(added)
        added.append(send(api, "POST", path, file=(f"p{n}.pdf", b"%PDF new", "application/pdf")).json["version"])

    assert dms_pages(api, path, 2, meanwhile) == [7, 6, 5, 4, 3, 2, 1] and added == [8, 9, 10]

    cursor = first.json["nextCursor"]
    other = dms_document(api, 2)
    answer = api.request("GET", f"{other}/versions", query=f"cursor={cursor}")  # another document's list
    assert answer.status == 400, answer.body
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert api.request("GET", f"{path}/versions", query=f"cursor={tampered}").status == 400
    # another tenant: the cursor is not one of its lists (checked before anything is read), and the document is not its
    assert api.request("GET", f"{path}/versions", query=f"cursor={cursor}", claims=OTHER_TENANT).status == 400
    assert api.request("GET", f"{path}/versions", claims=OTHER_TENANT).status == 404
    for bad in ("0", "101", "x"):
        assert api.request("GET", f"{path}/versions", query=f"limit={bad}").status == 400


def put_content(api, doc_id, data):
    answer = api.request("PUT", f"/api/v1/Document/{doc_id}/Content", body=data, headers={"Content-Type": "text/plain"})
    assert answer.status == 200, answer.body
    return answer


def test_crm_version_pages_follow_the_link_header_oldest_first(api, dynamodb_calls):
    doc = api.request("POST", "/api/v1/Document", json_body={"Header": "Report", "Name": "report.txt"}).json
    doc_id = doc["DocumentId"]
    for n in range(5):
        put_content(api, doc_id, f"content {n}".encode())
        api.request("PATCH", f"/api/v1/Document/{doc_id}", json_body={"Header": f"renamed {n}"})  # no VersionInfo
    every = api.request("GET", f"/api/v1/Document/{doc_id}/Version")
    assert every.status == 200 and "link" not in every.headers
    assert [v["VersionId"] for v in every.json] == ["2", "4", "6", "8", "10"]
    seen, url = [], f"/api/v1/Document/{doc_id}/Version?$top=2&$select=VersionId"
    dynamodb_calls.clear()
    while url:
        path, _, query = url.partition("?")
        answer = api.request("GET", path, query=query)
        assert answer.status == 200, answer.body
        assert all(set(v) == {"VersionId"} for v in answer.json)
        seen.extend(v["VersionId"] for v in answer.json)
        link = answer.headers.get("link")
        if link is None:
            break
        target, rel = link.split(";", 1)
        assert rel.strip() == 'rel="next"'
        url = target.strip()[1:-1].split("://", 1)[1].partition("/")[2]
        url = "/" + url
    assert seen == ["2", "4", "6", "8", "10"]
    assert "Query" in dynamodb_calls and dynamodb_calls.count("TransactGetItems") == 3
    bad = api.request("GET", f"/api/v1/Document/{doc_id}/Version", query="$skiptoken=forged")
    assert bad.status == 400 and "$skiptoken" in bad.json["detail"]
    assert api.request("GET", f"/api/v1/Document/{doc_id}/Version", claims=OTHER_TENANT).status == 404


def test_documents_written_before_marks_are_read_from_their_history_once_then_marked(api, aws, dynamodb_calls):
    """Today's layout: head and history only. The first numbered read derives the marks from the
    history and writes them (conditional on the head); every read after it is the one-item path."""
    from folio.dialects.dms.mapping import FILE_SLOT, collection_of, document_key
    from folio.storage.wiring import document_service

    docs = document_service()
    caller = Caller(tenant=DEFAULT_CLAIMS["tenant"], sub="user-1")
    key = document_key(caller.tenant, 3, 9, 900)
    first = NewFile(b"%PDF-1.4 legacy 1", "application/pdf", "legacy.pdf")
    docs.create(key, {"clientId": 3, "projectId": 9, "name": "legacy", "description": "", "folderId": None,
                      "parentUuid": None, "fileVersion": 1}, caller, new_files={FILE_SLOT: first},
                collection=collection_of(3, 9))  # no marker: as the code before marks wrote it
    for n in (2, 3):
        new = NewFile(f"%PDF-1.4 legacy {n}".encode(), "application/pdf", f"legacy-{n}.pdf")
        docs.update(key, Edit(lambda current: {**current.body, "fileVersion": current.body["fileVersion"] + 1},
                              new_files={FILE_SLOT: new}), caller)
        docs.update(key, Edit(lambda current: {**current.body, "description": f"edit of {current.body['fileVersion']}"}),
                    caller)
    items = aws["dynamodb"].query(TableName=aws["table"], KeyConditionExpression="pk = :pk",
                                  ExpressionAttributeValues={":pk": {"S": partition_key(key)}})["Items"]
    assert not [i for i in items if i["sk"]["S"].startswith("M#")]  # no marks yet
    path = f"{BASE}/900"
    dynamodb_calls.clear()
    assert api.request("GET", f"{path}/versions/2/file").body == b"%PDF-1.4 legacy 2"
    assert "Query" in dynamodb_calls  # the history, once
    dynamodb_calls.clear()
    assert api.request("GET", f"{path}/versions/1/file").body == b"%PDF-1.4 legacy 1"
    assert dynamodb_calls == ["TransactGetItems", "GetItem"]  # marked now
    assert dms_pages(api, path, 2) == [3, 2, 1]
    restored = api.request("POST", f"{path}/versions/2/restore")
    assert restored.status == 201 and restored.json["version"] == 4 and restored.json["description"] == "edit of 2"
    assert dms_pages(api, path, 10) == [4, 3, 2, 1]
    assert api.request("GET", f"{path}/versions/4/file").body == b"%PDF-1.4 legacy 2"


def test_erasure_leaves_no_mark_and_a_deleted_document_has_no_versions(api, aws):
    path = dms_document(api, 3)
    assert api.request("DELETE", path).status == 204
    for gone in (f"{path}/versions", f"{path}/versions/1/file"):
        assert api.request("GET", gone).status == 404
    from folio.dialects.dms.mapping import document_key

    key = document_key(DEFAULT_CLAIMS["tenant"], 3, 9, int(path.rsplit("/", 1)[1]))
    left = aws["dynamodb"].query(TableName=aws["table"], KeyConditionExpression="pk = :pk",
                                 ExpressionAttributeValues={":pk": {"S": partition_key(key)}})["Items"]
    assert left == []  # head, history, marks and their count: the whole partition
