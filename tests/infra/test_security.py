"""The template's security posture: checkov passes (every skip with its reason), and every function's
policy grants exactly the actions its code calls, on its own table and bucket only."""

import json
import re
import subprocess

import pytest

from ..conftest import ROOT, TEMPLATE

pytestmark = pytest.mark.build
CHECKOV = ROOT / ".tools" / "bin" / "checkov"

#: checkov checks that do not apply to folio, and why.
SKIPS = {
    "CKV_AWS_115": "The functions that take a body reserve BodyFunctionReservedConcurrency each (checkov passes "
                   "them); the readers, the S3-event function and the sweeper share the account's pool, behind the "
                   "API's default throttling: reserving for all 22 would need a quota most accounts lack.",
    "CKV_AWS_116": "API functions are invoked synchronously by API Gateway, where a DLQ never receives anything; "
                   "the two asynchronously invoked functions (S3 upload events, the sweeper) have one.",
    "CKV_AWS_117": "folio reaches only DynamoDB and S3, over their public TLS endpoints (the bucket denies plain "
                   "HTTP); a VPC would add ENI cold starts and NAT or endpoint costs and protect nothing.",
    "CKV_AWS_119": "The table is encrypted at rest (SSESpecification); a customer managed KMS key is a deployment "
                   "choice with its own cost and key policy.",
    "CKV_AWS_149": "ListCursorSecret (the key that seals list cursors) is encrypted with Secrets Manager's AWS managed "
                   "key; a customer managed KMS key is a deployment choice with its own cost and key policy, and "
                   "each function that reads the secret would need kms:Decrypt on it. It is never rotated: a new "
                   "key would refuse every cursor outstanding (README: Life cycle).",
    "CKV_AWS_158": "API access logs hold request ids, IPs, routes and statuses, no document data; CloudWatch Logs "
                   "encrypts them at rest.",
    "CKV_AWS_173": "Function environments hold only resource names and ARNs, no secrets (the list cursor key is "
                   "read from Secrets Manager: LIST_CURSOR_SECRET is its ARN).",
    "CKV_AWS_18": "S3 server access logging needs a second bucket; object-level audit is better served by CloudTrail "
                  "data events, enabled per account.",
    "CKV_AWS_26": "AlarmTopic carries alarm names and states, no document data; CloudWatch cannot publish to a topic "
                  "encrypted with the AWS managed key (aws/sns), and a customer managed key is a deployment choice "
                  "with its own key policy.",
    "CKV_AWS_27": "The queue is encrypted with SQS-managed keys (SqsManagedSseEnabled); checkov 3.3 only recognises "
                  "a KMS key.",
}


