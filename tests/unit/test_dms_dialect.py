"""dms's mapping, views and models without AWS: the upload's fields (and that the mapping's rules and
the request model agree), file versions, the answers and the error body."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from folio.core import Document, FileRef, NewFile
from folio.core.errors import InvalidRequest, PayloadTooLarge, PreconditionFailed, UnsupportedMediaType
from folio.core.limits import MAX_FILE_BYTES
from folio.dialects.dms import answers, constants, mapping, models, views
from folio.web.multipart import FormData, Part

WHEN = datetime(2021, 9, 14, 8, 7, 6, 123456, tzinfo=UTC)
ADA = {"sub": "user-1", "name": "Ada Lovelace", "email": "ada@example.com", "given_name": "Ada"}


def test_fields_are_validated_and_normalised():
    assert mapping.upload_fields({"folderId": " 17 ", "parentUuid": " {22222222-2222-2222-2222-222222222222} ",
                                 "name": "  Site plan ", "description": ""}) == {
        "folderId": 17, "parentUuid": "22222222-2222-2222-2222-222222222222", "name": "Site plan", "description": ""}
    assert mapping.upload_fields({"folderId": 0, "name": None, "description": None}) == {"folderId": 0}


@pytest.mark.parametrize("raw, field", [
    ({"folderId": "seventeen"}, "folderId"), ({"folderId": "-1"}, "folderId"), ({"folderId": "+5"}, "folderId"),
    ({"folderId": "1_000"}, "folderId"), ({"folderId": True}, "folderId"), ({"folderId": 17.0}, "folderId"),
    ({"folderId": 2**63}, "folderId"), ({"parentUuid": "not-a-uuid"}, "parentUuid"), ({"name": " "}, "name"),
    ({"name": "x" * 256}, "name"), ({"name": 5}, "name"), ({"description": "x" * 4097}, "description"),
    ({"colour": "red"}, "colour"), ({"colour": None}, "colour"),
])
def test_bad_fields_are_400_naming_the_field(raw, field):
    with pytest.raises(InvalidRequest) as caught:
        mapping.upload_fields(raw)
    assert caught.value.message.startswith(field) and [e["field"] for e in caught.value.errors] == [field]


def test_every_bad_field_is_named_in_the_specs_order_then_the_unknown_ones():
    with pytest.raises(InvalidRequest) as caught:
        mapping.upload_fields({"zz": 1, "description": 5, "name": "", "folderId": "x", "aa": None})
    assert [e["field"] for e in caught.value.errors] == ["folderId", "name", "description", "zz", "aa"]
    assert caught.value.message.startswith("folderId must be a non-negative 64-bit integer; name must have 1 to 255")


# ---------------------------------------------------------------- the mapping's rules and the request model agree

UUID = "22222222-2222-2222-2222-222222222222"
#: Values a form's text part or a JSON update may carry, each field's edges and look-alikes.
FIELD_VALUES = {
    "folderId": [0, 17, "17", " 17 ", "0017", "\t5\n", 2**63 - 1, str(2**63 - 1),
                 -1, "-1", "+5", "1_000", "1e3", "0x10", "", " ", "seventeen", "١٢", 17.0, True, False,
                 2**63, str(2**63), "9" * 5000, [], {}],
    "parentUuid": [UUID, UUID.upper(), UUID.replace("-", ""), "{" + UUID + "}", "urn:uuid:" + UUID, f" {UUID}\n",
                   "\xa0" + UUID, "\x1c" + UUID, "00000000-0000-0000-0000-000000000000",
                   "", "not-a-uuid", UUID[:-1], UUID + "0", "{" + UUID, UUID + "}", "{" + UUID.replace("-", "") + "}",
                   "urn:uuid:" + UUID.replace("-", ""), "URN:UUID:" + UUID, "uuid:" + UUID, "{urn:uuid:" + UUID + "}",
                   "2222-22222222-2222-2222-222222222222", UUID[:-1] + "g", "２" * 32, UUID + "\x00", 5, True, [], {}],
    "name": ["x", "  Site plan ", "x" * constants.MAX_NAME, " " + "x" * constants.MAX_NAME + "\n", "\u3000x\u3000",
             "\x1cx", "", " ", "\t\n", "\x1c", "\u3000", "x" * (constants.MAX_NAME + 1), 5, 5.0, True, [], {}],
    "description": ["", " ", "x", "x" * constants.MAX_DESCRIPTION, " " * constants.MAX_DESCRIPTION,
                    "x" * (constants.MAX_DESCRIPTION + 1), 5, 5.0, True, [], {}],
}


def _model_reads(raw):
    """What the request model makes of the fields: their JSON form, or None for a 400."""
    try:
        return models.UploadFields.model_validate(raw).model_dump(mode="json", exclude_none=True)
    except ValueError:  # pydantic's ValidationError
        return None


def _mapping_reads(raw):
    try:
        return mapping.upload_fields(raw)
    except InvalidRequest:
        return None


def test_the_model_has_the_fields_the_mapping_reads():
    assert tuple(models.UploadFields.model_fields) == constants.FIELDS
    assert tuple(models.UploadForm.model_fields) == (*constants.FIELDS, mapping.FILE_SLOT)


@pytest.mark.parametrize("raw", [{field: value} for field, values in FIELD_VALUES.items() for value in values]
                         + [{}, {field: None for field in constants.FIELDS}, {"colour": "red"}, {"colour": None},
                            {"folderId": 1, "parentUuid": UUID, "name": "n", "description": "d"},
                            {"name": "n", "file": "x"}])
def test_the_fields_are_read_as_the_model_says(raw):
    """Each value both accept is normalised the same way; each one the model refuses is a 400."""
    assert _mapping_reads(raw) == _model_reads(raw)


def test_the_agreement_covers_both_outcomes_for_every_field():
    for field, values in FIELD_VALUES.items():
        outcomes = {_model_reads({field: value}) is None for value in values}
        assert outcomes == {True, False}, field


def part(name, data, filename=None, content_type=None):
    return Part(name, data, filename, content_type)


def test_a_form_upload():
    form = FormData([part("name", b"Plan"), part("file", b"%PDF", "plan.pdf", "application/pdf")])
    upload = mapping.upload_of_form(form, require_file=True)
    assert upload.metadata == {"name": "Plan"}
    assert upload.new_files == {"file": NewFile(b"%PDF", "application/pdf", "plan.pdf")}
    untyped = mapping.upload_of_form(FormData([part("file", b"x", "x.bin")]), require_file=False)
    assert untyped.file.content_type == "application/octet-stream"  # RFC 7578's default is allowed


@pytest.mark.parametrize("parts, require_file, error, words", [
    ([part("colour", b"red")], False, InvalidRequest, "colour"),
    ([part("name", b"x")], True, InvalidRequest, "file is required"),
    ([part("name", b"x", "name.txt")], False, InvalidRequest, "not a file"),
    ([part("name", b"\xc3\x28")], False, InvalidRequest, "UTF-8"),
    ([part("file", b"x", "a.mp3", "audio/mpeg")], False, UnsupportedMediaType, "image/*"),
    ([part("file", b"x" * (MAX_FILE_BYTES + 1), "big.bin", "application/octet-stream")], False, PayloadTooLarge, "file"),
])
def test_bad_forms(parts, require_file, error, words):
    with pytest.raises(error) as caught:
        mapping.upload_of_form(FormData(parts), require_file=require_file)
    assert words in caught.value.message


def test_a_json_update_is_an_object_of_fields():
    assert mapping.upload_of_json({"name": "Renamed"}) == mapping.Upload({"name": "Renamed"}, None)
    with pytest.raises(InvalidRequest, match="must be an object"):
        mapping.upload_of_json(["name"])


def test_keys_carry_client_project_and_document():
    key = mapping.document_key("acme", 3, 9, 1)
    assert mapping.document_ids(key) == (3, 9, 1) and key.kind == mapping.KIND


def stored(key, version, body, data, at, by=ADA):
    ref = FileRef(key.file_key("file"), f"s3-{body['fileVersion']}", len(data), data.hex(), "application/pdf",
                  f"v{body['fileVersion']}.pdf")
    return Document(key, version, body, {"file": ref}, WHEN, at, ADA, by)


def test_only_an_upload_with_a_file_makes_a_version():
    key = mapping.document_key("acme", 3, 9, 1)
    first = mapping.Upload({"name": "Plan"}, NewFile(b"v1", "application/pdf", "plan.pdf"))
    body = mapping.new_body(3, 9, first)
    assert body == {"clientId": 3, "projectId": 9, "name": "Plan", "description": "", "folderId": None,
                    "parentUuid": None, "fileVersion": 1}
    doc = stored(key, 1, body, b"v1", WHEN)
    assert mapping.version_change(mapping.Upload({"description": "d"}, None))(doc)["fileVersion"] == 1
    assert mapping.version_change(mapping.Upload({}, NewFile(b"v1", "text/plain")))(doc)["fileVersion"] == 2


def history():
    key = mapping.document_key("acme", 3, 9, 1)
    body = mapping.new_body(3, 9, mapping.Upload({"name": "Plan"}, NewFile(b"v1", "application/pdf", "plan.pdf")))
    later = [WHEN + timedelta(minutes=n) for n in range(4)]
    return [stored(key, 1, body, b"v1", later[0]),
            stored(key, 2, {**body, "fileVersion": 2}, b"v2", later[1], {"sub": "user-2"}),
            stored(key, 3, {**body, "fileVersion": 2, "description": "metadata only"}, b"v2", later[2]),
            stored(key, 4, {**body, "fileVersion": 3}, b"v3", later[3])]


def file_versions(docs):
    """The file versions newest first, as a page of the marks the history makes names them."""
    from folio.core.service import marks_of

    by_version = {doc.version: doc for doc in docs}
    marks = sorted(marks_of(docs, mapping.file_mark).values(), key=lambda m: m.number, reverse=True)
    return [mapping.file_version(m.number, by_version[m.first]) for m in marks]


def test_file_versions_are_marked_by_every_commit_first_and_last():
    """Every commit holds its file version: a mark names the first commit that held it (its file,
    when and by whom) and the last (what a restore brings back)."""
    from folio.core.ports import Mark
    from folio.core.service import marks_of

    assert [mapping.file_mark(None, doc) for doc in history()] == [1, 2, 2, 3]
    assert marks_of(history(), mapping.file_mark) == {1: Mark(1, 1, 1), 2: Mark(2, 2, 3), 3: Mark(3, 4, 4)}
    versions = file_versions(history())
    assert [(v.number, v.ref.version_id, v.created_at) for v in versions] == [
        (3, "s3-3", WHEN + timedelta(minutes=3)), (2, "s3-2", WHEN + timedelta(minutes=1)), (1, "s3-1", WHEN)]
    assert versions[1].created_by == {"sub": "user-2"}


def test_a_version_list_is_paginated_with_limit_and_cursor():
    assert mapping.page_request({}, mapping.DEFAULT_VERSIONS_PAGE) == (100, None)
    assert mapping.page_request({"limit": "2", "cursor": "abc"}, mapping.DEFAULT_VERSIONS_PAGE) == (2, "abc")
    for bad in ("0", "101", "x"):
        with pytest.raises(Exception, match="limit"):
            mapping.page_request({"limit": bad}, mapping.DEFAULT_VERSIONS_PAGE)


def test_the_views_are_what_the_answer_models_document():
    """The OpenAPI answer schemas are the models': each view must validate against them, exactly."""
    doc = history()[-1]
    view = views.document_view(doc)
    assert list(view) == list(answers.Document.model_fields)
    answer = answers.Document.model_validate_json(json.dumps(view), strict=True)
    assert (answer.id, answer.version, answer.createdBy.id, view["createdAt"]) == (1, 3, "user-1", "2021-09-14T08:07:06.123Z")
    listing = json.loads(views.versions_answer(file_versions(history()), "next-page").body)
    versions = answers.VersionList.model_validate_json(json.dumps(listing), strict=True)
    assert [v.version for v in versions.data] == [3, 2, 1] and list(listing["data"][0]) == list(answers.FileVersion.model_fields)
    assert versions.nextCursor == "next-page" and json.loads(views.versions_answer([]).body) == {"data": [], "nextCursor": None}
    assert views.document_path(doc) == "/api/v2/clients/3/dms/projects/9/documents/1"


