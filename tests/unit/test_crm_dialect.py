"""crm mapping: paths, merge patch, validation, $select, rendering (no AWS)."""

from datetime import UTC, datetime

import pytest

from folio.core import Document, DocumentKey
from folio.core.errors import InvalidRequest, PatchTestFailed, PayloadTooLarge, UnsupportedMediaType
from folio.dialects.crm import constants, operations, views
from folio.dialects.crm.mapping import DocumentPatch, document_key, entity_view, selected_properties
from folio.dialects.crm.answers import DocumentEntity
from folio.dialects.crm.models import WritableDocument, validate_writable
from folio.web.request import WebRequest


def doc(body=None, version=3):
    now = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    return Document(DocumentKey("acme", constants.KIND, "7"), version, validate_writable(body or {}),
                    {}, now, now, {"sub": "u1", "name": "Ada"}, {"sub": "u2"})


def test_paths_are_case_insensitive_and_leading_slash_optional():
    for path in ("/Department", "Header", "header", "/HEADER"):
        if path.lower().endswith("department"):
            with pytest.raises(InvalidRequest, match="not a property"):
                DocumentPatch([{"op": "replace", "path": path, "value": "x"}]).apply(doc())
            continue
        body = DocumentPatch([{"op": "replace", "path": path, "value": "x"}]).apply(doc())
        assert body["Header"] == "x"


def test_keys_inside_free_form_dictionaries_are_exact():
    d = doc({"CustomFields": {"Key": 1}})
    body = DocumentPatch([{"op": "add", "path": "customfields/key", "value": 2}]).apply(d)
    assert body["CustomFields"] == {"Key": 1, "key": 2}


def test_structured_subobject_keys_match_case_insensitively():
    d = doc({"Contact": {"ContactId": 5, "Name": "Acme"}})
    body = DocumentPatch([{"op": "replace", "path": "/contact/name", "value": "Globex"}]).apply(d)
    assert body["Contact"] == {"ContactId": 5, "Name": "Globex"}


@pytest.mark.parametrize("op", ["move", "copy"])
def test_move_and_copy_are_refused(op):
    with pytest.raises(InvalidRequest, match="not supported"):
        DocumentPatch([{"op": op, "from": "/Header", "path": "/Name"}])


@pytest.mark.parametrize("patch, message", [
    ([{"op": "frobnicate", "path": "/Header"}], "unknown op"),
    ([{"path": "/Header", "value": 1}], "unknown op"),
    ([{"op": "add", "path": "/Header"}], "needs a value"),
    ([{"op": "add", "path": 5, "value": 1}], "path must be a string"),
    (["add"], "not an object"),
    ("add", "JSON Patch array"),
    (5, "JSON Patch array"),
])
def test_malformed_patches_are_400(patch, message):
    with pytest.raises(InvalidRequest, match=message):
        DocumentPatch(patch)


@pytest.mark.parametrize("name", ["DocumentId", "createdby", "CreatedDate", "UpdatedBy", "UpdatedDate",
                                  "TableRight", "FieldProperties", "_Links"])
def test_read_only_properties_cannot_be_patched(name):
    with pytest.raises(InvalidRequest, match="read-only"):
        DocumentPatch([{"op": "replace", "path": name, "value": None}]).apply(doc())
    with pytest.raises(InvalidRequest, match="read-only"):
        DocumentPatch({name: None}).apply(doc())


def test_test_operation_may_read_read_only_properties():
    body = DocumentPatch([{"op": "test", "path": "/DocumentId", "value": 7},
                          {"op": "replace", "path": "/Header", "value": "ok"}]).apply(doc())
    assert body["Header"] == "ok"


def test_failed_test_is_a_conflict():
    with pytest.raises(PatchTestFailed):
        DocumentPatch([{"op": "test", "path": "/Header", "value": "nope"}]).apply(doc({"Header": "x"}))


@pytest.mark.parametrize("path, value", [
    ("/Header", 5), ("/ActiveLinks", "5"), ("/ActiveLinks", 2**31), ("/ActiveLinks", 1.5),
    ("/IsPublished", "yes"), ("/Date", "not a date"), ("/UserDefinedFields", {"a": 1}),
    ("/CustomFields", [1, 2]), ("/Links", {"a": 1}), ("/Contact", "Acme"),
])
def test_wrong_types_are_400_naming_the_property(path, value):
    with pytest.raises(InvalidRequest) as info:
        DocumentPatch([{"op": "replace", "path": path, "value": value}]).apply(doc())
    assert path.strip("/").split("/")[0] in info.value.message


