"""Reading payload-2.0 events: claims, bodies, conditional headers."""

import base64
from datetime import UTC, datetime

import pytest

from folio.core.errors import InvalidRequest, Unauthenticated
from folio.web.request import body_bytes, caller_from_event, json_body, precondition_from_event


def claims_event(claims):
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}}


def test_claims_arrive_as_strings_and_arrays_as_brackets():
    caller = caller_from_event(claims_event({
        "tenant": "acme", "sub": "u", "scope": "documents:read documents:write",
        "folio:domains": "[1 2]", "folio:steps": "[s1 *]",
    }))
    assert caller.tenant == "acme"
    assert caller.scopes == {"documents:read", "documents:write"}
    assert caller.domains == {"1", "2"} and caller.steps == {"s1", "*"}
    assert caller_from_event(claims_event({"tenant": "t", "sub": "u"})).domains is None


def test_no_claims_is_unauthenticated():
    with pytest.raises(Unauthenticated):
        caller_from_event({"requestContext": {}})


def test_binary_bodies_are_decoded_without_text_assumptions():
    data = bytes(range(256))
    assert body_bytes({"body": base64.b64encode(data).decode(), "isBase64Encoded": True}) == data
    with pytest.raises(InvalidRequest, match="base64"):
        body_bytes({"body": "***", "isBase64Encoded": True})


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ('{"a":', "not valid JSON"), ("[" * 100000 + "]" * 100000, "JSON"),
    ('{"a": NaN}', "not valid JSON"),
])
def test_json_body_errors(raw, message):
    with pytest.raises(InvalidRequest, match=message):
        json_body({"body": raw})


def test_invalid_utf8_is_400():
    with pytest.raises(InvalidRequest, match="UTF-8"):
        json_body({"body": base64.b64encode(b'{"a":"\xff"}').decode(), "isBase64Encoded": True})


def test_conditional_headers():
    p = precondition_from_event({"headers": {"if-match": '"1", W/"2"', "if-unmodified-since": "Sun, 06 Nov 1994 08:49:37 GMT"}})
    assert p.if_match == ('"1"', 'W/"2"')
    assert p.if_unmodified_since == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC) and p.since_has_seconds_only
    p = precondition_from_event({"headers": {"if-unmodified-since": "2026-01-02T03:04:05.123456Z"}})
    assert p.if_unmodified_since.microsecond == 123456 and not p.since_has_seconds_only
    assert precondition_from_event({"headers": {"if-none-match": "*"}}).if_none_match_any
    for headers in ({"if-match": "1"}, {"if-none-match": '"3"'}, {"if-unmodified-since": "yesterday"},
                    {"if-unmodified-since": "0000-00-00"}):
        with pytest.raises(InvalidRequest):
            precondition_from_event({"headers": headers})


def test_deeply_nested_json_is_refused():
    ok = "[" * 64 + "]" * 64
    assert json_body({"body": ok}) == eval(ok)  # noqa: S307 - a literal of nested lists
    with pytest.raises(InvalidRequest, match="nested more than 64"):
        json_body({"body": '{"CustomFields": ' + "[" * 900 + "]" * 900 + "}"})
