"""A delete without a precondition on a hot document is retried within the invocation's budget, as
an update is: it lands, never a 409 naming an atomic batch that does not exist."""
import pytest

from folio.core import Caller, DocumentKey, Edit
from folio.core import service as core
from folio.core.errors import EditConflict

CALLER = Caller(tenant="acme", sub="u1", name="Ada")


def test_an_unconditioned_delete_of_a_hot_document_lands(aws, monkeypatch):
    from folio.storage import documents as storage_documents
    from folio.storage.wiring import document_service

    documents = document_service()
    documents.max_attempts = 5
    key = DocumentKey("acme", "crm", "1")
    documents.create(key, {"n": 0}, CALLER)
    original = storage_documents.DocumentTable.mark_deleted
    state = {"writes": 0}

    def hot(self, *args, **kwargs):  # another writer commits just before each mark, 10 times
        if state["writes"] < 10:
            state["writes"] += 1
            documents.update(key, Edit(lambda d: {"n": d.body["n"] + 1}), CALLER)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(storage_documents.DocumentTable, "mark_deleted", hot)
    monkeypatch.setattr(core, "pause", lambda attempt: None)
    with core.retry_budget.until(29):
        try:
            documents.delete(key, CALLER)
        except EditConflict as error:
            pytest.fail(f"409 after {state['writes']} concurrent writes: {error}")
