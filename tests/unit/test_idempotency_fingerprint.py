"""The Idempotency-Key fingerprint: what a retry must repeat to be answered with the first answer."""

import json

import pytest

from folio.local.events import build_event
from folio.web.idempotency import SELECTING_HEADERS, fingerprint
from folio.web.request import WebRequest

CLAIMS = {"sub": "user-1", "tenant": "acme", "scope": "documents:write", "folio:domains": "[1 2]",
          "folio:steps": "[review]"}


def request(headers=(), claims=CLAIMS, body=b'{"a": 1, "b": [2]}', content_type="application/json"):
    event = build_event(method="POST", raw_path="/x", route_key="POST /x", path_parameters=None,
                        headers={"Content-Type": content_type, "Idempotency-Key": "k", **dict(headers)},
                        body=body, claims=claims, scopes=tuple(claims.get("scope", "").split()))
    return fingerprint(WebRequest(event))


@pytest.mark.parametrize("header", SELECTING_HEADERS)
def test_every_selecting_header_is_covered(header):
    assert request({header: "1"}) != request() != request({header: "2"}) != request({header: "1"})


@pytest.mark.parametrize("claim, value", [("scope", "documents:write documents:read"), ("scope", "documents:read"),
                                          ("folio:domains", "[2]"), ("folio:domains", None), ("folio:steps", "[*]"),
                                          ("name", "Someone Else")])
def test_every_grant_of_the_token_is_covered(claim, value):
    claims = {k: v for k, v in {**CLAIMS, claim: value}.items() if v is not None}
    assert request(claims=claims) != request()


def test_the_media_type_is_covered():
    assert request(content_type="application/merge-patch+json") != request()


def test_a_retry_may_reserialize_its_json_and_reorder_its_grants():
    reserialized = json.dumps({"b": [2], "a": 1}, indent=2).encode()
    assert request(body=reserialized) == request()
    assert request(claims={**CLAIMS, "folio:domains": "[2 1]"}) == request()


def test_a_retry_may_pick_another_multipart_boundary():
    from requests_toolbelt import MultipartEncoder

    def form():
        encoder = MultipartEncoder(fields={"document": "{}", "file": ("a.txt", b"abc", "text/plain")})
        return request(body=encoder.to_string(), content_type=encoder.content_type)

    assert form() == form()
