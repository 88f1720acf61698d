"""The template's security posture: checkov passes (every skip with its reason), and every function's
policy grants exactly the actions its code calls, on its own table and bucket only."""

import json
import subprocess

import pytest

from ..conftest import ROOT, TEMPLATE

pytestmark = pytest.mark.build
CHECKOV = ROOT / ".tools" / "bin" / "checkov"

#: checkov checks that do not apply to folio, and why.
SKIPS = {
    "CKV_AWS_115": "Reserved concurrency takes capacity from the account's pool and caps throughput; the right "
                   "figure is a per-deployment decision, not the template's.",
    "CKV_AWS_116": "API functions are invoked synchronously by API Gateway, where a DLQ never receives anything; "
                   "the two asynchronously invoked functions (S3 upload events, the sweeper) have one.",
    "CKV_AWS_117": "folio reaches only DynamoDB and S3, over their public TLS endpoints (the bucket denies plain "
                   "HTTP); a VPC would add ENI cold starts and NAT or endpoint costs and protect nothing.",
    "CKV_AWS_119": "The table is encrypted at rest (SSESpecification); a customer managed KMS key is a deployment "
                   "choice with its own cost and key policy.",
    "CKV_AWS_158": "API access logs hold request ids, IPs, routes and statuses, no document data; CloudWatch Logs "
                   "encrypts them at rest.",
    "CKV_AWS_173": "Function environments hold only resource names, no secrets.",
    "CKV_AWS_18": "S3 server access logging needs a second bucket; object-level audit is better served by CloudTrail "
                  "data events, enabled per account.",
    "CKV_AWS_27": "The queue is encrypted with SQS-managed keys (SqsManagedSseEnabled); checkov 3.3 only recognises "
                  "a KMS key.",
}


def test_checkov_passes_with_only_reasoned_skips():
    assert CHECKOV.exists(), "checkov lives in .tools/ (make test installs it)"
    out = subprocess.run([str(CHECKOV), "-f", str(TEMPLATE), "--framework", "cloudformation", "--skip-download",
                          "--compact", "--quiet", "-o", "json", "--skip-check", ",".join(SKIPS)],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(out.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [(c["check_id"], c["resource"]) for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    assert failed == [], failed
    assert passed > 50
    assert all(len(reason) > 40 for reason in SKIPS.values())


#: Actions a policy may grant beyond what its function's sample event calls: the rarer paths.
RARE_PATHS = {
    "s3:PutObject": (("CaptureUpdateAttachment", "DmsUploadDocumentVersion"),
                     "storing the optional new file (capture content, dms file) the sample events leave out"),
    "s3:DeleteObjectVersion": ("*", "deleting the new file version again when the metadata write that would point "
                                    "at it fails (core._discard)"),
    "dynamodb:GetItem": ("Artu", "recovering an atomic batch a dead writer left: reading its intent"),
    "dynamodb:BatchGetItem": (("Artu", "CaptureUpdateAttachment"),
                              "artu: recovering an atomic batch (reading the heads it locked); capture: reading the "
                              "procedures when an update sets the attachment type"),
    "dynamodb:UpdateItem": ("Artu", "recovering an atomic batch: deciding its intent, rolling heads forward or "
                                    "releasing their locks"),
    "dynamodb:DeleteItem": ("*", "Idempotency-Key: dropping the in-progress record when a request fails; artu: "
                                 "recovering an atomic batch (removing placeholders and the intent)"),
    "dynamodb:PutItem": ("Artu", "recovering an atomic batch: writing the history items of a roll forward"),
}


def _iam_actions(service: str, operation: str, params: dict) -> set[str]:
    if operation == "TransactWriteItems":
        names = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
        return {f"dynamodb:{names[k]}" for item in params["TransactItems"] for k in item}
    if service == "s3" and operation in ("GetObject", "DeleteObject") and params.get("VersionId"):
        return {f"s3:{operation}Version"}
    return {f"{service}:{operation}"}


def _policy(template, logical_id: str) -> tuple[set[str], list]:
    statements = template.resources[logical_id]["Properties"]["Policies"][0]["Statement"]
    return {a for s in statements for a in s["Action"]}, [s["Resource"] for s in statements]


def test_every_policy_grants_what_its_code_calls_on_its_own_resources(aws, template, monkeypatch):
    """Each sample event runs in process; botocore hooks record the IAM actions of every AWS call."""
    from folio.storage.clients import client
    from folio.storage.config import settings
    from folio.storage.files import FileStore
    from folio.local.fixtures import prepare, seed
    from folio.local.runtime import FunctionRuntime

    runtime = FunctionRuntime(template)
    seed()
    observed: set[str] = set()
    recording = {"on": False}

    def record(model, params, **kwargs):
        if recording["on"]:
            service = "dynamodb" if model.service_model.service_name == "dynamodb" else "s3"
            observed.update(_iam_actions(service, model.name, params))

    clients = [client("dynamodb", settings()), client("s3", settings())]
    for client in clients:
        client.meta.events.register("before-parameter-build", record)
    original_presign = FileStore.presign_put

    def presign(self, *args, **kwargs):
        observed.add("s3:PutObject") if recording["on"] else None  # the URL acts with the function's rights
        return original_presign(self, *args, **kwargs)

    monkeypatch.setattr(FileStore, "presign_put", presign)
    checked = []
    try:
        for lid in template.functions:
            event_file = ROOT / "events" / (__import__("re").sub(r"(?<!^)(?=[A-Z])", "_", lid).lower()
                                            .removesuffix("_function") + ".json")
            event = json.loads(event_file.read_text())
            prepare(lid, event)
            observed.clear()
            recording["on"] = True
            answer = runtime.invoke(lid, event)
            recording["on"] = False
            assert "errorType" not in answer and int(answer.get("statusCode", 200)) < 400, (lid, answer)
            granted, resources = _policy(template, lid)
            missing = observed - granted
            assert not missing, f"{lid} calls {sorted(missing)} that its policy does not grant"
            for extra in granted - observed:
                scope, reason = RARE_PATHS.get(extra, (None, None))
                assert scope == "*" or (scope and lid.startswith(scope)), \
                    f"{lid} is granted {extra}, which its code does not call"
            for resource in resources:
                text = json.dumps(resource)
                assert "DocumentsTable" in text or "FilesBucket" in text or "folio-files" in text, (lid, text)
                assert text != '"*"', lid
            checked.append(lid)
    finally:
        for client in clients:
            client.meta.events.unregister("before-parameter-build", record)
    assert sorted(checked) == sorted(template.functions)
