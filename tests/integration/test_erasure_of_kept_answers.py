"""An upload session's start sent with an Idempotency-Key keeps its answer (the session, its file
name) in a record linked from the document: the document's erasure erases that answer too."""
import pytest

from ..support.uploads import start_body
from .test_erasure_leaves_nothing import MARK, marked_bytes, marked_items


def test_a_session_start_answer_kept_for_an_idempotency_key_is_erased(api, aws):
    created = api.request("POST", "/api/v1/Document", json_body={"Header": "h", "Name": "n.pdf"})
    assert created.status == 201, created.body
    path = f"/api/v1/Document/{created.json['DocumentId']}"
    big = marked_bytes(6 * 1024 * 1024)
    started = api.request("POST", f"{path}/Content/uploads", headers={"Idempotency-Key": "start-1"},
                          json_body=start_body(big, fileName=f"{MARK}.pdf", contentType="application/pdf"))
    assert started.status == 201, started.body
    assert marked_items(aws)
    assert api.request("DELETE", path).status == 204
    assert marked_items(aws) == []
