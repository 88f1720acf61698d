"""template.yaml read as data, so the local runtime and the tests cannot drift from it."""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

LOCAL_PREFIX = "folio-local"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsic functions (!Ref, !GetAtt, !Sub, ...)."""


def _intrinsic(loader: _CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals merge: maps merge key by key; an intrinsic function is a value, replaced whole."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if (isinstance(value, dict) and isinstance(out.get(key), dict)
                and not _is_intrinsic(value) and not _is_intrinsic(out[key])):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function_id: str
    scopes: tuple[str, ...]
    authorized: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        regex = ""
        for segment in self.path.strip("/").split("/"):
            m = re.fullmatch(r"\{([^}+]+)(\+?)\}", segment)
            if m and m.group(2):
                regex += f"/(?P<{_group(m.group(1))}>.+)"
            elif m:
                regex += f"/(?P<{_group(m.group(1))}>[^/]+)"
            else:
                regex += "/" + re.escape(segment)
        return re.compile(f"^{regex or '/'}$")

    @property
    def specificity(self) -> tuple[int, int]:
        segments = self.path.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        return (literal, len(segments))


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    memory_mb: int
    timeout_s: int
    description: str
    routes: tuple[Route, ...] = field(default_factory=tuple)
    s3_triggers: tuple[S3Trigger, ...] = field(default_factory=tuple)
    stream_triggers: tuple[StreamTrigger, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class S3Trigger:
    """An S3 event source of a function: which bucket, which events, which keys."""

    bucket: str  # the bucket's local name
    events: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""

    def matches(self, bucket: str, event_name: str, key: str) -> bool:
        return (bucket == self.bucket and key.startswith(self.prefix) and key.endswith(self.suffix)
                and any(event_name == e or (e.endswith("*") and event_name.startswith(e[:-1])) for e in self.events))


@dataclass(frozen=True)
class StreamTrigger:
    """A DynamoDB stream event source of a function (its event source mapping), as the template sets it."""

    table: str  # the table's logical id
    batch_size: int = 100
    maximum_retry_attempts: int = -1  # -1: until the records expire
    bisect_on_error: bool = False
    report_batch_item_failures: bool = False
    #: Lambda's filter patterns (JSON); a record matching none of them is dropped unseen
    filters: tuple[str, ...] = ()
    starting_position: str = "TRIM_HORIZON"
    #: the logical id of the on-failure destination (a queue), if any
    on_failure: str | None = None


class Template:
    """A template and the nested stacks it names (``AWS::Serverless::Application`` with a local
    Location): ``resources`` and ``functions`` hold the nested stacks' too, each resolved against the
    parameters its parent passes, as CloudFormation would."""

    def __init__(self, path: Path, parent: Template | None = None, arguments: dict[str, Any] | None = None):
        self.path = Path(path).resolve()
        self.root = self.path.parent
        self.data = load_yaml(self.path)
        self.parent = parent
        self.arguments = arguments or {}  # a nested stack's parameters, as its parent's expressions
        self.own_resources: dict[str, Any] = self.data.get("Resources", {})
        self.parameters: dict[str, Any] = self.data.get("Parameters", {})
        self.nested: dict[str, Template] = {}
        for lid, res in self.own_resources.items():
            location = (res.get("Properties") or {}).get("Location")
            if res.get("Type") == "AWS::Serverless::Application" and isinstance(location, str):
                self.nested[lid] = Template(self.root / location, self, res["Properties"].get("Parameters", {}))
        self.resources: dict[str, Any] = dict(self.own_resources)
        for child in self.nested.values():
            self.resources.update(child.resources)

    @property
    def templates(self) -> list[Template]:
        """This template and every template nested in it."""
        return [self, *(t for child in self.nested.values() for t in child.templates)]

    def of_type(self, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") == cfn_type}

    def owner(self, logical_id: str) -> Template:
        """The template (this one or a nested one) that declares a resource."""
        return next(t for t in self.templates if logical_id in t.own_resources)

    def local_name(self, logical_id: str) -> str:
        """The physical name a resource gets in the embedded AWS."""
        return f"{LOCAL_PREFIX}-{logical_id.lower()}"

    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsics environment variables use, against the embedded AWS."""
        for lid, res in self.own_resources.items():
            props = res.get("Properties") or {}
            if isinstance(value, dict) and value in (props.get("BucketName"), props.get("TableName")):
                return self.local_name(lid)  # a name computed by intrinsics (e.g. from the stack id)
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                if arg in self.arguments and self.parent is not None:
                    return self.parent.resolve(self.arguments[arg])
                if arg in self.own_resources:
                    return self.local_name(arg)
                if arg in self.parameters:
                    return str(self.parameters[arg].get("Default", ""))
                return {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
                        "AWS::StackName": LOCAL_PREFIX}.get(arg, arg)
            if fn == "Fn::GetAtt":
                lid, attr = arg
                if attr.startswith("Outputs.") and lid in self.nested:
                    return self.nested[lid].resolve(self.nested[lid].data["Outputs"][attr[8:]]["Value"])
                if attr == "Arn":
                    return f"arn:aws:local:::{self.local_name(lid)}"
                return self.local_name(lid)
            if fn == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if fn == "Fn::Sub" and isinstance(arg, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self.resolve({"Ref": m.group(1)})), arg)
        return value

    def condition(self, name: str) -> bool:
        """A template condition, evaluated with the parameters' defaults (Fn::Equals, Not, And, Or)."""
        return self._truth(self.data.get("Conditions", {})[name])

    def _truth(self, expression: Any) -> bool:
        (fn, arg), = expression.items()
        if fn == "Fn::Equals":
            return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
        if fn == "Fn::Not":
            return not self._truth(arg[0])
        if fn == "Fn::And":
            return all(self._truth(a) for a in arg)
        if fn == "Fn::Or":
            return any(self._truth(a) for a in arg)
        if fn == "Condition":
            return self.condition(arg)
        raise ValueError(f"unsupported condition function {fn}")

    @cached_property
    def function_globals(self) -> dict[str, Any]:
        return self.data.get("Globals", {}).get("Function", {})

    @cached_property
    def functions(self) -> dict[str, Function]:
        """Every function of this template and its nested stacks; HTTP routes from each function's
        HttpApi events and from the API's DefinitionBody (the route table's routes)."""
        out = {}
        for template in self.templates:
            out.update(template._own_functions())
        for route in self._definition_routes():
            fn = out[route.function_id]
            out[route.function_id] = dataclasses.replace(fn, routes=(*fn.routes, route))
        return out

    def _definition_routes(self) -> list[Route]:
        """The routes of the HTTP API's OpenAPI DefinitionBody: each operation's integration names a
        function (!GetAtt <Stack>.Outputs.<FunctionId>, or !GetAtt <Function>.Arn), its security the scopes."""
        routes = []
        for api in self.of_type("AWS::Serverless::HttpApi").values():
            body = api.get("Properties", {}).get("DefinitionBody") or {}
            for path, operations in (body.get("paths") or {}).items():
                for method, operation in operations.items():
                    uri = operation["x-amazon-apigateway-integration"]["uri"]
                    lid, attr = uri["Fn::GetAtt"]
                    function_id = attr.removeprefix("Outputs.") if attr.startswith("Outputs.") else lid
                    security = operation.get("security")
                    scopes = tuple(s for entry in security or () for scopes in entry.values() for s in scopes)
                    routes.append(Route(method=method.upper(), path=path, function_id=function_id,
                                        scopes=scopes, authorized=security != []))
        return routes

    def _own_functions(self) -> dict[str, Function]:
        out = {}
        for lid, res in self.of_type("AWS::Serverless::Function").items():
            if lid not in self.own_resources:
                continue
            props = _deep_merge(self.function_globals, res.get("Properties", {}))
            env = {k: self.resolve(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
            routes, triggers = [], []
            for event in props.get("Events", {}).values():
                if event.get("Type") == "S3":
                    ep = event.get("Properties", {})
                    rules = {r["Name"].lower(): r["Value"]
                             for r in ep.get("Filter", {}).get("S3Key", {}).get("Rules", [])}
                    events = ep.get("Events")
                    triggers.append(S3Trigger(self.resolve(ep["Bucket"]),
                                              tuple(events if isinstance(events, list) else [events]),
                                              rules.get("prefix", ""), rules.get("suffix", "")))
                if event.get("Type") == "DynamoDB":
                    triggers.append(self._stream_trigger(event.get("Properties", {})))
                if event.get("Type") != "HttpApi":
                    continue
                ep = event.get("Properties", {})
                auth = ep.get("Auth", {})
                routes.append(Route(
                    method=ep.get("Method", "ANY").upper(),
                    path=ep["Path"],
                    function_id=lid,
                    scopes=tuple(auth.get("AuthorizationScopes", ())),
                    authorized=auth.get("Authorizer") != "NONE",
                ))
            out[lid] = Function(
                logical_id=lid,
                code_uri=(self.root / props["CodeUri"]).resolve(),
                handler=props.get("Handler", "app.lambda_handler"),
                environment=env,
                memory_mb=int(props.get("MemorySize", 128)),
                timeout_s=int(props.get("Timeout", 3)),
                description=props.get("Description", ""),
                routes=tuple(routes),
                s3_triggers=tuple(t for t in triggers if isinstance(t, S3Trigger)),
                stream_triggers=tuple(t for t in triggers if isinstance(t, StreamTrigger)),
            )
        return out

    def _stream_trigger(self, props: dict[str, Any]) -> StreamTrigger:
        stream = props["Stream"]
        if not (isinstance(stream, dict) and "Fn::GetAtt" in stream and stream["Fn::GetAtt"][1] == "StreamArn"):
            raise ValueError(f"folio local reads the streams of the template's own tables (!GetAtt <Table>.StreamArn), "
                             f"not {stream!r}")
        destination = (props.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
        return StreamTrigger(
            table=stream["Fn::GetAtt"][0],
            batch_size=int(self.resolve(props.get("BatchSize", 100))),
            maximum_retry_attempts=int(self.resolve(props.get("MaximumRetryAttempts", -1))),
            bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
            report_batch_item_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or ()),
            filters=tuple(f["Pattern"] for f in (props.get("FilterCriteria") or {}).get("Filters", ())),
            starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
            on_failure=destination["Fn::GetAtt"][0] if isinstance(destination, dict) and "Fn::GetAtt" in destination
            else None,
        )

    @cached_property
    def routes(self) -> list[Route]:
        """Every HttpApi route, most specific first (as API Gateway selects them)."""
        routes = [r for f in self.functions.values() for r in f.routes]
        return sorted(routes, key=lambda r: r.specificity, reverse=True)

    @cached_property
    def cors(self) -> dict[str, Any] | None:
        """The HTTP API's CorsConfiguration, parameters resolved (None when there is none)."""
        for api in self.of_type("AWS::Serverless::HttpApi").values():
            config = api.get("Properties", {}).get("CorsConfiguration")
            if config:
                out = {}
                for key, value in config.items():
                    value = self.resolve(value)
                    if isinstance(value, str) and key == "AllowOrigins":
                        value = [v.strip() for v in value.split(",")]
                    out[key] = value
                return out
        return None

    @cached_property
    def jwt_authorizer(self) -> dict[str, Any]:
        for api in self.of_type("AWS::Serverless::HttpApi").values():
            for auth in api.get("Properties", {}).get("Auth", {}).get("Authorizers", {}).values():
                if "JwtConfiguration" in auth:
                    return auth
        return {}
