"""kyc and capture mappings without AWS: sniffing, Java Timestamps, dates, user info, types, tokens."""

from datetime import UTC, date, datetime

import pytest

from folio.core import Caller, Document, DocumentKey, Precondition
from folio.dialects import capture
from folio.core.errors import Forbidden, InvalidRequest, PreconditionFailed

from ..support.files import HEIC, JPEG, PDF, WEBP, png


def test_demo_procedure_types_by_id_name_or_null():
    demo = capture.Procedure.from_config(capture.DEMO_PROCEDURE)
    receipt = capture.DEMO_PROCEDURE["attachmentTypes"][1]
    assert demo.attachment_type({"name": "Receipt"}) == receipt
    assert demo.attachment_type({"id": receipt["id"], "name": "Receipt"}) == receipt
    assert demo.attachment_type(None) is None
    for bad in ({"name": "receipt"}, {"id": receipt["id"], "name": "Invoice Notes"}, [], {"title": "Receipt"}):
        with pytest.raises(InvalidRequest):
            demo.attachment_type(bad)


def test_state_token_derives_from_key_and_version_and_guards_the_core():
    key = DocumentKey("t", capture.ATTACHMENT_KIND, "a-1")
    v1, v2 = Document(key, 1, {}), Document(key, 2, {})
    assert len(v1.state_token) == 32 and v1.state_token != v2.state_token
    assert v1.state_token == Document(key, 1, {"other": "body"}).state_token
    assert v1.state_token != Document(DocumentKey("u", capture.ATTACHMENT_KIND, "a-1"), 1, {}).state_token
    Precondition(state_token=v2.state_token).check(v2)
    with pytest.raises(PreconditionFailed) as stale:
        Precondition(state_token=v1.state_token).check(v2)
    assert stale.value.current is v2


def test_step_access():
    doc = Document(DocumentKey("t", capture.DOCUMENT_KIND, "d"), 1, {"step": {"id": "s1", "name": "Review"}})
    capture.require_step(doc, Caller(tenant="t", sub="s", steps=frozenset({"*"})))
    capture.require_step(doc, Caller(tenant="t", sub="s", steps=frozenset({"s1"})))
    for steps in (frozenset(), frozenset({"s2"}), frozenset({"Review"})):
        with pytest.raises(Forbidden):
            capture.require_step(doc, Caller(tenant="t", sub="s", steps=steps))
