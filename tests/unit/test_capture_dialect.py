"""capture without AWS: procedures and types, tokens, step access, the requests the mapping reads
against the models that document them, the views against the answer models, the 412 body."""

import json
from datetime import UTC, datetime

import pytest

from folio.core import Caller, Document, DocumentKey, FileRef, Precondition
from folio.core.errors import Forbidden, InvalidRequest, PreconditionFailed
from folio.dialects.capture import answers, constants, mapping, models, views
from folio.dialects.capture.procedures import DEMO_PROCEDURE, Procedure, Procedures
from folio.web.multipart import FormData, Part

DEMO = Procedure.from_config(DEMO_PROCEDURE)
RECEIPT = DEMO_PROCEDURE["attachmentTypes"][1]


def test_demo_procedure_types_by_id_name_or_null():
    demo = Procedure.from_config(DEMO_PROCEDURE)
    receipt = DEMO_PROCEDURE["attachmentTypes"][1]
    assert demo.attachment_type({"name": "Receipt"}) == receipt
    assert demo.attachment_type({"id": receipt["id"], "name": "Receipt"}) == receipt
    assert demo.attachment_type(None) is None
    for bad in ({"name": "receipt"}, {"id": receipt["id"], "name": "Invoice Notes"}, [], {"title": "Receipt"}):
        with pytest.raises(InvalidRequest):
            demo.attachment_type(bad)


def test_state_token_derives_from_key_and_version_and_guards_the_core():
    key = DocumentKey("t", constants.ATTACHMENT_KIND, "a-1")
    v1, v2 = Document(key, 1, {}), Document(key, 2, {})
    assert len(v1.state_token) == 32 and v1.state_token != v2.state_token
    assert v1.state_token == Document(key, 1, {"other": "body"}).state_token
    assert v1.state_token != Document(DocumentKey("u", constants.ATTACHMENT_KIND, "a-1"), 1, {}).state_token
    Precondition(state_token=v2.state_token).check(v2)
    with pytest.raises(PreconditionFailed) as stale:
        Precondition(state_token=v1.state_token).check(v2)
    assert stale.value.current is v2


def test_step_access():
    doc = Document(DocumentKey("t", constants.DOCUMENT_KIND, "d"), 1, {"step": {"id": "s1", "name": "Review"}})
    mapping.require_step(doc, Caller(tenant="t", sub="s", steps=frozenset({"*"})))
    mapping.require_step(doc, Caller(tenant="t", sub="s", steps=frozenset({"s1"})))
    for steps in (frozenset(), frozenset({"s2"}), frozenset({"Review"})):
        with pytest.raises(Forbidden):
            mapping.require_step(doc, Caller(tenant="t", sub="s", steps=steps))


# ---------------------------------------------------------------- the mapping and the request models agree

def _accepts(model, value) -> bool:
    try:
        model.model_validate(value)
    except ValueError:  # pydantic's ValidationError
        return False
    return True


def _mapping_accepts(read) -> bool:
    try:
        read()
    except InvalidRequest:
        return False
    return True


def _form(values, content: bool) -> FormData:
    parts = [Part("attachment", json.dumps(values).encode(), None, "application/json")]
    if content:
        parts.append(Part("content", b"notes", "notes.txt", "text/plain"))
    return FormData(parts)


LONG = "x" * constants.MAX_TEXT
ATTACHMENT_VALUES = [
    ({}, True), ({"title": "Notes"}, True), ({"title": LONG}, True), ({"comment": None}, True),
    ({"comment": LONG}, True), ({"type": None}, True), ({"type": {"name": "Receipt"}}, True),
    ({"type": {"id": RECEIPT["id"]}}, True), ({"type": {**RECEIPT, "extra": 1}}, True),
    ({"size": 1, "mediaType": "x/y", "id": "other"}, True),  # other attributes are ignored
    ({"title": None}, False), ({"title": 5}, False), ({"title": LONG + "x"}, False), ({"comment": 5}, False),
    ({"comment": LONG + "x"}, False), ({"type": "Receipt"}, False), ({"type": {}}, False), ({"type": []}, False),
    ({"type": {"title": "Receipt"}}, False), ({"type": {"id": None}}, False),
]


@pytest.mark.parametrize("values, valid", ATTACHMENT_VALUES)
def test_the_add_part_is_read_as_its_model_says(values, valid):
    def read():
        mapping.new_attachment_body("d", mapping.attachment_request(_form(values, content=True), update=False), DEMO)

    assert _accepts(models.AttachmentFields, values) is valid
    assert _mapping_accepts(read) is valid


