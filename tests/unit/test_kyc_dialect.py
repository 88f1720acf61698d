"""kyc and capture mappings without AWS: sniffing, Java Timestamps, dates, user info, types, tokens."""

from datetime import UTC, date, datetime

import pytest

from folio.core import Caller, Document, DocumentKey, Precondition
from folio.dialects import kyc
from folio.core.errors import Forbidden, InvalidRequest, PreconditionFailed

from ..support.files import HEIC, JPEG, PDF, WEBP, png


@pytest.mark.parametrize("data, expected", [
    (JPEG, "image/jpeg"), (png(), "image/png"), (HEIC, "image/heic"), (WEBP, "image/webp"), (PDF, "application/pdf"),
    (b"GIF89a", None), (b"", None), (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", None),  # AVIF is no HEIC
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", None),
])
def test_sniff_media_type(data, expected):
    assert kyc.sniff_media_type(data) == expected


def test_java_timestamp_has_javas_meanings():
    # Tuesday 2021-09-14 08:07:06.123456 UTC
    ts = kyc.java_timestamp(datetime(2021, 9, 14, 8, 7, 6, 123456, tzinfo=UTC))
    assert ts == {"date": 14, "day": 2, "hours": 8, "minutes": 7, "month": 8, "nanos": 123456000, "seconds": 6,
                  "time": 1631606826123, "timezoneOffset": 0, "year": 121}
    assert kyc.java_timestamp(datetime(2023, 1, 1, tzinfo=UTC))["day"] == 0  # a Sunday


@pytest.mark.parametrize("raw, expected", [
    ("2020-01-01", date(2020, 1, 1)), ("2020-01-01T00:00:00.000Z", date(2020, 1, 1)),
    ("2020-01-01T23:30:00+08:00", date(2020, 1, 1)), ("2020-02-29T10:00:00", date(2020, 2, 29)),
])
def test_dates_and_date_times_keep_the_written_date(raw, expected):
    assert kyc.DocumentFields.model_validate({"issueDate": raw}).issueDate == expected


@pytest.mark.parametrize("raw", ["0000-00-00", "2021-02-30", "yesterday", 20200101, "2020-13-01T00:00:00Z"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(Exception):
        kyc.DocumentFields.model_validate({"issueDate": raw})


def test_user_info_from_actor():
    assert kyc.user_info({"sub": "42", "name": "Ada L", "email": "a@x", "given_name": "Ada", "family_name": "L"}) == {
        "email": "a@x", "firstName": "Ada", "fullName": "Ada L", "id": 42, "lastName": "L"}
    assert kyc.user_info({"sub": "uuid-like"})["id"] is None
    assert kyc.user_info({"sub": "9" * 30})["id"] is None  # beyond int64


def event_with(headers):
    return {"headers": headers}


@pytest.mark.parametrize("domains, allowed", [(None, True), (frozenset({"7"}), True), (frozenset({"*"}), True),
                                              (frozenset({"1", "8"}), False), (frozenset(), False)])
def test_domain_claims(domains, allowed):
    caller = Caller(tenant="t", sub="s", domains=domains)
    if allowed:
        assert kyc.domain_of(event_with({"X-Domain-ID": "007"}), caller) == 7
    else:
        with pytest.raises(Forbidden):
            kyc.domain_of(event_with({"X-Domain-ID": "7"}), caller)
