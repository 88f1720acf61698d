"""The request object over payload-2.0 events: claims, bodies, conditional headers."""

import base64
from datetime import UTC, datetime

import pytest

from folio.core.errors import Forbidden, InvalidRequest, Unauthenticated
from folio.web.request import WebRequest, positive_id


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


@pytest.mark.parametrize("tenant", [None, 5, True, ["acme"], {"id": "acme"}, "None", "5", "true", "acme\n"])
def test_a_tenant_claim_that_is_no_string_is_403_never_a_tenant_named_after_it(tenant):
    with pytest.raises(Forbidden):
        WebRequest.from_event(claims_event({"tenant": tenant, "sub": "u"})).caller
    with pytest.raises(Forbidden):
        WebRequest.from_event(claims_event({"sub": "u"})).caller


@pytest.mark.parametrize("raw, expected", [("1", 1), ("007", 7), ("9223372036854775807", 9223372036854775807)])
def test_positive_ids_read_as_integers(raw, expected):
    assert positive_id(raw, "id") == expected


@pytest.mark.parametrize("raw", [None, "", "0", "-1", "+1", "1.0", "1_000", "٣", "9223372036854775808",
                                 "9" * 5000, "0" * 5000 + "1" * 20])
def test_ids_that_are_no_int64_are_400_whatever_their_length(raw):
    with pytest.raises(InvalidRequest):
        positive_id(raw, "id")


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


@pytest.mark.parametrize("raw", [b"9" * 5000, b'{"n": ' + b"9" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000,
                                 b'{"a":' * 100_000, b"NaN", b"\xff"])
def test_every_malformed_json_is_invalid_request_never_another_error(raw):
    """What the handlers and the idempotency middleware read: a 400, whatever json.loads raises."""
    from folio.web.json_parsing import parse_json

    with pytest.raises(InvalidRequest):
        parse_json(raw)


AWS_CODES = ("ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError")


@pytest.mark.parametrize("code", AWS_CODES)
def test_a_503_names_no_aws_error_code_and_the_log_does(api, monkeypatch, code):
    """AWS's error code is for the log; the client is told to retry later, in its dialect's format."""
    from botocore.exceptions import ClientError

    from folio.core import service
    from folio.storage import clients
    from folio.storage.config import settings

    def fail(model, **_kwargs):
        raise ClientError({"Error": {"Code": code, "Message": f"{code}: injected"},
                           "ResponseMetadata": {"HTTPStatusCode": 400}}, model.name)

    logged = []
    monkeypatch.setattr(service, "pause", lambda attempt: None)
    monkeypatch.setattr(clients.logger, "warning", lambda message, extra: logged.append(extra["aws_error_code"]))
    dynamodb = clients.client("dynamodb", settings())
    dynamodb.meta.events.register("before-call", fail)
    try:
        answers = [api.request("GET", "/api/customer/1/document/1", headers={"X-Domain-ID": "1"}),
                   api.request("GET", "/api/v2/clients/1/dms/projects/1/documents/1"),
                   api.request("GET", "/api/v1/Document/1")]
    finally:
        dynamodb.meta.events.unregister("before-call", fail)
    for answer in answers:
        assert answer.status == 503 and answer.headers.get("retry-after") == "1", answer.body
        assert not any(c.encode() in answer.body for c in AWS_CODES) and b"Exception" not in answer.body, answer.body
    assert logged and set(logged) == {code}
