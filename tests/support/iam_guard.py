"""IAM, proven by the suite (issue 27, item 1): every AWS call a function makes while the suite runs it
is checked against that function's policy, as IAM would check it on AWS.

A function runs under its logical id whenever :class:`folio.local.runtime.FunctionRuntime` invokes it
(the in-process API of the integration tests, the sample events of tests/infra, the S3 and stream
deliveries of the embedded AWS, ``folio invoke``): :func:`install` wraps ``invoke`` to set a context
variable for the length of the call, and makes the thread pools folio reads shards with carry it. A
botocore ``before-parameter-build`` hook on every client folio makes turns each call into the IAM
requests it is authorized as (its actions, each with the resource ARN it acts on: the table, an index
``table/<name>/index/<index>``, the bucket for a list, ``bucket/key`` for an object, the event bus,
the secret) and evaluates them against the function's Allow statements in the SAM-transformed
template (its role's inline policies and the stack's managed policies it attaches), their intrinsics
resolved to the names the test's AWS uses and their wildcards matched as IAM matches them.

A call the policy would deny fails the test that made it (its call phase, or the setup or teardown
that ran the function), naming the function, the action and the ARN. Calls made outside any
function (a test seeding its data, the embedded AWS creating resources) are not checked. Each
function's granted actions that no call used are counted, and the session's terminal summary lists
them (tests/infra/test_security.py says why each may stay unexercised: RARE_PATHS).
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: The account the embedded AWS (moto) reports; every ARN of the test's resources is in it.
ACCOUNT = "123456789012"
#: AWS managed policies SAM attaches (logs, X-Ray): folio's code calls neither service.
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"

#: The function whose code is running in this context: (policy, logical id), or None.
_running: contextvars.ContextVar[Policy | None] = contextvars.ContextVar("folio_iam_function", default=None)
#: The key a presigned POST is being signed for (botocore signs it as a CreateBucket of the bucket).
_presigning_post: contextvars.ContextVar[str | None] = contextvars.ContextVar("folio_presign_post", default=None)


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _pattern(resource: str) -> re.Pattern[str]:
    """An IAM resource pattern: ``*`` matches any run of characters (``/`` and ``:`` included), ``?`` one."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in resource), re.S)


# ------------------------------------------------------------------ what a call is authorized as

def _table(name: str) -> str:
    return f"arn:aws:dynamodb:{_region()}:{ACCOUNT}:table/{name}"