def test_merge_patch_semantics():
    d = doc({"Header": "h", "CustomFields": {"keep": 1, "drop": 2, "nested": {"a": 1, "b": 2}, "arr": [1, 2]}})
    body = DocumentPatch({"header": None, "CustomFields": {"drop": None, "nested": {"b": None, "c": 3},
                                                            "arr": [3], "new": {"x": None, "y": 1}}}).apply(d)
    assert body["Header"] is None
    assert body["CustomFields"] == {"keep": 1, "nested": {"a": 1, "c": 3}, "arr": [3], "new": {"y": 1}}


def test_merge_patch_unknown_property_is_400():
    with pytest.raises(InvalidRequest, match="not a property"):
        DocumentPatch({"Department": "foo"})


def test_dates_are_normalised_and_seven_fraction_digits_accepted():
    body = validate_writable({"Date": "2015-06-07T14:34:01.9409864+02:00", "PublishTo": "2020-01-01T00:00:00"})
    assert body["Date"] == "2015-06-07T14:34:01.940986+02:00"
    assert body["PublishTo"] == "2020-01-01T00:00:00Z"


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "2147483648", "1.5", "١٢", ""])
def test_document_ids_must_be_positive_int32(raw):
    with pytest.raises(InvalidRequest, match="id must be"):
        document_key("acme", raw)


def test_select_nulls_everything_else():
    event = {"queryStringParameters": {"$select": "name,department,category/id,HEADER"},
             "headers": {"host": "api.example.com"}}
    assert selected_properties(WebRequest(event).query.get("$select")) == {"Name", "Header"}
    import json
    out = json.loads(views.entity_answer(doc({"Header": "h", "Name": "n", "OurRef": "r"}), WebRequest(event)).body)
    assert out["Header"] == "h" and out["Name"] == "n"
    assert all(v is None for k, v in out.items() if k not in ("Header", "Name"))
    assert list(out) == list(constants.PROPERTIES)


def test_rendered_entity_has_every_property_and_links():
    import json
    event = {"headers": {"host": "api.example.com", "x-forwarded-proto": "https"}}
    response = views.entity_answer(doc({"Header": "h"}), WebRequest(event))
    out = json.loads(response.body)
    assert list(out) == list(constants.PROPERTIES)
    assert out["DocumentId"] == 7 and out["Header"] == "h"
    assert out["_Links"] == {"Self": "https://api.example.com/api/v1/Document/7",
                             "Archive": "https://api.example.com/api/v1/Document"}
    assert out["CreatedBy"]["FullName"] == "Ada" and out["UpdatedBy"]["Name"] == "u2"
    assert out["UpdatedDate"] == "2026-01-02T03:04:05.600000Z"
    assert response.headers["ETag"] == '"3"'


def test_create_body_ignores_read_only_and_refuses_unknown():
    event = {"headers": {"content-type": "application/json"},
             "body": '{"DocumentId": 5, "header": "h", "CreatedBy": {"x": 1}}'}
    assert operations.create_body(WebRequest(event))["Header"] == "h"
    with pytest.raises(InvalidRequest, match="not a property"):
        operations.create_body(WebRequest({"headers": {"content-type": "application/json"}, "body": '{"Nope": 1}'}))
    with pytest.raises(InvalidRequest, match="given twice"):
        operations.create_body(WebRequest({"headers": {"content-type": "application/json"}, "body": '{"Header": "a", "header": "b"}'}))
    with pytest.raises(UnsupportedMediaType):
        operations.create_body(WebRequest({"headers": {"content-type": "text/plain"}, "body": "{}"}))


@pytest.mark.parametrize("stored, tested", [(1, True), (0, False), (True, 1), ("1", 1), ([1], [True]), ({"a": 1}, {"a": 1.5})])
def test_test_compares_json_types_not_python_equality(stored, tested):
    d = doc({"CustomFields": {"v": stored}})
    with pytest.raises(PatchTestFailed):
        DocumentPatch([{"op": "test", "path": "/CustomFields/v", "value": tested}]).apply(d)
    DocumentPatch([{"op": "test", "path": "/CustomFields/v", "value": stored}]).apply(d)


def test_the_models_have_exactly_the_properties():
    assert tuple(WritableDocument.model_fields) == constants.WRITABLE
    assert [field.alias or name for name, field in DocumentEntity.model_fields.items()] == list(constants.PROPERTIES)


