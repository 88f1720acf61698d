"""template.yaml: valid for SAM, buildable without Docker, bytecode for Python 3.13 everywhere."""

import base64
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ..conftest import FOLIO, ROOT, TEMPLATE

pytestmark = pytest.mark.build
BIN = Path(sys.executable).parent
ENV = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.mark.parametrize("stack", ["template.yaml", *(f"stacks/{p.name}" for p in sorted((ROOT / "stacks").glob("*.yaml"))
                                                      if p.name != "routes.yaml")])
def test_sam_validate_lint_is_clean(stack):
    out = subprocess.run([str(BIN / "sam"), "validate", "--lint", "--template", str(ROOT / stack)],
                         capture_output=True, text=True, env=ENV, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "is a valid SAM Template" in out.stdout + out.stderr


def test_template_declares_what_design_requires(template):
    from .test_security import _statements

    functions = template.of_type("AWS::Serverless::Function")
    assert template.function_globals["Runtime"] == "python3.13"
    assert template.parameters["Architecture"]["Default"] == "arm64"
    table = template.resources["DocumentsTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    bucket = template.resources["FilesBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    policy = template.resources["FilesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert policy["Effect"] == "Deny" and policy["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    jwt = template.jwt_authorizer["JwtConfiguration"]
    assert jwt["issuer"] == {"Ref": "JwtIssuer"} and jwt["audience"] == [{"Ref": "JwtAudience"}]
    for lid, fn in functions.items():
        for event in fn["Properties"].get("Events", {}).values():
            assert event["Type"] in ("S3", "Schedule", "DynamoDB"), lid  # routes come from the route table
        for route in template.functions[lid].routes:
            expected = "documents:read" if route.method in ("GET", "HEAD") else "documents:write"
            if lid.endswith("GetUploadFunction"):  # resuming an upload session hands out write URLs
                expected = "documents:write"
            assert route.scopes == (expected,) and route.authorized, (lid, route)
        for statement in _statements(template, lid):
            assert "*" not in json.dumps(statement["Action"]), lid
            # X-Ray's actions name no resource (the publisher's own role grants them with Tracing Active)
            assert statement["Resource"] != "*" or all(a.startswith("xray:") for a in statement["Action"]), lid


def _takes_body(template, lid: str) -> bool:
    return any(route.method in ("POST", "PUT", "PATCH") for route in template.functions[lid].routes)


def test_template_declares_quotas(template):
    """One caller cannot exhaust the account: every route is throttled by default, and each function
    that takes a body has its own reserved concurrency, which 0 or empty turns off."""
    from folio.local.template import Template

    settings = template.resources["HttpApi"]["Properties"]["DefaultRouteSettings"]
    for limit in ("ThrottlingRateLimit", "ThrottlingBurstLimit"):
        assert settings[limit] == {"Ref": limit}
        assert template.parameters[limit]["Type"] == "Number" and int(template.parameters[limit]["Default"]) > 0
    assert int(template.parameters["ThrottlingBurstLimit"]["Default"]) >= int(
        template.parameters["ThrottlingRateLimit"]["Default"])
    reserved = {"Fn::If": ["ReservesBodyConcurrency", {"Ref": "BodyFunctionReservedConcurrency"},
                           {"Ref": "AWS::NoValue"}]}
    functions = template.of_type("AWS::Serverless::Function")
    with_body = {lid for lid in functions if _takes_body(template, lid)}
    assert len(with_body) >= 11  # creates, updates, uploads (inline and sessions), batches
    assert {lid for lid, fn in functions.items()
            if fn["Properties"].get("ReservedConcurrentExecutions") == reserved} == with_body
    assert all("ReservedConcurrentExecutions" not in fn["Properties"]
               for lid, fn in functions.items() if lid not in with_body)
    assert all("ReservedConcurrentExecutions" not in t.function_globals for t in template.templates)
    deployed = Template(TEMPLATE)
    for value, reserves in (("10", True), ("0", False), ("", False), ("250", True)):
        deployed.parameters["BodyFunctionReservedConcurrency"]["Default"] = value
        for stack in deployed.nested.values():  # each dialect's condition, on what the root passes it
            assert stack.condition("ReservesBodyConcurrency") is reserves, (stack.path.name, value)
    assert int(template.parameters["BodyFunctionReservedConcurrency"]["Default"]) > 0


def test_idempotency_records_and_answers_expire(template):
    """Powertools' idempotency records carry their expiry in ``expiration`` (epoch seconds); the
    answers kept in S3 under ~idempotency/ go after 2 days, every version of them."""
    table = template.resources["DocumentsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    all_rules = template.resources["FilesBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    rules = [rule for rule in all_rules if "AbortIncompleteMultipartUpload" not in rule]
    assert all(rule["Status"] == "Enabled" and rule["Prefix"] == "~idempotency/" for rule in rules)
    expiring = [rule for rule in rules if "ExpirationInDays" in rule]
    assert [rule["ExpirationInDays"] for rule in expiring] == [2]
    assert 1 <= expiring[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 2
    assert any(rule.get("ExpiredObjectDeleteMarker") is True for rule in rules)


def test_local_resources_expire_as_the_template_says(aws):
    """folio local's table and bucket get the template's TTL and lifecycle rules (moto, DynamoDB Local)."""
    ttl = aws["dynamodb"].describe_time_to_live(TableName=aws["table"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}
    rules = aws["s3"].get_bucket_lifecycle_configuration(Bucket=aws["bucket"])["Rules"]
    expiring = next(rule for rule in rules if rule["ID"] == "ExpireIdempotencyAnswers")
    assert expiring["Filter"] == {"Prefix": "~idempotency/"} and expiring["Expiration"] == {"Days": 2}
    assert expiring["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1
    aborting = next(rule for rule in rules if rule["ID"] == "AbortIncompleteUploads")
    assert aborting["Filter"] == {"Prefix": ""} and aborting["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 2}


def test_local_resources_can_be_configured_again(aws, template):
    """An endpoint that outlives folio local keeps its table: enabling TTL again is no error."""
    from folio.local.aws import create_resources

    skipped: list[str] = []
    create_resources(template, aws["dynamodb"], aws["s3"], exist_ok=True, skipped=skipped)
    assert not any("time to live" in note or "lifecycle" in note for note in skipped), skipped


def test_layer_requirements_match_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    listed = [line.strip() for line in (ROOT / "layers/folio/requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert sorted(listed) == sorted(declared)


def test_handlers_stay_thin_and_never_touch_boto3(template):
    for fn in template.functions.values():
        source = (fn.code_uri / "app.py").read_text()
        assert "boto3" not in source and "botocore" not in source, fn.logical_id
        assert len(source.splitlines()) <= 30, fn.logical_id
    imports_aws = re.compile(r"^\s*(import|from)\s+(boto3|botocore)\b", re.M)
    for path in (ROOT / "layers/folio/folio").rglob("*.py"):
        if imports_aws.search(path.read_text()):
            assert path.parent.name == "storage", f"{path} imports boto3 outside folio/storage"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("sam-build")
    out = subprocess.run([str(BIN / "sam"), "build", "--template", str(TEMPLATE), "--build-dir", str(build_dir)],
                         capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return build_dir


def built_function(build_dir: Path, lid: str) -> Path:
    """Where `sam build` puts a resource's artifact: <build>/<lid>, or <build>/<Stack>/<lid> in a nested stack."""
    return build_dir / lid if (build_dir / lid).is_dir() else next(build_dir.glob(f"*/{lid}"))


def test_sam_build_compiles_every_module_for_python_3_13(built, template):
    magic = importlib.util.MAGIC_NUMBER
    assert sys.version_info[:2] == (3, 13)
    for lid in [*template.functions, "FolioLayer"]:
        root = built_function(built, lid)
        sources = [p for p in root.rglob("*.py")]
        assert sources, lid
        missing = []
        for src in sources:
            pyc = src.parent / "__pycache__" / f"{src.stem}.cpython-313.pyc"
            if not pyc.exists():
                missing.append(src)
                continue
            header = pyc.read_bytes()[:8]
            assert header[:4] == magic, pyc
            assert int.from_bytes(header[4:8], "little") & 0b11 == 0b01, f"{pyc} is not unchecked-hash"
        assert not missing, f"{lid}: {len(missing)} of {len(sources)} modules lack .pyc, e.g. {missing[:3]}"
    assert (built / "FolioLayer/python/folio/core/__init__.py").exists()
    assert (built / "FolioLayer/python/pydantic").is_dir() and (built / "FolioLayer/python/jsonpatch.py").exists()
    for lid in template.functions:
        size = sum(p.stat().st_size for p in built_function(built, lid).rglob("*") if p.is_file())
        assert size < 1_000_000, f"{lid} is {size} bytes; dependencies belong in the layer"


def test_the_layer_carries_one_whole_aws_sdk_at_the_versions_the_suite_runs(built):
    """boto3, botocore and s3transfer in the built layer: one copy each, the versions pinned in
    requirements.txt (the ones the suite imports), and boto3's own requirements met by the others."""
    from importlib.metadata import PathDistribution, version

    from packaging.requirements import Requirement

    layer = built / "FolioLayer" / "python"
    pinned = {Requirement(line).name: str(Requirement(line).specifier).removeprefix("==")
              for line in (ROOT / "layers/folio/requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")
              and Requirement(line).name in ("boto3", "botocore", "s3transfer")}
    assert set(pinned) == {"boto3", "botocore", "s3transfer"}
    shipped = {}
    for name in pinned:
        infos = list(layer.glob(f"{name}-*.dist-info"))
        assert len(infos) == 1, f"{name}: {infos}"
        shipped[name] = PathDistribution(infos[0])
        assert shipped[name].version == pinned[name] == version(name), name  # built, pinned, and tested
        assert (layer / name / "__init__.py").exists(), name
    for requirement in map(Requirement, shipped["boto3"].requires or []):
        if requirement.marker is None and requirement.name in shipped:
            assert shipped[requirement.name].version in requirement.specifier, requirement
    for requirement in map(Requirement, shipped["s3transfer"].requires or []):
        if requirement.marker is None and requirement.name == "botocore":
            assert shipped["botocore"].version in requirement.specifier, requirement


def _function_of(event_file: str, template) -> str:
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", lid).lower().removesuffix("_function") + ".json": lid
            for lid in template.functions}[event_file]


def _check_answer(event_file: str, answer: dict) -> None:
    if "statusCode" not in answer:  # an S3 or schedule event: the function's own result
        answer = {"statusCode": 200, "body": json.dumps(answer)}
    assert answer["statusCode"] in (200, 201, 204), answer
    body = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer["body"].encode()
    assert EXPECTED_IN_ANSWER[event_file] in body, body[:300]


#: Sample events run through the `folio invoke` command itself, a process each (about 2.5 s): one per
#: dialect and one of each non-HTTP kind. Every sample event runs in process below, as the command does.
THROUGH_THE_COMMAND = ("crm_put_document_content.json", "kyc_complete_upload.json", "capture_update_attachment.json",
                       "dms_restore_document_version.json", "artu_record_upload.json", "artu_delete_document.json",
                       "sweep_purges.json", "publish_changes.json")


@pytest.mark.parametrize("event_file", THROUGH_THE_COMMAND)
def test_sample_events_succeed_through_folio_invoke(event_file, template, tmp_path):
    out = subprocess.run([str(FOLIO), "--template", str(TEMPLATE), "invoke", _function_of(event_file, template),
                          "--event", str(ROOT / "events" / event_file)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    _check_answer(event_file, json.loads(out.stdout))


@pytest.mark.moto_only(reason="what `folio invoke` does, in process; the engines' own behaviour is the other suites'")
@pytest.mark.parametrize("event_file", sorted(p.name for p in (ROOT / "events").glob("*.json")))
def test_every_sample_event_succeeds_as_folio_invoke_runs_it_and_announces_exactly_its_changes(
        event_file, template, api, aws):
    """What cmd_invoke does (seed, prepare the data the event names, invoke), on a fresh AWS each;
    then the table's stream through the publisher: the change events of this invocation are
    exactly those of ANNOUNCED_BY_SAMPLE (type, subject, version, changed files, tenant, dialect),
    and a function that changes nothing announces nothing."""
    from folio.local.fixtures import prepare, seed

    from ..support.change_events import ANNOUNCED_BY_SAMPLE, Announcements

    function_id = _function_of(event_file, template)
    event = json.loads((ROOT / "events" / event_file).read_text())
    seed()
    prepare(function_id, event)
    announcements = Announcements(aws, template, api.runtime.invoke)
    announcements.drain()  # what the seed and the fixture wrote
    answer = api.runtime.invoke(function_id, event)
    _check_answer(event_file, answer)
    announced = announcements.drain()
    expected = ANNOUNCED_BY_SAMPLE.get(event_file, [])
    got = [(e["type"].removeprefix("folio.document."), e["subject"], e["data"]["version"], sorted(e["data"]["files"]))
           for e in announced]
    assert len(got) == len(expected), got
    for (kind, subject, version, files), seen in zip(expected, got):
        assert (kind, version, files) == (seen[0], seen[2], seen[3]) and re.fullmatch(subject, seen[1]), got
    dialect = event_file.split("_")[0] if event_file != "publish_changes.json" else "crm"
    tenant = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {}).get("tenant")
    for change in announced:
        assert change["source"] == f"folio.{dialect}" and change["data"]["dialect"] == dialect
        assert change["tenant"] == change["data"]["tenant"] == (tenant or change["tenant"])
        assert change["data"]["etag"] == f'"{change["data"]["version"]}"'
    etag = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}.get("etag")
    if etag and len(announced) == 1 and announced[0]["type"] != "folio.document.deleted":
        # the version the answer named; an answer that embeds a list (capture's document and its
        # attachments' links) has an ETag of the version and the list: "<version>.<digest>"
        assert etag in (announced[0]["data"]["etag"], announced[0]["data"]["etag"].rstrip('"') + "." + etag.split(".")[-1])


#: What each sample event's answer must contain (its own data, or the data its fixture prepared).
EXPECTED_IN_ANSWER = {
    "crm_create_document.json": b'"Header": "Quarterly Sales Report',
    "crm_get_document.json": b'"Header": "Quarterly Sales Report',
    "crm_patch_document.json": b'"Header": "Quarterly Sales Report Q4 2024 (final)"',
    "crm_list_documents.json": b'"value": [{"DocumentId": 3, "Header": "Quarterly Sales Report Q4 2024"',
    "crm_delete_document.json": b"",
    "kyc_create_document.json": b'"number": "S1234567A"',
    "kyc_update_document.json": b'"number": "S1234567A"',
    "kyc_get_document.json": b'"number": "E1234567"',
    "kyc_get_document_image.json": b"\x89PNG",
    "kyc_list_documents.json": b'"id": 88, "issueDate": "2019-05-01", "number": "E1234567"',
    "kyc_delete_document.json": b"",
    "capture_create_document.json": b'"name": "ep_53"',
    "capture_add_attachment.json": b'"sourceName": "notes5.txt"',
    "capture_get_attachment.json": b'"stateToken": "',
    "capture_get_attachment_content.json": b"Invoice notes",
    "capture_update_attachment.json": b'"title": "Notes Title"',
    "capture_get_document.json": b'/attachments/b22046ce-2c30-49b3-b734-25f62dea5403", "method": "GET"',
    "capture_list_attachments.json": b'"sourceName": "notes5.txt"',
    "capture_delete_attachment.json": b"",
    "dms_create_document.json": b'"name": "New Document"',
    "dms_upload_document_version.json": b'"version": 3',
    "dms_get_document.json": b'"version": 2',
    "dms_list_document_versions.json": b'"version": 1',
    "dms_get_document_version_file.json": b"floor plan draft",
    "dms_list_documents.json": b'"id": 501, "clientId": 12, "projectId": 34',
    "dms_delete_document.json": b"",
    "dms_restore_document_version.json": b'"version": 3, "fileName": "floor-plan.pdf"',
    "artu_batch_upsert_external.json": b'"externalId": "ine-0002"',
    "artu_get_document.json": b'"status": "pending_upload"',
    "artu_create_upload_url.json": b"/artu-upload\"",
    "artu_record_upload.json": b'"recorded": 1',
    "artu_sweep_batches.json": b'"recovered": 0',
    "artu_delete_document.json": b"",
    "sweep_files.json": b'"complete": true',
    "sweep_purges.json": b'"purged": 0',
    "publish_changes.json": b'{"batchItemFailures": []}',
    "crm_start_upload.json": b'"partCount": 3',
    "crm_get_upload.json": b'"partsReceived": [{"partNumber": 1',
    "crm_abort_upload.json": b"",
    "crm_complete_upload.json": b'"DocumentId": 699',
    "crm_get_document_content.json": b"Quarterly sales, Q4 2024",
    "crm_put_document_content.json": b'"Header": "Quarterly Sales Report Q4 2024"',
    "crm_list_document_versions.json": b'"VersionId": "2"',
    "artu_get_document_file.json": b"sample ine front",
    "artu_start_upload.json": b'"fileName": "ine-front-600dpi.jpg"',
    "artu_get_upload.json": b'"partsReceived": [{"partNumber": 1',
    "artu_abort_upload.json": b"",
    "artu_complete_upload.json": b'"filename": "ine-front-rescan.jpg"',
    "kyc_start_upload.json": b'"partCount": 6',
    "kyc_get_upload.json": b'"partsReceived": [{"partNumber": 1',
    "kyc_abort_upload.json": b"",
    "kyc_complete_upload.json": b'"frontName": "passport-front-rescan.png"',
    "dms_start_upload.json": b'"partCount": 3',
    "dms_get_upload.json": b'"partsReceived": [{"partNumber": 1',
    "dms_abort_upload.json": b"",
    "dms_complete_upload.json": b'"fileName": "floor-plan-rev-b.pdf"',
    "capture_start_upload.json": b'"fileName": "notes-scan.txt"',
    "capture_get_upload.json": b'"partsReceived": [{"partNumber": 1',
    "capture_abort_upload.json": b"",
    "capture_complete_upload.json": b'"sourceName": "notes-scan.txt"',
}


def test_every_function_has_a_sample_event(template):
    names = {p.stem for p in (ROOT / "events").glob("*.json")}
    for lid in template.functions:
        assert re.sub(r"(?<!^)(?=[A-Z])", "_", lid).lower().removesuffix("_function") in names, lid


def _refs(value) -> set[str]:
    """The logical ids a template value refers to (!Ref, !GetAtt), at any depth."""
    if isinstance(value, dict):
        found = set()
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            else:
                found |= _refs(inner)
        return found
    if isinstance(value, list):
        return set().union(*(_refs(v) for v in value)) if value else set()
    return set()


def _alarm_metrics(alarm: dict) -> list[tuple[str, str, set[str]]]:
    """(namespace, metric name, logical ids its dimensions name) of each metric an alarm watches."""
    props = alarm["Properties"]
    if "MetricName" in props:
        return [(props["Namespace"], props["MetricName"], _refs(props.get("Dimensions", [])))]
    return [(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"],
             _refs(m["MetricStat"]["Metric"].get("Dimensions", []))) for m in props["Metrics"] if "MetricStat" in m]


def _function_alarm_queries(template) -> dict[str, str]:
    """The Metrics Insights query of each alarm that watches the functions, by the Lambda metric it sums."""
    out = {}
    for alarm in template.of_type("AWS::CloudWatch::Alarm").values():
        for metric in alarm["Properties"].get("Metrics", ()):
            query = metric.get("Expression")
            query = query.get("Fn::Sub") if isinstance(query, dict) else query
            found = re.fullmatch(r'SELECT SUM\((\w+)\) FROM SCHEMA\("AWS/Lambda", FunctionName\) '
                                 r"WHERE tag\.FolioStack = '\$\{AWS::StackName\}' GROUP BY FunctionName", query or "")
            if found:
                out[found.group(1)] = query
    return out


def test_every_function_and_every_queue_has_an_alarm_that_notifies(template):
    """A function or a queue added without its alarm fails here (README: "Runbook"). The functions'
    errors and throttles: one Metrics Insights alarm each, over every function tagged with the root
    stack's name, grouped by function (each function a contributor the alarm names)."""
    alarms = template.of_type("AWS::CloudWatch::Alarm")
    watched = [metric for alarm in alarms.values() for metric in _alarm_metrics(alarm)]
    assert set(_function_alarm_queries(template)) == {"Errors", "Throttles"}
    for stack in template.templates:
        tag = stack.function_globals["Tags"]["FolioStack"]
        assert stack.resolve(tag) == template.resolve({"Ref": "AWS::StackName"}), stack.path.name
        for lid, fn in stack.own_resources.items():
            if fn["Type"] == "AWS::Serverless::Function":
                assert "Tags" not in fn["Properties"], f"{lid} sets Tags of its own: Globals' FolioStack would go"
    for lid in template.of_type("AWS::SQS::Queue"):
        assert any(ns == "AWS/SQS" and lid in refs for ns, _, refs in watched), f"no alarm watches queue {lid}"
    for metric in [("AWS/ApiGateway", "5xx"), ("AWS/ApiGateway", "Latency"), ("AWS/DynamoDB", "WriteThrottleEvents"),
                   ("AWS/DynamoDB", "ReadThrottleEvents"), ("AWS/DynamoDB", "SystemErrors"),
                   ("AWS/Lambda", "IteratorAge"), ("folio", "OldestUnfinishedBatchSeconds")]:
        assert any((ns, name) == metric for ns, name, _ in watched), f"no alarm on {metric}"
    for lid, alarm in alarms.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], lid
        assert props.get("TreatMissingData") == "notBreaching", lid
        threshold = props["Threshold"]
        assert isinstance(threshold, dict) and threshold["Ref"] in template.parameters or lid == "ExampleCreatedEventsAlarm", lid
        assert "Runbook: " in props["AlarmDescription"], lid
    subscription = template.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_every_alarm_has_its_runbook_entry():
    readme = (ROOT / "README.md").read_text()
    runbook = readme[readme.index("## Runbook"):]
    for alarm in re.findall(r"\(Runbook: (\w+)\)", (ROOT / "template.yaml").read_text()):
        assert f"### {alarm}" in runbook, alarm


def test_the_dashboard_shows_the_metrics_folio_emits(template):
    body = template.resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body.replace("${", "{"))["widgets"]  # the substitutions do not matter here
    text = json.dumps(widgets)
    for metric in ("Requests", "Conflicts", "PreconditionFailed", "LostRaceRetries", "ChangeEventsPublished",
                   "OldestUnfinishedBatchSeconds", "Latency", "Errors", "Throttles", "Duration"):
        assert metric in text, metric
    emitted = set(re.findall(r'add_metric\(name="(\w+)"', "".join(
        p.read_text() for p in [*(ROOT / "layers/folio/folio").rglob("*.py"), *(ROOT / "functions").rglob("app.py")])))
    assert {"Requests", "Conflicts", "PreconditionFailed", "LostRaceRetries", "ChangeEventsPublished",
            "OldestUnfinishedBatchSeconds", "ServerErrors"} <= emitted
    assert "ServerErrors" in text


def _transformed(path: Path) -> dict:
    from folio.local.stack import transformed

    return transformed(path)


def test_the_stacks_leave_room_to_grow(template, monkeypatch):
    """Issue 26: once SAM has transformed them, no stack holds more than 300 resources, the whole
    deployment at most 5.5 per function, and one more HTTP function (a GET and a HEAD route) costs
    at most 5: room for 40 functions more in the largest stack."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    counts = {stack.path.name: len(_transformed(stack.path)["Resources"]) for stack in template.templates}
    functions = len(template.functions)
    total = sum(counts.values())
    print(f"\nresources after the SAM transform: {counts}; {total} for {functions} functions "
          f"({total / functions:.2f} each)")
    assert max(counts.values()) <= 300, counts
    assert total <= 5.5 * functions, (total, functions)
    # one more function in a dialect's stack, routed GET and HEAD: what it adds to every stack
    from folio.local import stack as generator

    def grown(root: Path) -> Path:
        import shutil

        copy = root / "grown"
        shutil.copytree(ROOT / "stacks", copy / "stacks")
        shutil.copy(TEMPLATE, copy / "template.yaml")
        table = copy / "stacks" / "routes.yaml"
        table.write_text(table.read_text().replace("  kyc:\n", "  kyc:\n    KycGetDocumentSummary:\n"
            '      description: "kyc: a further operation"\n      routes:\n'
            "        - GET /api/customer/{customerId}/summary\n        - HEAD /api/customer/{customerId}/summary\n"
            "      rights:\n        - {action: [dynamodb:GetItem], resource: table}\n", 1))
        for path, text in generator.render(copy).items():
            path.write_text(text)
        return copy

    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        copy = grown(Path(scratch))
        after = {p.name: len(_transformed(p)["Resources"])
                 for p in [copy / "template.yaml", *sorted((copy / "stacks").glob("[!r]*.yaml"))]}
    assert sum(after.values()) - total <= 5, (after, counts)
    largest = max(counts.values())
    assert largest + 40 * (sum(after.values()) - total) <= 500, "40 more functions would not fit one stack"


def test_what_sam_makes_is_alarmed_and_tagged(template, monkeypatch):
    """A queue SAM generates (a destination, say) needs its alarm; every function it makes carries the
    FolioStack tag the function alarms select by."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for stack in template.templates:
        resources = _transformed(stack.path)["Resources"]
        watched = {ref for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"
                   for _, _, refs in _alarm_metrics(r) for ref in refs}
        for lid, resource in resources.items():
            if resource["Type"] == "AWS::SQS::Queue":
                assert lid in watched, f"{lid} (a queue, in the transformed {stack.path.name}) has no alarm"
            if resource["Type"] == "AWS::Lambda::Function":
                tags = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
                assert tags["FolioStack"] in ({"Ref": "AWS::StackName"}, {"Ref": "StackName"}), lid


def test_the_templates_are_what_the_route_table_makes():
    """template.yaml's routes and stacks/<dialect>.yaml are written by `make template` from
    stacks/routes.yaml: edited by hand, or left behind after a change of the table, they fail here."""
    from folio.local.stack import differences

    assert differences(ROOT) == [], "run `make template`"


def test_templates_stay_readable():
    """Issue 26: all templates together at most 2,600 lines (4,359 before the route table, 2,413 after)."""
    lines = {p.name: len(p.read_text().splitlines()) for p in [TEMPLATE, *sorted((ROOT / "stacks").glob("*.yaml"))]}
    templates = sum(n for name, n in lines.items() if name != "routes.yaml")
    print(f"\ntemplate lines: {lines}; {templates} in templates, {sum(lines.values())} with the route table")
    assert templates <= 2600, lines


def test_the_openapi_document_has_every_route(template):
    """Every route of the API, HEAD included, is an operation of the OpenAPI document folio serves."""
    from folio.local.openapi import build_openapi

    doc = build_openapi(template)
    operations = {f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in item}
    assert operations == {route.route_key for route in template.routes}
    assert len(operations) == len(template.routes)


def test_what_holds_data_stays_in_the_root_stack(template):
    """A deployed stack upgrades in place: the table, the bucket and the bus keep their logical ids in
    the root stack (moved into a nested stack, CloudFormation would create new ones and delete these)."""
    for lid, kind in (("DocumentsTable", "AWS::DynamoDB::Table"), ("FilesBucket", "AWS::S3::Bucket"),
                      ("ChangeEventsBus", "AWS::Events::EventBus")):
        assert template.own_resources[lid]["Type"] == kind, lid
    for stack in template.nested.values():
        kinds = {r["Type"] for r in stack.own_resources.values()}
        assert kinds <= {"AWS::Serverless::Function", "AWS::IAM::ManagedPolicy"}, (stack.path.name, kinds)
