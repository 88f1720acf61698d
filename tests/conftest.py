"""Shared fixtures: the template, moto built from it, an in-process API, and `folio local`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
FOLIO = Path(sys.executable).parent / "folio"

DEFAULT_CLAIMS = {
    "sub": "user-1", "name": "Ada Lovelace", "email": "ada@example.com", "tenant": "acme",
    "scope": "documents:read documents:write",
}


@pytest.fixture(scope="session")
def template():
    from folio.local.template import Template

    return Template(TEMPLATE)


@pytest.fixture
def aws(template, monkeypatch):
    """moto in process, with the template's own table and bucket."""
    import boto3
    from moto import mock_aws

    from folio import storage
    from folio.local.aws import create_resources

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    for fn in template.functions.values():
        for name, value in fn.environment.items():
            monkeypatch.setenv(name, str(value))
    with mock_aws():
        storage.reset_clients()
        create_resources(template, boto3.client("dynamodb"), boto3.client("s3"))
        yield {"dynamodb": boto3.client("dynamodb"), "s3": boto3.client("s3"),
               "table": os.environ["TABLE_NAME"], "bucket": os.environ["BUCKET_NAME"]}
    storage.reset_clients()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class InProcessApi:
    """Routes a request as the gateway would and invokes the function with a payload-2.0 event
    (the JWT authorizer is represented by the claims it would pass)."""

    def __init__(self, template):
        from folio.local.runtime import FunctionRuntime

        self.template = template
        self.runtime = FunctionRuntime(template)

    def event(self, method, path, *, json_body=None, body=b"", headers=None, claims=DEFAULT_CLAIMS, query=""):
        from folio.local.events import build_event
        from folio.local.gateway import Gateway

        gateway = Gateway(self.template, self.runtime, authorizer=None)
        route, params = gateway.match(method, path)
        hdrs = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        return route.function_id, build_event(
            method=method, raw_path=path, route_key=route.route_key, path_parameters=params or None,
            raw_query=query, headers=hdrs, body=body, claims=claims,
            scopes=tuple(claims.get("scope", "").split()) if claims else None,
        )

    def invoke_event(self, function_id, event) -> Answer:
        from folio.local.runtime import response_body

        out = self.runtime.invoke(function_id, event)
        return Answer(out["statusCode"], {k.lower(): v for k, v in (out.get("headers") or {}).items()},
                      response_body(out))

    def request(self, method, path, **kwargs) -> Answer:
        return self.invoke_event(*self.event(method, path, **kwargs))


@pytest.fixture
def api(aws, template):
    return InProcessApi(template)


class LocalServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.proc = subprocess.Popen(
            [str(FOLIO), "--template", str(TEMPLATE), "local", "--port", "0"],
            cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output: list[str] = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if line.startswith("READY "):
                self.url = line.split()[1]
                break
        else:
            raise RuntimeError("folio local did not start")
        if not hasattr(self, "url"):
            raise RuntimeError("folio local exited:\n" + "".join(self.output))
        m = re.search(r"embedded AWS .* at (http://\S+);", "".join(self.output))
        self.aws_endpoint = m.group(1)
        # drain the rest of the output so the server never blocks on a full pipe
        import threading

        threading.Thread(target=lambda: [self.output.append(x) for x in self.proc.stdout], daemon=True).start()

    def token(self, **kwargs) -> str:
        from folio.local.auth import mint_token

        return mint_token(base=self.workdir, **kwargs)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory):
    server = LocalServer(tmp_path_factory.mktemp("folio-local"))
    yield server
    server.stop()