@pytest.mark.parametrize("values, valid", [({**v, "stateToken": "0" * 32}, ok) for v, ok in ATTACHMENT_VALUES]
                         + [({"title": "x"}, False), ({"stateToken": ""}, False), ({"stateToken": None}, False),
                            ({"stateToken": 5}, False)])
def test_the_update_part_is_read_as_its_model_says(values, valid):
    def read():
        mapping.attachment_change(mapping.attachment_request(_form(values, content=False), update=True), DEMO)

    assert _accepts(models.AttachmentUpdate, values) is valid
    assert _mapping_accepts(read) is valid


class _DemoConfiguration:
    """The one call Procedures makes to find a procedure: the default configuration, with Demo."""

    def find_many(self, keys):
        key = Procedures.key(constants.DEFAULT_TENANT)
        return {key: Document(key, 1, {"procedures": [DEMO_PROCEDURE]})}


@pytest.mark.parametrize("body, valid", [
    ({"procedure": {"name": "Demo"}}, True), ({"procedure": {"id": DEMO_PROCEDURE["id"]}}, True),
    ({"procedure": {"name": "Demo"}, "batch": None}, True), ({"procedure": {"name": "Demo"}, "batch": {}}, True),
    ({"procedure": {"name": "Demo"}, "batch": {"name": "b" * constants.MAX_BATCH_NAME}}, True),
    ({"procedure": {"name": "Demo", "other": 1}, "other": 2}, True),
    ({}, False), ([], False), ({"procedure": "Demo"}, False), ({"procedure": {}}, False),
    ({"procedure": {"name": 5}}, False), ({"procedure": {"id": None, "name": "Demo"}}, False),
    ({"procedure": {"name": "Demo"}, "batch": 5}, False), ({"procedure": {"name": "Demo"}, "batch": {"name": None}}, False),
    ({"procedure": {"name": "Demo"}, "batch": {"name": ""}}, False),
    ({"procedure": {"name": "Demo"}, "batch": {"name": "b" * (constants.MAX_BATCH_NAME + 1)}}, False),
])
def test_the_new_document_body_is_read_as_its_model_says(body, valid):
    def read():
        procedure, _ = mapping.new_document_request(body)
        Procedures(_DemoConfiguration()).find("acme", procedure)

    assert _accepts(models.NewDocument, body) is valid
    assert _mapping_accepts(read) is valid


# ---------------------------------------------------------------- the views and the answer models agree

NOW = datetime(2021, 9, 19, 20, 5, 14, 215000, tzinfo=UTC)
ADA = {"sub": "u-1", "name": "Ada Lovelace", "email": None}


def _document() -> Document:
    return Document(DocumentKey("t", constants.DOCUMENT_KIND, "d-1"), 1, mapping.new_document_body(DEMO, 7, None),
                    created_at=NOW, updated_at=NOW, created_by=ADA, updated_by=ADA)


def _attachment(with_content: bool) -> Document:
    files = {constants.CONTENT_SLOT: FileRef("k", "v", 5, "ab" * 32, "text/plain", "notes.txt")} if with_content else {}
    body = {"documentId": "d-1", "title": "Notes", "comment": None, "type": DEMO.attachment_type({"name": "Receipt"})}
    return Document(DocumentKey("t", constants.ATTACHMENT_KIND, "a-1"), 3, body, files, NOW, NOW, ADA, {"sub": "u-2"})


@pytest.mark.parametrize("with_content", [True, False])
def test_the_attachment_view_is_its_answer_model(with_content):
    view = views.attachment_view(_attachment(with_content), _document(), "https://api.example")
    answer = answers.AttachmentAnswer.model_validate(view)
    assert list(view) == list(answers.AttachmentAnswer.model_fields)
    assert answer.stateToken == _attachment(with_content).state_token and answer.updatedBy.name == "u-2"


def test_the_document_view_is_its_answer_model():
    view = views.document_view(_document(), "https://api.example")
    answers.DocumentAnswer.model_validate(view)
    assert list(view) == list(answers.DocumentAnswer.model_fields)
    assert view["batch"] == {"id": "7", "name": "demo_7"} and view["step"] == DEMO_PROCEDURE["steps"][0]


def test_a_stale_state_token_answer_names_the_current_one():
    current = _attachment(True)
    error = PreconditionFailed("stale", current=current)
    answer = views.error_body(412, "Precondition Failed", "precondition-failed", "stale", error, {"ETag": current.etag})
    body = json.loads(answer.body)
    assert answer.status_code == 412 and answer.headers["Content-Type"] == "application/problem+json"
    assert body["stateToken"] == current.state_token and body["detail"] == "stale"
    plain = json.loads(views.error_body(404, "Not Found", "not-found", "gone", None, {}).body)
    assert "stateToken" not in plain
