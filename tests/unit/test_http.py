"""The request object over payload-2.0 events: claims, bodies, conditional headers."""

import base64
from datetime import UTC, datetime

import pytest

from folio.core.errors import InvalidRequest, Unauthenticated
from folio.web.request import WebRequest


def request(**event):
    return WebRequest.from_event(event)


def claims_event(claims):
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}}


def test_claims_arrive_as_strings_and_arrays_as_brackets():
    caller = WebRequest.from_event(claims_event({
        "tenant": "acme", "sub": "u", "scope": "documents:read documents:write",
        "folio:domains": "[1 2]", "folio:steps": "[s1 *]",
    })).caller
    assert caller.tenant == "acme"
    assert caller.scopes == {"documents:read", "documents:write"}
    assert caller.domains == {"1", "2"} and caller.steps == {"s1", "*"}
    assert WebRequest.from_event(claims_event({"tenant": "t", "sub": "u"})).caller.domains is None


def test_no_claims_is_unauthenticated():
    with pytest.raises(Unauthenticated):
        request(requestContext={}).caller


def test_binary_bodies_are_decoded_without_text_assumptions():
    data = bytes(range(256))
    assert request(body=base64.b64encode(data).decode(), isBase64Encoded=True).body == data
    with pytest.raises(InvalidRequest, match="base64"):
        request(body="***", isBase64Encoded=True).body


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ('{"a":', "not valid JSON"), ("[" * 100000 + "]" * 100000, "JSON"),
    ('{"a": NaN}', "not valid JSON"),
])
def test_json_body_errors(raw, message):
    with pytest.raises(InvalidRequest, match=message):
        request(body=raw).json()


def test_invalid_utf8_is_400():
    with pytest.raises(InvalidRequest, match="UTF-8"):
        request(body=base64.b64encode(b'{"a":"\xff"}').decode(), isBase64Encoded=True).json()


def test_conditional_headers():
    p = request(headers={"if-match": '"1", W/"2"', "if-unmodified-since": "Sun, 06 Nov 1994 08:49:37 GMT"}).precondition
    assert p.if_match == ('"1"', 'W/"2"')
    assert p.if_unmodified_since == datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC) and p.since_has_seconds_only
    p = request(headers={"If-Unmodified-Since": "2026-01-02T03:04:05.123456Z"}).precondition
    assert p.if_unmodified_since.microsecond == 123456 and not p.since_has_seconds_only
    assert request(headers={"if-none-match": "*"}).precondition.if_none_match_any
    for headers in ({"if-match": "1"}, {"if-none-match": '"3"'}, {"if-unmodified-since": "yesterday"},
                    {"if-unmodified-since": "0000-00-00"}):
        with pytest.raises(InvalidRequest):
            request(headers=headers).precondition


def test_deeply_nested_json_is_refused():
    ok = "[" * 64 + "]" * 64
    assert request(body=ok).json() == eval(ok)  # noqa: S307 - a literal of nested lists
    with pytest.raises(InvalidRequest, match="nested more than 64"):
        request(body='{"CustomFields": ' + "[" * 900 + "]" * 900 + "}").json()


def test_one_request_object_per_invocation_and_lazy_parsing():
    """A malformed If-Match fails only what reads it; the object holds what the event said."""
    web = request(headers={"If-Match": "1", "X-Environment": "test"}, pathParameters={"id": "7"},
                  queryStringParameters={"clientId": "c"}, rawPath="/documents/7",
                  requestContext={"http": {"method": "post"}, "requestId": "r-1"})
    assert web.header("x-environment") == "test" and web.path == {"id": "7"} and web.query == {"clientId": "c"}
    assert web.method == "POST" and web.request_id == "r-1" and web.raw_path == "/documents/7"
    assert web.body == b"" and not web.has_body and web.media_type == ""
    with pytest.raises(InvalidRequest):
        web.precondition
