"""kyc's mappings and views without AWS: sniffing, Java Timestamps, dates, user info, domains, the answer."""

import json
from datetime import UTC, date, datetime

import pytest

from folio.core import Caller, Document, FileRef
from folio.core.errors import Forbidden
from folio.dialects.kyc import answers, mapping, models, operations, views
from folio.web.request import WebRequest

from ..support.files import HEIC, JPEG, PDF, WEBP, png


@pytest.mark.parametrize("data, expected", [
    (JPEG, "image/jpeg"), (png(), "image/png"), (HEIC, "image/heic"), (WEBP, "image/webp"), (PDF, "application/pdf"),
    (b"GIF89a", None), (b"", None), (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", None),  # AVIF is no HEIC
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
])
def test_sniff_media_type(data, expected):
    assert mapping.sniff_media_type(data) == expected


def test_java_timestamp_has_javas_meanings():
    # Tuesday 2021-09-14 08:07:06.123456 UTC
    ts = views.java_timestamp(datetime(2021, 9, 14, 8, 7, 6, 123456, tzinfo=UTC))
    assert ts == {"date": 14, "day": 2, "hours": 8, "minutes": 7, "month": 8, "nanos": 123456000, "seconds": 6,
                  "time": 1631606826123, "timezoneOffset": 0, "year": 121}
    assert views.java_timestamp(datetime(2023, 1, 1, tzinfo=UTC))["day"] == 0  # a Sunday


@pytest.mark.parametrize("raw, expected", [
    ("2020-01-01", date(2020, 1, 1)), ("2020-01-01T00:00:00.000Z", date(2020, 1, 1)),
    ("2020-01-01T23:30:00+08:00", date(2020, 1, 1)), ("2020-02-29T10:00:00", date(2020, 2, 29)),
])
def test_dates_and_date_times_keep_the_written_date(raw, expected):
    assert models.DocumentFields.model_validate({"issueDate": raw}).issueDate == expected


@pytest.mark.parametrize("raw", ["0000-00-00", "2021-02-30", "yesterday", 20200101, "2020-13-01T00:00:00Z"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(Exception):
        models.DocumentFields.model_validate({"issueDate": raw})


def test_user_info_from_actor():
    assert views.user_info({"sub": "42", "name": "Ada L", "email": "a@x", "given_name": "Ada", "family_name": "L"}) == {
        "email": "a@x", "firstName": "Ada", "fullName": "Ada L", "id": 42, "lastName": "L"}
    assert views.user_info({"sub": "uuid-like"})["id"] is None
    assert views.user_info({"sub": "9" * 30})["id"] is None  # beyond int64


def request_with(headers, caller):
    """A request whose verified token makes ``caller`` (``folio:domains`` as API Gateway passes it)."""
    claims = {"tenant": caller.tenant, "sub": caller.sub}
    if caller.domains is not None:
        claims["folio:domains"] = "[" + " ".join(sorted(caller.domains)) + "]"
    request = WebRequest({"headers": headers, "requestContext": {"authorizer": {"jwt": {"claims": claims}}}})
    assert request.caller == caller
    return request


@pytest.mark.parametrize("domains, allowed", [(None, True), (frozenset({"7"}), True), (frozenset({"*"}), True),
                                              (frozenset({"1", "8"}), False), (frozenset(), False)])
def test_domain_claims(domains, allowed):
    caller = Caller(tenant="t", sub="s", domains=domains)
    if allowed:
        assert operations.domain_of(request_with({"X-Domain-ID": "007"}, caller)) == 7
    else:
        with pytest.raises(Forbidden):
            operations.domain_of(request_with({"X-Domain-ID": "7"}, caller))


def test_answer_only_fields_are_the_answers_fields_that_are_not_writable():
    assert models.ANSWER_ONLY == {
        "id", "customerId", "front", "back", "frontName", "backName", "createdAt", "createdBy",
        "updatedAt", "updatedBy", "assignees", "particular", "parentParticular", "parentCustomerId"}
    assert models.ANSWER_ONLY == set(answers.DocumentAnswer.model_fields) - set(models.FIELDS)


@pytest.mark.parametrize("files, body", [
    ({}, {"customerId": 42, "type": "PASSPORT", "number": None, "authenticity": None, "issueDate": None,
          "expiryDate": None, "showExpiryNotification": False}),
    ({"front": "front.png", "back": "back.jpg"},
     {"customerId": 42, "type": "NATIONAL_ID", "number": "S1234567A", "authenticity": "ORIGINAL",
      "issueDate": "2020-01-01", "expiryDate": "2030-01-01", "showExpiryNotification": True}),
])
def test_the_document_view_is_what_the_answer_model_documents(files, body):
    """The OpenAPI answer schema is DocumentAnswer's: the view must validate against it, exactly."""
    key = mapping.document_key("acme", 7, 1)
    refs = {slot: FileRef(key.file_key(slot), version_id="v1", size=10, sha256="ab" * 32, content_type="image/png",
                          file_name=name) for slot, name in files.items()}
    when = datetime(2021, 9, 14, 8, 7, 6, 123456, tzinfo=UTC)
    actor = {"sub": "1001", "name": "Ada Lovelace", "email": "ada@example.com", "given_name": "Ada"}
    doc = Document(key, 2, body, refs, when, when, actor, {"sub": "uuid-like"})
    view = views.document_view(doc, "https://api.example")
    answer = answers.DocumentAnswer.model_validate_json(json.dumps(view), strict=True)
    assert answer.model_dump(mode="json") == view
    assert list(view) == list(answers.DocumentAnswer.model_fields)
