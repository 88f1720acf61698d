"""Review 2, batch 2 (throwaway)."""
import pytest


def test_review2_a_late_sweeper_purge_erases_a_recreated_document(aws):
    """Two sweeper runs (EventBridge may deliver a schedule twice; a run may last 15 min): run B
    listed the purge of K; run A finished it; the client re-creates K (artu names documents by
    clientId/externalId); run B then purges K again."""
    from folio.core import Caller, DocumentKey, NewFile
    from folio.storage.wiring import document_service, file_store
    from .test_faults import Crash, Injector

    documents, caller = document_service(), Caller("acme", "eraser")
    key = DocumentKey.of("acme", "artu-live", "client-1", "ext-1")
    documents.create(key, {"v": "old"}, caller, new_files={"file": NewFile(b"old", "text/plain")}, collection="c")
    injector = Injector()
    try:
        injector.arm(None, None)
        documents.delete(key, caller)
        calls = list(injector.calls)
        documents.create(key, {"v": "old"}, caller, new_files={"file": NewFile(b"old", "text/plain")}, collection="c")
        injector.arm(calls.index("TransactWriteItems") + 1, "crash")  # dies right after the mark
        with pytest.raises(Crash):
            documents.delete(key, caller)
        injector.arm(None, None)
    finally:
        injector.close()
    run_b = documents.table.list_purges()           # run B lists
    assert [k for k, _ in run_b] == [key]
    documents.finish_purges(older_than_seconds=0)   # run A finishes it
    new = documents.create(key, {"v": "new"}, caller, new_files={"file": NewFile(b"new", "text/plain")},
                           collection="c")
    assert documents.find(key) is not None
    for k, _ in run_b:                               # run B reaches it
        documents.purge(k)
    print("after run B:", documents.find(key))
    assert documents.find(key) is not None, "run B erased the re-created document"


def test_review2_crm_nonascii_skiptoken(api):
    answer = api.request("GET", "/api/v1/Document", query="$top=1&$skiptoken=abc.%C3%A9")
    print("crm", answer.status, answer.body[:200])
    assert answer.status == 400


def test_review2_kyc_nonascii_cursor(api):
    from .test_kyc_life_cycle import DOMAIN
    answer = api.request("GET", "/api/customer/42/document", query="cursor=abc.%C3%A9", headers=DOMAIN)
    print("kyc", answer.status, answer.body[:200])
    assert answer.status == 400