def _object(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def iam_actions(service: str, operation: str, params: dict) -> set[str]:
    """The IAM actions of one call, without their resources (tests/infra's figures use them)."""
    return {action for action, _ in iam_requests(service, operation, params)}


def iam_requests(service: str, operation: str, params: dict, context: dict | None = None) -> list[tuple[str, str]]:
    """What IAM authorizes one call as: (action, resource ARN) pairs, every one of which must be allowed."""
    p = params
    if service == "dynamodb":
        dynamo = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
        if operation == "TransactWriteItems":
            return [(f"dynamodb:{dynamo[kind]}", _table(body["TableName"]))
                    for item in p["TransactItems"] for kind, body in item.items()]
        if operation == "TransactGetItems":  # IAM authorizes each of its Gets as a GetItem
            return [("dynamodb:GetItem", _table(item["Get"]["TableName"])) for item in p["TransactItems"]]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", _table(name)) for name in p["RequestItems"]]
        if operation in ("Query", "Scan") and p.get("IndexName"):
            return [(f"dynamodb:{operation}", f"{_table(p['TableName'])}/index/{p['IndexName']}")]
        if "TableName" in p:
            return [(f"dynamodb:{operation}", _table(p["TableName"]))]
        return [(f"dynamodb:{operation}", "*")]
    if service == "s3":
        bucket = p.get("Bucket", "")
        if operation == "CreateBucket" and (context or {}).get("is_presign_request"):
            # a presigned POST (botocore signs it as if for CreateBucket): its holder PUTs this key
            return [("s3:PutObject", _object(bucket, _presigning_post.get() or "*"))]
        versioned = bool(p.get("VersionId"))
        objects = {"GetObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
                   "HeadObject": "s3:GetObjectVersion" if versioned else "s3:GetObject",
                   "DeleteObject": "s3:DeleteObjectVersion" if versioned else "s3:DeleteObject",
                   "PutObject": "s3:PutObject", "CreateMultipartUpload": "s3:PutObject",
                   "UploadPart": "s3:PutObject", "CompleteMultipartUpload": "s3:PutObject",
                   "AbortMultipartUpload": "s3:AbortMultipartUpload", "ListParts": "s3:ListMultipartUploadParts",
                   "GetObjectAttributes": "s3:GetObjectVersionAttributes" if versioned else "s3:GetObjectAttributes",
                   "GetObjectTagging": "s3:GetObjectVersionTagging" if versioned else "s3:GetObjectTagging",
                   "PutObjectTagging": "s3:PutObjectVersionTagging" if versioned else "s3:PutObjectTagging"}
        if operation in objects:
            return [(objects[operation], _object(bucket, p.get("Key", "")))]
        if operation == "DeleteObjects":  # authorized per object, as DeleteObject(Version) of each key
            return [("s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject", _object(bucket, o["Key"]))
                    for o in p["Delete"]["Objects"]]
        if operation == "CopyObject":
            source = p["CopySource"] if isinstance(p["CopySource"], str) else f"{p['CopySource']['Bucket']}/{p['CopySource']['Key']}"
            return [("s3:PutObject", _object(bucket, p["Key"])), ("s3:GetObject", f"arn:aws:s3:::{source.lstrip('/')}")]
        buckets = {"ListObjectVersions": "s3:ListBucketVersions", "ListObjectsV2": "s3:ListBucket",
                   "ListObjects": "s3:ListBucket", "HeadBucket": "s3:ListBucket",
                   "ListMultipartUploads": "s3:ListBucketMultipartUploads"}
        return [(buckets.get(operation, f"s3:{operation}"), f"arn:aws:s3:::{bucket}")]
    if service == "events":
        if operation == "PutEvents":
            buses = {entry.get("EventBusName") or "default" for entry in p["Entries"]}
            return [("events:PutEvents", bus if bus.startswith("arn:") else
                     f"arn:aws:events:{_region()}:{ACCOUNT}:event-bus/{bus}") for bus in sorted(buses)]
        return [(f"events:{operation}", "*")]
    if service == "secretsmanager":
        secret = p.get("SecretId", "")
        return [(f"secretsmanager:{operation}", secret if secret.startswith("arn:") else
                 f"arn:aws:secretsmanager:{_region()}:{ACCOUNT}:secret:{secret}")]
    return [(f"{service}:{operation}", "*")]


# ------------------------------------------------------------------ a function's policy, resolved

@dataclass
class Statement:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    where: str  # the policy it belongs to, for messages
    _actions: list[re.Pattern[str]] = field(default_factory=list, repr=False)
    _resources: list[re.Pattern[str]] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._actions = [re.compile(_pattern(a.lower()).pattern) for a in self.actions]
        self._resources = [_pattern(r) for r in self.resources]

    def grants(self, action: str, resource: str) -> list[str]:
        """The statement's actions that allow this request (empty: it does not)."""
        if not any(r.fullmatch(resource) for r in self._resources):
            return []
        return [a for a, pattern in zip(self.actions, self._actions) if pattern.fullmatch(action.lower())]


class Policy:
    """A function's Allow statements in the SAM-transformed template; what its calls used of them."""

    def __init__(self, logical_id: str, statements: list[Statement]):
        self.logical_id = logical_id
        self.statements = statements
        self.granted = {a for s in statements for a in s.actions}
        self.used: set[str] = set()  # granted actions some allowed call needed
        self.lock = threading.Lock()

    def check(self, action: str, resource: str) -> bool:
        for statement in self.statements:
            allowing = statement.grants(action, resource)
            if allowing:
                with self.lock:
                    self.used.update(allowing)
                return True
        return False


class Resolver:
    """Intrinsics of a transformed stack, resolved to the names and ARNs of the test's AWS (the names
    ``folio.local.template.Template.resolve`` gives the functions' environments)."""

    def __init__(self, stack, transformed: dict, transformed_of):
        self.stack = stack  # folio.local.template.Template: parameters, parent, conditions, names
        self.data = transformed
        self.transformed_of = transformed_of

    def _parent(self) -> Resolver:
        return Resolver(self.stack.parent, self.transformed_of(self.stack.parent), self.transformed_of)

    def _type(self, lid: str) -> str | None:
        return (self.data["Resources"].get(lid) or self.stack.own_resources.get(lid) or {}).get("Type")

    def ref(self, name: str) -> Any:
        if name in self.stack.arguments and self.stack.parent is not None:
            return self._parent().value(self.stack.arguments[name])
        pseudo = {"AWS::Region": _region(), "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws",
                  "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None}
        if name in pseudo:
            return pseudo[name]
        kind = self._type(name)
        if kind == "AWS::SecretsManager::Secret":  # a secret's Ref is its ARN
            return f"arn:aws:secretsmanager:{_region()}:{ACCOUNT}:secret:{self.stack.resolve({'Ref': name})}"
        if kind == "AWS::IAM::ManagedPolicy":
            return {"ManagedPolicy": name, "Stack": self}
        return self.stack.resolve({"Ref": name})

    def attribute(self, lid: str, attr: str) -> Any:
        if attr.startswith("Outputs.") and lid in self.stack.nested:
            child = self.stack.nested[lid]
            child_resolver = Resolver(child, self.transformed_of(child), self.transformed_of)
            return child_resolver.value(child_resolver.data["Outputs"][attr[8:]]["Value"])
        name = self.stack.resolve({"Ref": lid})
        kind = self._type(lid)
        region = _region()
        if kind == "AWS::DynamoDB::Table":
            return f"{_table(name)}/stream/*" if attr == "StreamArn" else _table(name)
        if kind == "AWS::S3::Bucket":
            return f"arn:aws:s3:::{name}"
        if kind == "AWS::Events::EventBus":
            return f"arn:aws:events:{region}:{ACCOUNT}:event-bus/{name}"
        if kind == "AWS::SQS::Queue":
            return f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*"
        if kind == "AWS::SecretsManager::Secret":
            return self.ref(lid)
        return f"arn:aws:{(kind or 'unknown').split('::')[1].lower()}:{region}:{ACCOUNT}:{name}"

    def value(self, expression: Any) -> Any:
        if isinstance(expression, list):
            return [self.value(e) for e in expression]
        if not isinstance(expression, dict):
            return expression
        if len(expression) != 1 or not next(iter(expression)).startswith(("Ref", "Fn::")):
            return {key: self.value(item) for key, item in expression.items()}
        for lid, resource in self.stack.own_resources.items():  # a name computed from the stack id
            props = resource.get("Properties") or {}
            if expression in (props.get("BucketName"), props.get("TableName")):
                return self.stack.resolve({"Ref": lid})
        (fn, arg), = expression.items()
        if fn == "Ref":
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            lid, attr = arg if isinstance(arg, list) else arg.split(".", 1)
            return self.attribute(lid, attr)
        if fn == "Fn::Sub":
            text, names = (arg, {}) if isinstance(arg, str) else arg

            def one(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in names:
                    return str(self.value(names[name]))
                if "." in name and not name.startswith("AWS::"):
                    return str(self.attribute(*name.split(".", 1)))
                return str(self.ref(name))
            return re.sub(r"\$\{([^}!]+)\}", one, text)
        if fn == "Fn::Join":
            return arg[0].join(str(self.value(a)) for a in arg[1])
        if fn == "Fn::If":
            name, when_true, when_false = arg
            return self.value(when_true if self.stack.condition(name) else when_false)
        return expression


def _statements(document: dict, resolver: Resolver, where: str) -> list[Statement]:
    out = []
    for raw in resolver.value(document.get("Statement") or []):
        if raw is None or raw.get("Effect") != "Allow":
            continue
        assert "Condition" not in raw and "NotAction" not in raw and "NotResource" not in raw, \
            f"{where}: the IAM guard evaluates Action and Resource only; teach it {sorted(raw)}"
        actions = raw["Action"] if isinstance(raw["Action"], list) else [raw["Action"]]
        resources = raw["Resource"] if isinstance(raw["Resource"], list) else [raw["Resource"]]
        out.append(Statement(tuple(actions), tuple(str(r) for r in resources), where))
    return out


class Policies:
    """Every function's policy in one template (nested stacks included), transformed when first needed."""

    def __init__(self, template):
        self.template = template
        self._transformed: dict[Path, dict] = {}
        self._policies: dict[str, Policy] = {}
        self._lock = threading.RLock()

    def transformed_of(self, stack) -> dict:
        with self._lock:
            if stack.path not in self._transformed:
                from folio.local.stack import transformed

                unset = "AWS_DEFAULT_REGION" not in os.environ  # samtranslator asks for one
                if unset:
                    os.environ["AWS_DEFAULT_REGION"] = _region()
                try:
                    self._transformed[stack.path] = transformed(stack.path)
                finally:
                    if unset:
                        os.environ.pop("AWS_DEFAULT_REGION", None)
            return self._transformed[stack.path]

    def of(self, logical_id: str) -> Policy:
        found = self._policies.get(logical_id)
        if found is not None:
            return found
        with self._lock:
            if logical_id not in self._policies:
                self._policies[logical_id] = self._build(logical_id)
            return self._policies[logical_id]

    def _build(self, logical_id: str) -> Policy:
        stack = self.template.owner(logical_id)
        resolver = Resolver(stack, self.transformed_of(stack), self.transformed_of)
        resources = resolver.data["Resources"]
        role_id = resources[logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = resources[role_id]["Properties"]
        statements = []
        for policy in role.get("Policies") or []:
            statements += _statements(policy["PolicyDocument"], resolver, f"{role_id}.{policy['PolicyName']}")
        for arn in role.get("ManagedPolicyArns") or []:
            managed = resolver.value(arn)
            if isinstance(managed, str) and managed.startswith(AWS_MANAGED_PREFIX):
                continue  # SAM's logs and X-Ray policies: no folio code calls them
            assert isinstance(managed, dict), f"{logical_id}: a managed policy the guard cannot read: {managed}"
            owner: Resolver = managed["Stack"]
            document = owner.data["Resources"][managed["ManagedPolicy"]]["Properties"]["PolicyDocument"]
            statements += _statements(document, owner, managed["ManagedPolicy"])
        return Policy(logical_id, statements)


# ------------------------------------------------------------------ the guard

@dataclass
class Denial:
    function: str
    action: str
    resource: str
    operation: str

    def __str__(self) -> str:
        return f"{self.function} calls {self.operation}: {self.action} on {self.resource}, which its policy denies"


class Guard:
    def __init__(self):
        self._policies: dict[Path, Policies] = {}
        self._lock = threading.Lock()
        self.denials: list[Denial] = []  # since the current test phase began
        self.policies_seen: dict[str, Policy] = {}  # every function that ran, for the report
        self.runs: dict[str, int] = {}
        self.enabled = os.environ.get("FOLIO_IAM_GUARD", "1") != "0"

    def policies(self, template) -> Policies:
        with self._lock:
            if template.path not in self._policies:
                self._policies[template.path] = Policies(template)
            return self._policies[template.path]

    def enter(self, template, function_id: str):
        policy = self.policies(template).of(function_id)
        with self._lock:
            self.policies_seen.setdefault(function_id, policy)
            self.runs[function_id] = self.runs.get(function_id, 0) + 1
        return _running.set(policy)

    def hook(self, params, model, context=None, **_):
        policy = _running.get()
        if policy is None or not self.enabled:
            return
        service = model.service_model.service_name
        for action, resource in iam_requests(service, model.name, params, context):
            if not policy.check(action, resource):
                with self._lock:
                    self.denials.append(Denial(policy.logical_id, action, resource, f"{service}.{model.name}"))

    def take_denials(self) -> list[Denial]:
        with self._lock:
            out, self.denials = self.denials, []
        return out

    def unexercised(self, template=None) -> dict[str, list[str]]:
        """Per function that ran: the granted actions none of its calls used."""
        return {lid: sorted(p.granted - p.used) for lid, p in sorted(self.policies_seen.items()) if p.granted - p.used}


GUARD = Guard()
_installed = False


def running_function() -> str | None:
    policy = _running.get()
    return policy.logical_id if policy else None


def install() -> None:
    """Wrap FunctionRuntime.invoke, folio's clients and its thread pools (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    import concurrent.futures

    from folio.local.runtime import FunctionRuntime
    from folio.storage import clients
    from folio.storage.files import FileStore

    invoke = FunctionRuntime.invoke

    @functools.wraps(invoke)
    def invoke_as(self, function_id, event):
        token = GUARD.enter(self.template, function_id)
        try:
            return invoke(self, function_id, event)
        finally:
            _running.reset(token)

    FunctionRuntime.invoke = invoke_as

    new_session = clients.new_session

    @functools.wraps(new_session)
    def guarded_session():
        session = new_session()
        session._session.register("before-parameter-build", GUARD.hook)
        return session

    clients.new_session = guarded_session

    presign_post = FileStore.presign_post

    @functools.wraps(presign_post)
    def presign_post_of(self, key, *args, **kwargs):
        token = _presigning_post.set(key)
        try:
            return presign_post(self, key, *args, **kwargs)
        finally:
            _presigning_post.reset(token)

    FileStore.presign_post = presign_post_of

    submit = concurrent.futures.ThreadPoolExecutor.submit

    @functools.wraps(submit)
    def submit_in_context(self, fn, /, *args, **kwargs):
        if _running.get() is None:
            return submit(self, fn, *args, **kwargs)
        return submit(self, contextvars.copy_context().run, fn, *args, **kwargs)

    concurrent.futures.ThreadPoolExecutor.submit = submit_in_context


def report_lines(unexercised: dict[str, list[str]], runs: dict[str, int]) -> list[str]:
    if not runs:
        return []
    lines = [f"IAM guard: {len(runs)} functions ran ({sum(runs.values())} invocations); every AWS call they made "
             "was checked against its policy."]
    if unexercised:
        lines.append("Granted actions no call of this session used (tests/infra/test_security.py RARE_PATHS says why):")
        lines += [f"  {lid}: {', '.join(actions)}" for lid, actions in unexercised.items()]
    return lines


def dumps() -> str:
    return json.dumps({"unexercised": {lid: sorted(p.granted - p.used) for lid, p in GUARD.policies_seen.items()},
                       "granted": {lid: sorted(p.granted) for lid, p in GUARD.policies_seen.items()},
                       "runs": GUARD.runs})


# ------------------------------------------------------------------ the pytest plugin

class Plugin:
    """Registered by tests/conftest.py: a denied call fails the phase (setup, call, teardown) of the
    test that made it; the terminal summary reports what no call used. Under xdist each worker sends
    its figures to the controller, which merges them."""

    def __init__(self, config):
        self.config = config
        self.merged: dict[str, Any] = {"used": {}, "granted": {}, "runs": {}}

    def _phase(self, item, phase):
        GUARD.take_denials()  # anything left from outside a test (a session fixture's setup) is not this one's
        result = yield
        denied = GUARD.take_denials()
        if denied:
            unique = list(dict.fromkeys(str(d) for d in denied))
            raise AssertionError(f"IAM would deny {len(unique)} call(s) made during {phase}:\n  " + "\n  ".join(unique))
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item):
        return (yield from self._phase(item, "setup"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        return (yield from self._phase(item, "the test"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        return (yield from self._phase(item, "teardown"))

    def _figures(self) -> dict[str, Any]:
        return {"used": {lid: sorted(p.used) for lid, p in GUARD.policies_seen.items()},
                "granted": {lid: sorted(p.granted) for lid, p in GUARD.policies_seen.items()},
                "runs": dict(GUARD.runs)}

    def _merge(self, figures: dict[str, Any]) -> None:
        for lid, actions in figures["used"].items():
            self.merged["used"].setdefault(lid, set()).update(actions)
        for lid, actions in figures["granted"].items():
            self.merged["granted"][lid] = set(actions)
        for lid, count in figures["runs"].items():
            self.merged["runs"][lid] = self.merged["runs"].get(lid, 0) + count

    def pytest_sessionfinish(self, session):
        if hasattr(self.config, "workeroutput"):  # an xdist worker: hand the figures to the controller
            self.config.workeroutput["folio_iam_guard"] = json.dumps(self._figures())
        else:
            self._merge(self._figures())

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        figures = getattr(node, "workeroutput", {}).get("folio_iam_guard")
        if figures:
            self._merge(json.loads(figures))

    def unexercised(self) -> dict[str, list[str]]:
        return {lid: sorted(granted - self.merged["used"].get(lid, set()))
                for lid, granted in sorted(self.merged["granted"].items())
                if granted - self.merged["used"].get(lid, set())}

    def pytest_terminal_summary(self, terminalreporter):
        lines = report_lines(self.unexercised(), self.merged["runs"])
        if lines:
            terminalreporter.section("IAM: granted, never exercised")
            for line in lines:
                terminalreporter.write_line(line)