@pytest.mark.parametrize("selected", [None, frozenset({"Header", "CustomFields"}), frozenset()])
def test_the_entity_view_validates_against_the_answer_model(selected):
    d = doc({"Header": "h", "Date": "2015-06-07T14:34:01.9409864+02:00", "ActiveLinks": 3, "IsPublished": True,
             "Contact": {"ContactId": 5}, "Links": [{"Id": 1}], "UserDefinedFields": {"SuperOffice:1": "x"},
             "CustomFields": {"n": [1, {"a": None}]}})
    view = entity_view(d, "https://api.example.com", selected)
    answer = DocumentEntity.model_validate(view)
    assert answer.model_dump(mode="json", by_alias=True).keys() == view.keys()


@pytest.mark.parametrize("patch", [
    [{"op": "test", "path": "/Header", "value": "x"}] * 1001,
    {"UserDefinedFields": {f"k{i}": i for i in range(400_000)}},  # the review's merge patch
    {"CustomFields": {"a": {f"k{i}": i for i in range(600)}, "b": {f"k{i}": None for i in range(600)}}},
], ids=["1001 operations", "400,000 keys", "1202 keys, nested"])
def test_a_patch_over_the_operation_cap_is_413_before_it_becomes_operations(patch, monkeypatch):
    from folio.dialects.crm import mapping

    converted = []
    monkeypatch.setattr(mapping, "_merge_to_operations", lambda *a: converted.append(a) or [])
    with pytest.raises(PayloadTooLarge, match="at most 1000 operations"):
        DocumentPatch(patch).apply(doc())
    assert converted == []  # refused when the patch is read, before any document is looked at


def test_a_merge_patch_of_exactly_the_cap_is_applied():
    patch = {"CustomFields": {f"k{i}": i for i in range(constants.MAX_OPERATIONS - 1)}}
    assert len(DocumentPatch(patch).apply(doc())["CustomFields"]) == constants.MAX_OPERATIONS - 1


# ---------------------------------------------------------------- content and downloads (no AWS)

CLAIMS = {"requestContext": {"authorizer": {"jwt": {"claims": {"tenant": "acme", "sub": "u1"}}}}}


def content_request(body: bytes, content_type: str | None = None) -> WebRequest:
    import base64

    headers = {"content-type": content_type} if content_type is not None else {}
    return WebRequest({**CLAIMS, "headers": headers, "body": base64.b64encode(body).decode(), "isBase64Encoded": True})


def test_content_sent_is_the_raw_body_with_its_parsed_media_type():
    from folio.core.limits import MAX_FILE_BYTES

    sent = operations.content_sent(content_request(b"\x00bytes", "Text/Plain; Charset=UTF-8; x=y"), "7")
    assert (sent.data, sent.content_type, sent.file_name) == (b"\x00bytes", "text/plain; charset=utf-8", None)
    assert operations.content_sent(content_request(b"x"), "7").content_type == constants.DEFAULT_CONTENT_TYPE
    assert operations.content_sent(content_request(b"x", " "), "7").content_type == constants.DEFAULT_CONTENT_TYPE
    with pytest.raises(InvalidRequest, match="one media type"):
        operations.content_sent(content_request(b"x", "text/plain, text/html"), "7")
    with pytest.raises(PayloadTooLarge, match=r"POST /api/v1/Document/7/Content/uploads"):
        operations.content_sent(content_request(b"x" * (MAX_FILE_BYTES + 1), "application/pdf"), "7")
    assert len(operations.content_sent(content_request(b"x" * MAX_FILE_BYTES), "7").data) == MAX_FILE_BYTES
    with pytest.raises(InvalidRequest):  # the id is checked before the body
        operations.content_sent(content_request(b"x" * (MAX_FILE_BYTES + 1)), "0")


def versioned(version, content=None, body=None):
    from dataclasses import replace

    files = {constants.CONTENT_SLOT: content} if content else {}
    return replace(doc(body, version), files=files)