def test_checkov_passes_with_only_reasoned_skips():
    assert CHECKOV.exists(), "checkov lives in .tools/ (make test installs it)"
    stacks = [str(TEMPLATE), *(str(p) for p in sorted((ROOT / "stacks").glob("*.yaml")) if p.name != "routes.yaml")]
    out = subprocess.run([str(CHECKOV), *(arg for path in stacks for arg in ("-f", path)), "--framework", "cloudformation", "--skip-download",
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
    "s3:PutObject": ("*", "storing the optional new file (capture content, dms file) the sample events leave out; "
                          "Idempotency-Key: keeping an answer too large for its record (~idempotency/*)"),
    "s3:GetObjectVersion": ("*", "Idempotency-Key: replaying an answer too large for its record (~idempotency/*)"),
    "s3:DeleteObjectVersion": ("*", "deleting the new file version again when the metadata write that would point "
                                    "at it fails (core._discard)"),
    "dynamodb:GetItem": (("Artu", "DmsStartUpload", "SweepPurges"),
                         "artu: recovering an atomic batch a dead writer left: reading its intent; dms: a session for a new version reads the "
                         "document (the sample starts a create); the purge sweeper: reading a purge's record (the "
                         "sample finds none)"),
    "dynamodb:BatchWriteItem": ("SweepPurges", "finishing an interrupted erasure: deleting the document's items "
                                               "(the sample finds no purge)"),
    "dynamodb:Query": (("SweepFiles", "DmsListDocumentVersions", "DmsGetDocumentVersionFile",
                        "DmsRestoreDocumentVersion", "CrmListDocumentVersions"),
                       "the file sweeper: reading the versions of a document whose file versions are older than the "
                       "grace (the sample's objects are all young); a numbered version of a document written before "
                       "marks: its whole history, once (the samples' documents are marked)"),
    "s3:ListMultipartUploadParts": (("Kyc", "Dms", "Capture", "Crm", "Artu"),
                                    "completing an upload session: checking the client's part list against S3's"),
    "s3:ListBucketVersions": (("Kyc", "Dms", "Capture", "Crm", "Artu", "SweepPurges"),
                              "completing an upload session whose first completion died after S3 completed it: "
                              "finding the object version by its multipart ETag; the purge sweeper: listing an "
                              "interrupted erasure's files (the sample finds none)"),
    "s3:AbortMultipartUpload": (("Kyc", "Dms", "Capture", "Crm", "Artu", "SweepPurges"),
                                "aborting an upload session that S3 still holds open; an erasure aborting the "
                                "open uploads of its document (the samples have none)"),
    "s3:ListBucketMultipartUploads": ("SweepPurges", "finishing an interrupted erasure: its open uploads (the sample "
                                                     "finds no purge)"),
    "dynamodb:ConditionCheckItem": (("SweepPurges", "DmsListDocumentVersions", "DmsGetDocumentVersionFile",
                                     "DmsRestoreDocumentVersion", "CrmListDocumentVersions", "ArtuBatchUpsertExternal"),
                                    "claiming an interrupted erasure (the sample finds no purge); writing the marks "
                                    "of a document written before marks, conditional on its head (the samples' "
                                    "documents are marked); artu: locking a batch of more than one transaction, each "
                                    "conditional on its intent (the sample is one item)"),
    "secretsmanager:GetSecretValue": (("KycListDocuments", "DmsListDocuments", "DmsListDocumentVersions",
                                       "CrmListDocuments", "CrmListDocumentVersions", "CaptureGetDocument",
                                       "CaptureListAttachments", "ArtuGetDocument"),
                                      "the key that seals list cursors, read when a cursor is first sealed or opened "
                                      "(the samples' lists are one page; tests/integration/test_list_cursor_secret.py "
                                      "pages them)"),
    "dynamodb:BatchGetItem": (("Artu", "CaptureUpdateAttachment"),
                              "artu: recovering an atomic batch (reading the heads it locked); capture: reading the "
                              "procedures when an update sets the attachment type"),
    "dynamodb:UpdateItem": (("Artu", "DmsListDocumentVersions", "DmsGetDocumentVersionFile", "CrmListDocumentVersions",
                             "SweepPurges"),
                            "recovering an atomic batch: deciding its intent, rolling heads forward or releasing their "
                            "locks; writing the marks of a document written before marks (the samples' documents "
                            "are marked); the purge sweeper: claiming an interrupted erasure (the sample finds none; "
                            "tests/integration/test_iam_rare_paths.py runs it)"),
    "dynamodb:DeleteItem": ("*", "Idempotency-Key: dropping the in-progress record when a request fails; artu: "
                                 "recovering an atomic batch (removing placeholders and the intent)"),
    "dynamodb:PutItem": ("Artu", "recovering an atomic batch: writing the history items of a roll forward"),
    # what Lambda itself calls with the publisher's role (its code calls only events:PutEvents)
    "dynamodb:DescribeStream": ("PublishChanges", "Lambda's event source mapping reading the table's stream"),
    "dynamodb:GetRecords": ("PublishChanges", "Lambda's event source mapping reading the table's stream"),
    "dynamodb:GetShardIterator": ("PublishChanges", "Lambda's event source mapping reading the table's stream"),
    "dynamodb:ListStreams": ("PublishChanges", "Lambda's event source mapping finding the table's stream"),
    "sqs:SendMessage": ("PublishChanges", "Lambda's event source mapping recording a batch it gave up on "
                                          "(the on-failure destination)"),
    "logs:CreateLogStream": ("PublishChanges", "Lambda writing the function's logs (SAM grants it to the others)"),
    "logs:PutLogEvents": ("PublishChanges", "Lambda writing the function's logs (SAM grants it to the others)"),
    "xray:PutTraceSegments": ("PublishChanges", "tracing, with Tracing Active (SAM grants it to the others)"),
    "xray:PutTelemetryRecords": ("PublishChanges", "tracing, with Tracing Active (SAM grants it to the others)"),
}


def _iam_actions(service: str, operation: str, params: dict) -> set[str]:
    from ..support.iam_guard import iam_actions

    return iam_actions(service, operation, params)


def _statements(template, logical_id: str) -> list[dict]:
    """The function's own statements: its Policies, or those of the Role it names (PublishChanges)."""
    props = template.resources[logical_id]["Properties"]
    if "Role" in props:
        role = template.resources[props["Role"]["Fn::GetAtt"][0]]["Properties"]
        statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        # the tracing statement applies with Tracing Active only (!If TracingOn)
        return [s["Fn::If"][1] if "Fn::If" in s else s for s in statements]
    statements = []
    for policy in props["Policies"]:  # its own statements, and the managed policies it names (!Ref)
        if "Ref" in policy:  # in its own stack (each dialect's stack has its IdempotencyAnswersPolicy)
            policy = template.owner(logical_id).own_resources[policy["Ref"]]["Properties"]["PolicyDocument"]
        statements += policy["Statement"]
    return statements


def _policy(template, logical_id: str) -> tuple[set[str], list]:
    statements = _statements(template, logical_id)
    return {a for s in statements for a in s["Action"]}, [s["Resource"] for s in statements]


#: Every precondition and optional header a route may read, sent one at a time on every HTTP route:
#: each can take the code down another path (a create with If-None-Match reads the head first).
OPTIONAL_HEADERS = (
    {"if-match": "*"},
    {"if-none-match": "*"},
    {"if-unmodified-since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    {"x-http-method-override": "PUT"},
)
#: Optional query parameters, by the prefix of the functions that read them.
OPTIONAL_QUERIES = {"Crm": {"$select": "Header,OurRef"}}
#: What a variant may answer: success, or a refusal its precondition asked for (412), or a
#: conflict with the request before it; never a 400 (the header was not read) nor a 5xx.
VARIANT_STATUSES = {200, 201, 204, 304, 409, 412}  # 304: a GET with If-None-Match (web.caching)


def _variants(function, event: dict) -> list[tuple[str, dict]]:
    """The sample event, its replay (same Idempotency-Key), the sample on each other route of its
    function, and the sample with each optional header and query (artu: the lookup query)."""
    import copy
    import uuid

    lid = function.logical_id
    if "routeKey" not in event:  # an S3 or schedule event: no headers to vary
        return [("sample", event)]
    variants = [("sample", event)]
    params = event.get("pathParameters") or {}
    for route in function.routes:
        names = re.findall(r"\{([^}]+)\}", route.path)
        if route.route_key == event["routeKey"] or set(names) != set(params):  # artu lookup: below
            continue
        other = copy.deepcopy(event)
        path = route.path
        for name in names:
            path = path.replace("{" + name + "}", params[name])
        other.update(routeKey=route.route_key, rawPath=path)
        other["requestContext"]["http"].update(method=route.method, path=path)
        if "idempotency-key" in other["headers"]:
            other["headers"]["idempotency-key"] = str(uuid.uuid4())
        variants.append((route.route_key, other))
    if "idempotency-key" in event["headers"]:
        variants.append(("Idempotency-Key replay", copy.deepcopy(event)))
        plain = copy.deepcopy(event)
        del plain["headers"]["idempotency-key"]
        variants.append(("no Idempotency-Key", plain))

    def varied(headers: dict, query: dict) -> dict:
        out = copy.deepcopy(event)
        out["headers"].update(headers)
        if "idempotency-key" in out["headers"]:  # a fresh key: the first run of this variant
            out["headers"]["idempotency-key"] = str(uuid.uuid4())
        params = {**(out.get("queryStringParameters") or {}), **query}
        out["queryStringParameters"] = params or None
        out["rawQueryString"] = "&".join(f"{k}={v}" for k, v in params.items())
        return out

    for headers in OPTIONAL_HEADERS:
        variants.append((", ".join(headers), varied(headers, {})))
    for prefix, query in OPTIONAL_QUERIES.items():
        if lid.startswith(prefix):
            variants.append((", ".join(query), varied({}, query)))
    if lid == "ArtuGetDocumentFunction":
        lookup = varied({}, {"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                             "externalId": f"sample-{event['pathParameters']['id']}"})
        lookup.update(routeKey="GET /documents", rawPath="/documents", pathParameters=None)
        lookup["requestContext"]["http"]["path"] = "/documents"
        variants.append(("lookup ?clientId=&externalId=", lookup))
        listing = varied({}, {"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a"})
        listing.update(routeKey="GET /documents", rawPath="/documents", pathParameters=None)
        listing["requestContext"]["http"]["path"] = "/documents"
        variants.append(("list ?clientId=", listing))
    return variants


def test_every_policy_grants_what_its_code_calls_on_its_own_resources(aws, template, monkeypatch):
    """Each sample event runs in process, as sent and with every precondition and optional header
    (OPTIONAL_HEADERS, OPTIONAL_QUERIES, an Idempotency-Key replay); botocore hooks record the IAM
    actions of every AWS call, and each must be granted by that function's policy."""
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
            observed.update(_iam_actions(model.service_model.service_name, model.name, params))

    clients = [client(name, settings()) for name in ("dynamodb", "s3", "events", "secretsmanager")]
    for client in clients:
        client.meta.events.register("before-parameter-build", record)
    def presigning(original, action):
        def presign(self, *args, **kwargs):
            """The upload or download acts with the function's rights (s3:PutObject, s3:GetObjectVersion).
            Signing calls nothing (botocore builds a presigned POST as if for CreateBucket): not recorded."""
            was_on = recording["on"]
            observed.add(action) if was_on else None
            recording["on"] = False
            try:
                return original(self, *args, **kwargs)
            finally:
                recording["on"] = was_on
        return presign

    for name in [n for n in vars(FileStore) if n.startswith("presign")]:  # a presigned PUT or POST
        monkeypatch.setattr(FileStore, name, presigning(getattr(FileStore, name),
                                                        "s3:GetObjectVersion" if name == "presign_get" else "s3:PutObject"))
    checked, ungranted = [], []
    try:
        for lid in template.functions:
            event_file = ROOT / "events" / (re.sub(r"(?<!^)(?=[A-Z])", "_", lid).lower()
                                            .removesuffix("_function") + ".json")
            event = json.loads(event_file.read_text())
            prepare(lid, event)
            granted, resources = _policy(template, lid)
            called: set[str] = set()
            for variant, varied in _variants(template.functions[lid], event):
                prepare(lid, varied)  # a delete's sample erased what the next variant names
                observed.clear()
                recording["on"] = True
                answer = runtime.invoke(lid, varied)
                recording["on"] = False
                status = int(answer.get("statusCode", 200)) if isinstance(answer, dict) else 200
                assert "errorType" not in answer, (lid, variant, answer)
                # a session is found only through the route that started it, and the sample aborted its own
                gone = {404} if lid.endswith("UploadFunction") and (
                    lid.endswith("AbortUploadFunction") or variant.startswith(("GET ", "HEAD ", "POST ", "DELETE "))) else set()
                assert status < 400 if variant == "sample" else status in VARIANT_STATUSES | gone, (lid, variant, answer)
                if observed - granted:
                    ungranted.append(f"{lid} with {variant} calls {sorted(observed - granted)}, not granted")
                called |= observed
            for extra in granted - called:
                scope, reason = RARE_PATHS.get(extra, (None, None))
                assert scope == "*" or (scope and lid.startswith(scope)), \
                    f"{lid} is granted {extra}, which its code does not call"
            for statement in _statements(template, lid):
                text = json.dumps(statement["Resource"])
                if all(action.startswith("xray:") for action in statement["Action"]):
                    assert text == '"*"', (lid, text)  # X-Ray's actions name no resource
                    continue
                assert any(own in text for own in ("DocumentsTable", "FilesBucket", "folio-files", "ChangeEvents", "ListCursorSecret",
                                                   "FunctionLogs")), (lid, text)
                assert text != '"*"', lid
            checked.append(lid)
    finally:
        for client in clients:
            client.meta.events.unregister("before-parameter-build", record)
    assert not ungranted, "\n".join(ungranted)
    assert sorted(checked) == sorted(template.functions)


def test_the_iam_guard_checks_resources_as_iam_does(template, monkeypatch):
    """The guard (tests/support/iam_guard.py) that checks every call a function makes in the suite: an
    index is a resource of its own, a key pattern matches across `/`, another table or bucket is denied,
    and each function's statements come from the SAM-transformed template."""
    from ..support.iam_guard import GUARD, Policy, Statement, iam_requests

    monkeypatch.setenv("AWS_REGION", "us-east-1")
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    policy = Policy("F", [Statement(("dynamodb:GetItem", "dynamodb:Query"), (table,), "test"),
                          Statement(("s3:Get*",), ("arn:aws:s3:::b/acme/*",), "test")])
    assert policy.check("dynamodb:Query", table)
    assert not policy.check("dynamodb:Query", table + "/index/ByCollectionKeys")
    assert not policy.check("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other")
    assert policy.check("s3:GetObjectVersion", "arn:aws:s3:::b/acme/kyc/1/front")
    assert not policy.check("s3:GetObjectVersion", "arn:aws:s3:::b/other/1")
    assert iam_requests("dynamodb", "Query", {"TableName": "t", "IndexName": "I"}) == [
        ("dynamodb:Query", table + "/index/I")]
    assert iam_requests("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "k", "VersionId": "v"}]}}) == [
        ("s3:DeleteObjectVersion", "arn:aws:s3:::b/k")]
    names = {fn.environment["TABLE_NAME"] for fn in template.functions.values()}
    [name] = names
    listing = GUARD.policies(template).of("KycListDocumentsFunction")
    assert listing.check("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}/index/ByCollectionKeys")
    assert not listing.check("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}")
    secret = template.resolve({"Ref": "ListCursorSecret"})
    assert listing.check("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{secret}")
    assert not GUARD.policies(template).of("KycGetDocumentFunction").check(
        "secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{secret}")
