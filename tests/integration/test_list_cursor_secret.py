"""The list cursor's sealing key is a secret the deployment generated (issue 27, item 8): Secrets Manager's
ListCursorSecret, never the stack id (which every resource's tags and the bucket's name show), never
in a template, a tag or an environment variable. A cursor sealed under one secret opens under no other."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from ..conftest import TEMPLATE

KYC = "/api/customer/42/document"
DOMAIN = {"X-Domain-ID": "7"}


def _first_page(api):
    from .test_kyc_handlers import send

    for _ in range(3):
        assert send(api, "POST", KYC).status == 201
    first = api.request("GET", KYC, headers=DOMAIN, query="size=1")
    assert first.status == 200 and first.json["nextCursor"], first.body
    return first.json["nextCursor"]


def test_a_listing_function_pages_with_the_deployments_secret_and_a_new_secret_refuses_old_cursors(api, aws):
    """KycListDocumentsFunction reads the secret (the IAM guard checks its grant) to seal and open its
    cursors; once the secret holds another value, a cursor sealed under the old one is a 400."""
    import boto3

    from folio.storage.clients import reset_clients

    cursor = _first_page(api)
    second = api.request("GET", KYC, headers=DOMAIN, query=f"size=1&cursor={quote(cursor)}")
    assert second.status == 200, second.body
    from ..support.iam_guard import GUARD

    assert "secretsmanager:GetSecretValue" in GUARD.policies_seen["KycListDocumentsFunction"].used
    secret = api.template.resolve({"Ref": "ListCursorSecret"})
    boto3.client("secretsmanager").put_secret_value(SecretId=secret, SecretString="another deployment's key")
    reset_clients()  # a new environment: the key is read again
    refused = api.request("GET", KYC, headers=DOMAIN, query=f"size=1&cursor={quote(cursor)}")
    assert refused.status == 400, refused.body


def test_cursors_sealed_under_one_key_open_under_no_other():
    from folio.core.errors import InvalidRequest
    from folio.core.listing import Cursors

    asked = []
    one = Cursors(lambda: asked.append(1) or b"one key")
    sealed = one.seal({"before": "x"}, "acme#list")
    assert one.open(sealed, "acme#list") == {"before": "x"} and asked == [1]  # read once, when first needed
    with pytest.raises(InvalidRequest):
        Cursors(b"another key").open(sealed, "acme#list")
    with pytest.raises(InvalidRequest):
        one.open(sealed, "acme#another-list")


def test_the_key_is_generated_at_deploy_and_in_no_template_tag_or_environment(template, aws):
    """The template asks Secrets Manager to generate it (no SecretString); the functions hold the secret's
    name (its ARN on AWS), and folio local made a random value of its own."""
    import boto3

    secret = template.resources["ListCursorSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert "GenerateSecretString" in secret["Properties"] and "SecretString" not in secret["Properties"]
    assert "Tags" not in secret["Properties"]
    texts = [TEMPLATE.read_text(), *(p.read_text() for p in (TEMPLATE.parent / "stacks").glob("*.yaml"))]
    assert not any("LIST_CURSOR_KEY" in text for text in texts)
    name = template.resolve({"Ref": "ListCursorSecret"})
    for fn in template.functions.values():
        assert fn.environment.get("LIST_CURSOR_SECRET") in (None, name), fn.logical_id
    value = boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    assert len(value) == 64 and value.isalnum()