def test_version_infos_are_the_versions_that_checked_content_in():
    from folio.core import FileRef
    from folio.core.ports import Mark
    from folio.core.service import marks_of
    from folio.dialects.crm.mapping import content_mark, version_info

    a = FileRef("k", "s3-a", 3, "ab" * 32, "text/plain", "a.txt")
    b = FileRef("k", "s3-b", 5, None, "application/pdf", None, crc64nvme="AAAAAAAAAAE=")
    history = [versioned(1), versioned(2, a), versioned(3, a, {"Header": "renamed"}), versioned(4, b), versioned(5, b)]
    # a version that checked content in is marked by its own number; one that changed properties is not
    assert [content_mark(before, d) for before, d in zip([None, *history], history)] == [None, 2, None, 4, None]
    assert marks_of(history, content_mark) == {2: Mark(2, 2, 2), 4: Mark(4, 4, 4)}
    info = version_info(history[3])
    from folio.dialects.crm.answers import VersionInfo

    VersionInfo.model_validate(info)
    assert info == {"ExternalReference": None, "DocumentId": 7, "VersionId": "4",
                    "CheckedInDate": "2026-01-02T03:04:05.600000Z", "CheckedInByName": "u2",
                    "CheckedInByAssociateId": None, "Description": None, "DisplayText": "Version 4",
                    "ExtraFields": {"ContentType": "application/pdf", "Size": "5", "ETag": '"crc64nvme-0000000000000001.6a1bbff9e81e"'}}
    assert version_info(history[1])["DisplayText"] == "Version 2 (a.txt)"


def test_version_list_query_takes_top_skiptoken_and_select():
    from folio.dialects.crm.mapping import ListQuery, version_row

    query = ListQuery.of({"$top": "2", "$select": "versionid,DisplayText,nothing"}, default_top=constants.VERSIONS_TOP)
    assert (query.top, query.skiptoken) == (2, None)
    assert ListQuery.of({}, default_top=constants.VERSIONS_TOP).top == 100
    link = query.next_link("https://api.test", "abc.def", "/api/v1/Document/7/Version")
    assert link == "https://api.test/api/v1/Document/7/Version?$top=2&$select=versionid,DisplayText,nothing&$skiptoken=abc.def"
    row = version_row(versioned(2, _content()), query.select)
    assert row == {"VersionId": "2", "DisplayText": "Version 2 (a.txt)"}
    for refused in ({"$skip": "2"}, {"$top": "0"}, {"$top": "101"}, {"$orderby": "VersionId"}):
        with pytest.raises(InvalidRequest):
            ListQuery.of(refused, default_top=constants.VERSIONS_TOP)


def _content():
    from folio.core import FileRef

    return FileRef("k", "s3-a", 3, "ab" * 32, "text/plain", "a.txt")


def test_inline_or_redirect_is_decided_by_size_and_the_query():
    from folio.core import FileRef
    from folio.web.responses import INLINE_FILE_BYTES, answers_inline, redirect_asked

    small, large = (FileRef("k", "v", size, "00", "image/png") for size in (INLINE_FILE_BYTES, INLINE_FILE_BYTES + 1))
    assert answers_inline(small) and not answers_inline(large)
    assert not answers_inline(small, redirected=True) and not answers_inline(large, redirected=True)
    for raw, asked in (("true", True), ("1", True), (" TRUE ", True), ("false", False), ("0", False)):
        assert redirect_asked(WebRequest({"queryStringParameters": {"redirect": raw}})) is asked
    assert redirect_asked(WebRequest({})) is False
    with pytest.raises(InvalidRequest, match="redirect must be true or false"):
        redirect_asked(WebRequest({"queryStringParameters": {"redirect": "yes please"}}))


@pytest.mark.parametrize("stored_type, name, media_type, disposition", [
    ("application/pdf", "Bericht – Q4.pdf", "application/pdf",
     "inline; filename=\"Bericht _ Q4.pdf\"; filename*=UTF-8''Bericht%20%E2%80%93%20Q4.pdf"),
    ("text/html", 'a"b.html', "text/html", "attachment; filename=\"a_b.html\"; filename*=UTF-8''a%22b.html"),
    ("image/svg+xml", None, "image/svg+xml", "attachment"),
    ("not a type", "x.bin", "application/octet-stream", "attachment; filename=\"x.bin\"; filename*=UTF-8''x.bin"),
])
def test_redirect_and_inline_answers_share_one_disposition_rule(stored_type, name, media_type, disposition):
    from folio.web.responses import file_redirect, file_response, served_headers

    assert served_headers(stored_type, name)[:2] == (media_type, disposition)
    inline = file_response(b"x", stored_type, '"e"', name)
    assert inline.headers["Content-Disposition"] == disposition and inline.headers["Content-Type"] == media_type
    redirect = file_redirect("https://bucket.s3.amazonaws.com/k?versionId=v")
    assert redirect.status_code == 302 and redirect.headers == {
        "Location": "https://bucket.s3.amazonaws.com/k?versionId=v", "Cache-Control": "no-store"}
