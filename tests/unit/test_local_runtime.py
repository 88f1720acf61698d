"""The local gateway's parts: template reading, payload-2.0 events, the JWT authorizer."""

import base64
import json

import pytest

from folio.local.auth import LOCAL_AUDIENCE, LOCAL_ISSUER, Authorizer, mint_token
from folio.local.events import build_event
from folio.local.template import load_yaml

from ..conftest import TEMPLATE


def test_intrinsics_are_read_as_cloudformation_objects(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("A: !Ref X\nB: !GetAtt T.Arn\nC: !Sub '${X}-y'\nD: !Join [',', [a, b]]\n")
    assert load_yaml(path) == {"A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["T", "Arn"]},
                               "C": {"Fn::Sub": "${X}-y"}, "D": {"Fn::Join": [",", ["a", "b"]]}}


def test_routes_handlers_and_environment_come_from_the_template(template):
    routes = {r.route_key: (r.function_id, r.scopes) for r in template.routes}
    assert routes["PATCH /api/v1/Document/{id}"] == ("CrmPatchDocumentFunction", ("documents:write",))
    assert routes["GET /api/v1/Document/{id}"] == ("CrmGetDocumentFunction", ("documents:read",))
    assert routes["POST /api/v1/Document"] == ("CrmCreateDocumentFunction", ("documents:write",))
    fn = template.functions["CrmPatchDocumentFunction"]
    assert fn.environment["TABLE_NAME"] == template.local_name("DocumentsTable")
    assert fn.handler == "app.lambda_handler" and (fn.code_uri / "app.py").exists()
    declared = sum(t.path.read_text().count("Type: AWS::Serverless::Function") for t in template.templates)
    assert declared == len(template.functions) and len(template.nested) == 5  # the root's and the dialects'


def test_event_is_payload_2_0_with_string_claims_and_base64_binaries():
    event = build_event(
        method="PUT", raw_path="/a/b%20c", route_key="PUT /a/{x}", path_parameters={"x": "b c"},
        raw_query="q=1&q=2&e=", headers=[("Content-Type", "image/png"), ("X-A", "1"), ("x-a", "2"),
                                         ("Cookie", "s=1; t=2")],
        body=b"\x89PNG\x00\xff", claims={"tenant": "t", "exp": 17, "folio:domains": [1, 2], "ok": True},
        scopes=("documents:write",),
    )
    assert event["version"] == "2.0" and event["routeKey"] == "PUT /a/{x}"
    assert event["isBase64Encoded"] and base64.b64decode(event["body"]) == b"\x89PNG\x00\xff"
    assert event["headers"]["x-a"] == "1,2" and "cookie" not in event["headers"]
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["queryStringParameters"] == {"q": "1,2", "e": ""}
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims == {"tenant": "t", "exp": "17", "folio:domains": "[1 2]", "ok": "true"}
    assert event["requestContext"]["http"]["path"] == "/a/b c"
    text = build_event(method="POST", raw_path="/", route_key="POST /", path_parameters=None,
                       headers={"content-type": "application/json"}, body=b'{"a":1}')
    assert text["body"] == '{"a":1}' and text["isBase64Encoded"] is False
    assert "body" not in build_event(method="GET", raw_path="/", route_key="GET /", path_parameters=None)


@pytest.fixture(scope="module")
def authorizer(tmp_path_factory):
    base = tmp_path_factory.mktemp("keys")
    return base, Authorizer(base=base)


def test_authorizer_accepts_a_good_token(authorizer):
    base, auth = authorizer
    result = auth.check("Bearer " + mint_token(base=base), ("documents:read",))
    assert result.status == 200 and result.claims["tenant"] == "demo"


@pytest.mark.parametrize("kwargs", [
    {"expires_in": -10}, {"issuer": "https://evil.example/"}, {"audience": "someone-else"},
])
def test_authorizer_rejects_bad_tokens_with_401(authorizer, kwargs):
    base, auth = authorizer
    assert auth.check("Bearer " + mint_token(base=base, **kwargs), ()).status == 401


def test_authorizer_rejects_missing_and_forged_tokens(authorizer, tmp_path):
    base, auth = authorizer
    assert auth.check(None, ()).status == 401
    assert auth.check("Bearer not-a-jwt", ()).status == 401
    assert auth.check("Bearer " + mint_token(base=tmp_path), ()).status == 401  # another key
    token = mint_token(base=base)
    head, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["tenant"] = "other"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert auth.check(f"Bearer {head}.{forged}.{sig}", ()).status == 401


def test_authorizer_checks_scopes_with_403(authorizer):
    base, auth = authorizer
    token = mint_token(base=base, scope="documents:read")
    assert auth.check(token, ("documents:write",)).status == 403
    assert auth.check(token, ("documents:read",)).status == 200
    assert (LOCAL_ISSUER, LOCAL_AUDIENCE) == (auth.issuer, auth.audience)