@pytest.mark.parametrize("status, detail, error, expected", [
    (401, "no verified token reached the function", "any", ("Authentication failed", "JWT token not found")),
    (404, "no such route", None, ("Not found", "The requested resource was not found")),
    (500, "an unexpected error occurred; it has been logged", None,
     ("Internal server error", "An internal server error occurred")),
    (412, "stale", PreconditionFailed("stale"), ("Precondition failed", "stale")),
    (503, "busy", "any", ("Service unavailable", "busy")),
])
def test_the_error_body_is_the_specs_error_response(status, detail, error, expected):
    answer = views.error_body(status, "Title", "slug", detail, InvalidRequest(detail) if error == "any" else error,
                              {"Retry-After": "1"})
    body = json.loads(answer.body)
    assert answers.ErrorResponse.model_validate(body, strict=True)
    assert (answer.status_code, body["code"], body["message"], body["details"]) == (status, status, *expected)
    assert answer.headers["Retry-After"] == "1" and answer.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("raw", ["{12345678123456781234567812345678}", "urn:uuid:12345678123456781234567812345678",
                                 12345678123456781234567812345678, "1234-56781234567812345678-12345678"])
def test_parent_uuid_takes_every_form_it_took_before_the_restructure(raw):
    """uuid.UUID's reading, as before the dialect became a package (a JSON number included)."""
    assert mapping.upload_fields({"parentUuid": raw}) == {"parentUuid": "12345678-1234-5678-1234-567812345678"}
