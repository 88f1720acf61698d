"""The templates written from the route table (stacks/routes.yaml): `make template`, `folio template`.

What a route is, is said once, in the table: its method and path, the function that serves it, the
scope it needs and what that function may do. From it come the HTTP API's routes (the OpenAPI
``DefinitionBody`` of template.yaml's HttpApi, between its GENERATED markers) and one nested stack
per dialect (stacks/<dialect>.yaml) holding that dialect's functions: a function, its version, its
alias and its role, four resources each. The API invokes the functions with one role
(ApiInvokeRole), which each dialect's stack grants its own functions' aliases, so a function needs
no Lambda permission per route; their errors and throttles are watched by two Metrics Insights
alarms grouped by function (the FolioStack tag). The table is the input; the templates are
committed, and ``check`` says where they differ from what the table makes.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BEGIN = "# BEGIN GENERATED from stacks/routes.yaml by `make template`: edit the table, not these lines"
END = "# END GENERATED"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")
AUTHORIZER = "JwtAuthorizer"

#: what every dialect's stack is given by the root stack (parameter: the root's value)
STACK_PARAMETERS = {
    "StackName": "!Ref AWS::StackName",
    "ListCursorSecret": "!Ref ListCursorSecret",
    "DocumentsTable": "!Ref DocumentsTable",
    "DocumentsTableArn": "!GetAtt DocumentsTable.Arn",
    "FilesBucket": "!Ref FilesBucket",
    "FilesBucketArn": "!GetAtt FilesBucket.Arn",
    "FolioLayer": "!Ref FolioLayer",
    "FunctionLogs": "!Ref FunctionLogs",
    "ApiInvokeRole": "!Ref ApiInvokeRole",
    "Architecture": "!Ref Architecture",
    "Tracing": "!Ref Tracing",
    "SnapStart": "!Ref SnapStart",
    "BodyFunctionReservedConcurrency": "!Ref BodyFunctionReservedConcurrency",
    "KycMaxUploadBytes": "!Ref KycMaxUploadBytes",
    "DmsMaxUploadBytes": "!Ref DmsMaxUploadBytes",
    "CaptureMaxUploadBytes": "!Ref CaptureMaxUploadBytes",
    "CrmMaxUploadBytes": "!Ref CrmMaxUploadBytes",
    "ArtuMaxUploadBytes": "!Ref ArtuMaxUploadBytes",
}


@dataclass(frozen=True)
class Right:
    actions: tuple[str, ...]
    on: str
    why: str = ""

    def resource(self) -> str:
        """The statement's Resource in a dialect's stack (its parameters name the table and bucket)."""
        if self.on == "cursor-secret":  # the secret that seals list cursors (its Ref is its ARN)
            return "!Ref ListCursorSecret"
        head, _, rest = self.on.partition("/")
        arn = {"table": "DocumentsTableArn", "bucket": "FilesBucketArn"}[head]
        return f'!Sub "${{{arn}}}/{rest}"' if rest else f"!Ref {arn}"


@dataclass(frozen=True)
class RouteEntry:
    method: str
    path: str
    scope: str


@dataclass(frozen=True)
class Operation:
    """One HTTP function of the table."""

    dialect: str
    name: str  # e.g. KycCreateDocument; the function's logical id is name + "Function"
    description: str
    routes: tuple[RouteEntry, ...]
    idempotent: bool
    rights: tuple[Right, ...]

    @property
    def logical_id(self) -> str:
        return self.name + "Function"

    @property
    def code_dir(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()

    @property
    def takes_body(self) -> bool:
        return any(r.method in BODY_METHODS for r in self.routes)


def _read_table(path: Path) -> list[Operation]:
    """The table, parsed; comments after a right are kept as its reason (they are the table's)."""
    text = path.read_text()
    data = yaml.safe_load(text)
    operations = []
    for dialect, functions in data["dialects"].items():
        for name, spec in functions.items():
            routes = []
            for route in spec["routes"]:
                method, route_path = route.split(" ", 1)
                default = "documents:write" if method in WRITE_METHODS else "documents:read"
                routes.append(RouteEntry(method, route_path, spec.get("scope", default)))
            rights = []
            reasons = _reasons(text, name)
            if len(reasons) != len(spec.get("rights", ())):
                raise SystemExit(f"stacks/routes.yaml, {name}: write each right on one line as "
                                 "`- {action: [...], resource: ...}  # why`")
            for why, right in zip(reasons, spec.get("rights", ()), strict=True):
                rights.append(Right(tuple(right["action"]), right["resource"], why))
            operations.append(Operation(dialect, name, spec["description"], tuple(routes),
                                        bool(spec.get("idempotent")), tuple(rights)))
    return operations


def _reasons(text: str, name: str) -> list[str]:
    """The comment after each of a function's rights ("" where there is none), in their order."""
    found = re.search(rf"^    {re.escape(name)}:[ ]*(#.*)?$", text, re.M)
    block = text[found.end() + 1:]
    following = re.search(r"\n    \w+:\n|\n  \w+:\n", block)
    block = block[:following.start()] if following else block
    return [why for _, why in re.findall(r"^\s+- (\{action: .*?\})(?:\s+# (.*))?$", block, re.M)]


def _quote(value: str) -> str:
    return json.dumps(value)


def _dialect_stack(dialect: str, operations: list[Operation]) -> str:
    title = dialect.capitalize()
    lines = [
        "# Generated by `make template` from stacks/routes.yaml: edit the table, not this file.",
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        f'Description: "folio {dialect}: the dialect\'s HTTP functions; template.yaml routes the API to them"',
        "",
        "Parameters:",
        *[f"  {name}: {{Type: String}}" for name in STACK_PARAMETERS],
        "",
        "Conditions:",
        '  UseSnapStart: !Equals [!Ref SnapStart, "true"]',
        '  ReservesBodyConcurrency: !Not [!Or [!Equals [!Ref BodyFunctionReservedConcurrency, ""],',
        '                                      !Equals [!Ref BodyFunctionReservedConcurrency, "0"]]]',
        "  TracingOn: !Equals [!Ref Tracing, Active]",
        "",
        "Globals:",
        "  Function:",
        "    Runtime: python3.13",
        "    Architectures: [!Ref Architecture]",
        "    Handler: app.lambda_handler",
        "    MemorySize: 256  # template.yaml's Globals say why",
        "    Timeout: 29",
        "    Layers: [!Ref FolioLayer]",
        "    AutoPublishAlias: live",
        "    Tracing: !Ref Tracing",
        "    LoggingConfig: {LogFormat: JSON, LogGroup: !Ref FunctionLogs}",
        "    SnapStart: {ApplyOn: !If [UseSnapStart, PublishedVersions, None]}",
        "    Tags: {FolioStack: !Ref StackName}  # the function alarms select the stack's functions by it",
        "    Environment:",
        "      Variables:",
        "        TABLE_NAME: !Ref DocumentsTable",
        "        BUCKET_NAME: !Ref FilesBucket",
        "        POWERTOOLS_SERVICE_NAME: !Ref StackName",
        "        POWERTOOLS_METRICS_NAMESPACE: folio",
        '        POWERTOOLS_TRACE_DISABLED: !If [TracingOn, "false", "true"]',
        "        LIST_CURSOR_SECRET: !Ref ListCursorSecret  # its ARN: the key is read when a cursor is first sealed",
        "        KYC_MAX_UPLOAD_BYTES: !Ref KycMaxUploadBytes",
        "        DMS_MAX_UPLOAD_BYTES: !Ref DmsMaxUploadBytes",
        "        CAPTURE_MAX_UPLOAD_BYTES: !Ref CaptureMaxUploadBytes",
        "        CRM_MAX_UPLOAD_BYTES: !Ref CrmMaxUploadBytes",
        "        ARTU_MAX_UPLOAD_BYTES: !Ref ArtuMaxUploadBytes",
        "",
        "Resources:",
    ]
    if any(op.idempotent for op in operations):
        lines += [
            "  IdempotencyAnswersPolicy:  # an Idempotency-Key answer too large for its record is kept in the bucket",
            "    Type: AWS::IAM::ManagedPolicy",
            "    Properties:",
            "      PolicyDocument:",
            '        Version: "2012-10-17"',
            '        Statement: [{Effect: Allow, Action: [s3:PutObject, s3:GetObjectVersion], '
            'Resource: !Sub "${FilesBucketArn}/~idempotency/*"}]',
            "",
        ]
    lines += [
        f"  {title}InvokePolicy:  # the API's role (ApiInvokeRole) may invoke this stack's aliases, nothing else",
        "    Type: AWS::IAM::ManagedPolicy",
        "    Properties:",
        "      Roles: [!Ref ApiInvokeRole]",
        "      PolicyDocument:",
        '        Version: "2012-10-17"',
        "        Statement:",
        "          - Effect: Allow",
        "            Action: lambda:InvokeFunction",
        "            Resource:",
        *[f"              - !Ref {op.logical_id}.Alias" for op in operations],
        "",
    ]
    for op in operations:
        lines += [
            f"  {op.logical_id}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            f"      Description: {_quote(op.description)}",
            f"      CodeUri: ../functions/{op.code_dir}/",
        ]
        if op.takes_body:
            lines.append("      ReservedConcurrentExecutions: !If [ReservesBodyConcurrency, "
                         "!Ref BodyFunctionReservedConcurrency, !Ref AWS::NoValue]")
        lines.append("      Policies:")
        if op.idempotent:
            lines.append("        - !Ref IdempotencyAnswersPolicy")
        lines.append("        - Statement:")
        for right in op.rights:
            why = f"  # {right.why}" if right.why else ""
            lines.append(f"            - {{Effect: Allow, Action: [{', '.join(right.actions)}], "
                         f"Resource: {right.resource()}}}{why}")
        lines += ["    Metadata: {BuildMethod: makefile, ContextPath: build}", ""]
    lines.append("Outputs:  # each function's alias, which the API invokes")
    lines += [f"  {op.logical_id}: {{Value: !Ref {op.logical_id}.Alias}}" for op in operations]
    return "\n".join(lines) + "\n"


def _stack_logical_id(dialect: str) -> str:
    return f"{dialect.capitalize()}Stack"


def _root_section(operations: list[Operation]) -> tuple[str, str]:
    """(the HttpApi's DefinitionBody, the dialects' stacks) for template.yaml."""
    paths: dict[str, list[tuple[RouteEntry, Operation]]] = {}
    for op in operations:
        for route in op.routes:
            paths.setdefault(route.path, []).append((route, op))
    body = [
        "      DefinitionBody:",
        '        openapi: "3.0.1"',
        "        info: {title: !Ref AWS::StackName, version: \"1.0\"}",
        "        paths:",
    ]
    for route_path in sorted(paths):
        body.append(f'          "{route_path}":')
        for route, op in sorted(paths[route_path], key=lambda pair: pair[0].method):
            body.append(
                f"            {route.method.lower()}: {{security: [{{{AUTHORIZER}: [{route.scope}]}}], "
                f"x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, "
                f"uri: !GetAtt {_stack_logical_id(op.dialect)}.Outputs.{op.logical_id}, "
                f'credentials: !GetAtt ApiInvokeRole.Arn, payloadFormatVersion: "2.0"}}}}')
    stacks = []
    parameters = ", ".join(f"{name}: {value}" for name, value in STACK_PARAMETERS.items())
    for dialect in dict.fromkeys(op.dialect for op in operations):
        stacks += [
            f"  {_stack_logical_id(dialect)}:",
            "    Type: AWS::Serverless::Application",
            "    Properties:",
            f"      Location: stacks/{dialect}.yaml",
            f"      Parameters: {{{parameters}}}",
            "",
        ]
    return "\n".join(body), "\n".join(stacks).rstrip("\n")


def _replace_between(text: str, marker: str, content: str) -> str:
    """Replace what stands between ``# BEGIN GENERATED ... (marker)`` and ``# END GENERATED (marker)``."""
    begin = re.search(rf"^[ ]*{re.escape(BEGIN)} \({marker}\)\n", text, re.M)
    end = re.search(rf"^[ ]*{re.escape(END)} \({marker}\)\n", text, re.M)
    if not begin or not end:
        raise SystemExit(f"template.yaml has no GENERATED ({marker}) markers")
    return text[:begin.end()] + content + "\n" + text[end.start():]


def render(root: Path) -> dict[Path, str]:
    """Every file the table makes, by path, as it should read."""
    operations = _read_table(root / "stacks" / "routes.yaml")
    out = {}
    for dialect in dict.fromkeys(op.dialect for op in operations):
        out[root / "stacks" / f"{dialect}.yaml"] = _dialect_stack(dialect, [op for op in operations
                                                                           if op.dialect == dialect])
    body, stacks = _root_section(operations)
    template = (root / "template.yaml").read_text()
    template = _replace_between(template, "routes", body)
    template = _replace_between(template, "stacks", stacks)
    out[root / "template.yaml"] = template
    return out


def differences(root: Path) -> list[str]:
    """The files whose committed text differs from what the table makes, and stacks the table no
    longer makes (a dialect's stack left behind would still be linted and deployable by hand)."""
    made = render(root)
    stale = [str(path.relative_to(root)) for path, text in made.items()
             if not path.exists() or path.read_text() != text]
    leftover = [str(path.relative_to(root)) for path in sorted((root / "stacks").glob("*.yaml"))
                if path.name != "routes.yaml" and path not in made]
    return stale + leftover


def transformed(path: Path) -> dict[str, Any]:
    """A template as CloudFormation receives it from SAM: samtranslator, offline, as `sam validate`
    runs it (a development dependency: aws-sam-cli brings it), local paths as `sam package` makes them."""
    from samtranslator.translator.transform import transform

    from .template import load_yaml

    data = load_yaml(path)
    for resource in data["Resources"].values():
        props = resource.get("Properties", {})
        for uri in ("CodeUri", "ContentUri"):
            if uri in props:
                props[uri] = "s3://bucket/key"
        if resource["Type"] == "AWS::Serverless::Application":
            props["Location"] = "https://s3.amazonaws.com/bucket/stack.yaml"

    class NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    return transform(data, {}, NoManagedPolicies())


def figures(root: Path) -> dict[str, Any]:
    """What the stacks hold once transformed, and the templates' lengths (issue 26's figures)."""
    from .template import Template

    template = Template(root / "template.yaml")
    resources = {t.path.name: len(transformed(t.path)["Resources"]) for t in template.templates}
    lines = {p.name: len(p.read_text().splitlines())
             for p in [root / "template.yaml", *sorted((root / "stacks").glob("*.yaml"))]}
    return {"resources": resources, "functions": len(template.functions), "lines": lines,
            "template_lines": sum(n for name, n in lines.items() if name != "routes.yaml")}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[argv.index("--root") + 1] if "--root" in argv else ".").resolve()
    if "--check" in argv:
        stale = differences(root)
        for name in stale:
            print(f"{name} differs from what stacks/routes.yaml makes: run `make template` "
                  "(a stack the table no longer makes: delete it)")
        return 1 if stale else 0
    for path, text in render(root).items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
