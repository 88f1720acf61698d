"""Shared fixtures: the template, the AWS built from it (moto, or DynamoDB on DynamoDB Local),
an in-process API, and `folio local` (on moto, and on DynamoDB Local).

Every test that uses the ``aws`` fixture (and so ``api`` and the rest) runs once per engine in
$FOLIO_ENGINES (default both): ``moto`` (moto in process) and ``dynamodb-local`` (DynamoDB on
AWS's own engine, a fresh database per test; S3 stays moto in process). One DynamoDB Local JVM
serves each pytest worker. Without DynamoDB Local installed those tests fail with the command
that installs it; FOLIO_ENGINES=moto runs on moto alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
FOLIO = Path(sys.executable).parent / "folio"

ENGINES = tuple(e.strip() for e in os.environ.get("FOLIO_ENGINES", "moto,dynamodb-local").split(",") if e.strip())
KNOWN_ENGINES = ("moto", "dynamodb-local")

DEFAULT_CLAIMS = {
    "sub": "user-1", "name": "Ada Lovelace", "email": "ada@example.com", "tenant": "acme",
    "scope": "documents:read documents:write",
}


@pytest.fixture(scope="session")
def template():
    from folio.local.template import Template

    return Template(TEMPLATE)


def pytest_configure(config):
    unknown = set(ENGINES) - set(KNOWN_ENGINES)
    if unknown or not ENGINES:
        raise pytest.UsageError(f"FOLIO_ENGINES={os.environ.get('FOLIO_ENGINES')!r}: a comma-separated list of "
                                f"{', '.join(KNOWN_ENGINES)}")
    # every AWS call a function makes is checked against its policy (tests/support/iam_guard.py)
    from .support import iam_guard

    iam_guard.install()
    config.pluginmanager.register(iam_guard.Plugin(config), "folio-iam-guard")


def pytest_collection_modifyitems(config, items):
    """A module marked ``moto_only`` runs on moto alone: what it checks is a dialect's mapping over
    writes whose conditional behaviour other modules already run on both engines (its reason says which)."""
    kept = [item for item in items
            if not (item.get_closest_marker("moto_only") and getattr(item, "callspec", None) is not None
                    and item.callspec.params.get("aws") == "dynamodb-local")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_report_header(config):
    return f"DynamoDB engines (FOLIO_ENGINES): {', '.join(ENGINES)}"


@pytest.fixture(scope="session")
def dynamodb_local():
    """One DynamoDB Local JVM (in memory) for this pytest worker, stopped when the session ends."""
    from folio.local.dynamodb_local import DynamoDBLocal, NotInstalled

    if "dynamodb-local" not in ENGINES:
        pytest.skip(f"FOLIO_ENGINES={','.join(ENGINES)} leaves DynamoDB Local out")
    try:
        engine = DynamoDBLocal()
    except NotInstalled as e:
        missing = str(e)
    else:
        missing = None
    if missing:  # fail (never skip) every test on it, saying how to install it
        pytest.fail(f"{missing}\nTo run on moto alone instead: FOLIO_ENGINES=moto", pytrace=False)
    engine.start()
    yield engine
    engine.stop()


def _reuse_moto_kms_keys() -> None:
    """moto makes an RSA key for every KMS key it creates, the table's encryption key among them: 77 ms
    of every test. One key per key spec serves every test (folio never uses KMS beyond that)."""
    from moto.kms import models

    if getattr(models, "_folio_reuses_keys", False):
        return
    generate, made = models.generate_private_key, {}

    def reuse(key_spec):
        if key_spec not in made:
            made[key_spec] = generate(key_spec)
        return made[key_spec]

    models.generate_private_key = reuse
    models._folio_reuses_keys = True


@pytest.fixture(params=ENGINES)
def aws(request, template, monkeypatch):
    """The template's own table and bucket, on a fresh AWS per test: moto in process, or (param
    dynamodb-local) DynamoDB on DynamoDB Local with a database of this test's own, S3 on moto.

    ``aws["engine"]`` names the engine, for the tests that only one of them can run.
    """
    from moto import mock_aws

    from folio.local.aws import create_resources, share_moto_stream_records
    from folio.storage.clients import new_session, reset_clients

    share_moto_stream_records()
    _reuse_moto_kms_keys()
    engine = request.param
    endpoint = request.getfixturevalue("dynamodb_local").endpoint_url if engine == "dynamodb-local" else None
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",
                 "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    if endpoint:
        # folio (config.settings) and every boto3 client read it; moto lets calls to it through
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    for fn in template.functions.values():
        for name, value in fn.environment.items():
            monkeypatch.setenv(name, str(value))
    with mock_aws():
        if endpoint:
            # DynamoDB Local keeps a database per access key id (letters and digits only): a
            # fresh one for this test. mock_aws set its own key and restores the environment.
            os.environ["AWS_ACCESS_KEY_ID"] = "test" + uuid.uuid4().hex
        reset_clients()
        session = new_session()  # botocore's models read once per process, not per test
        dynamodb, s3 = session.client("dynamodb", endpoint_url=endpoint), session.client("s3")
        create_resources(template, dynamodb, s3, events=session.client("events"), secrets=session.client("secretsmanager"))
        yield {"engine": engine, "dynamodb": dynamodb, "s3": s3, "dynamodb_endpoint": endpoint,
               "table": os.environ["TABLE_NAME"], "bucket": os.environ["BUCKET_NAME"]}
        if endpoint:  # the JVM outlives the test: give its memory back
            with contextlib.suppress(Exception):
                dynamodb.delete_table(TableName=os.environ["TABLE_NAME"])
    reset_clients()


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
    """`folio local --port 0` in a working directory of its own, with the extra arguments given
    (e.g. ``--dynamodb-endpoint URL``); the endpoints it prints are read back."""

    def __init__(self, workdir: Path, *args: str):
        from .support.change_events import EventReceiver

        self.workdir = workdir
        #: every change event this folio local announced (it POSTs each one here: --events-url)
        self.events = EventReceiver()
        self.proc = subprocess.Popen(
            [str(FOLIO), "--template", str(TEMPLATE), "local", "--port", "0", "--events-url", self.events.url, *args],
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
        endpoints = dict(re.findall(r"^  (DynamoDB|S3) +(https?://\S+)", "".join(self.output), re.M))
        self.dynamodb_endpoint, self.s3_endpoint = endpoints["DynamoDB"], endpoints["S3"]
        # drain the rest of the output so the server never blocks on a full pipe
        import threading

        threading.Thread(target=lambda: [self.output.append(x) for x in self.proc.stdout], daemon=True).start()

    def token(self, **kwargs) -> str:
        from folio.local.auth import mint_token

        return mint_token(base=self.workdir, **kwargs)

    def aws_environment(self) -> dict[str, str]:
        """The environment that reaches this server's AWS as it does (its endpoints, its credentials:
        DynamoDB Local keeps a database per access key)."""
        from folio.local.aws import LOCAL_ACCESS_KEY, LOCAL_REGION, LOCAL_SECRET_KEY

        return {"AWS_ENDPOINT_URL": self.s3_endpoint, "AWS_ENDPOINT_URL_S3": self.s3_endpoint,
                "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint, "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY, "AWS_DEFAULT_REGION": LOCAL_REGION,
                "AWS_REGION": LOCAL_REGION}

    def client(self, service: str):
        """A boto3 client for this server's DynamoDB or S3."""
        import boto3
        from botocore.config import Config

        env = self.aws_environment()
        return boto3.session.Session().client(
            service, endpoint_url=env[f"AWS_ENDPOINT_URL_{service.upper()}"], region_name=env["AWS_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.events.stop()


@pytest.fixture(scope="session")
def local_server(tmp_path_factory):
    """folio local on its embedded moto (DynamoDB and S3)."""
    server = LocalServer(tmp_path_factory.mktemp("folio-local"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def local_server_on_dynamodb_local(tmp_path_factory, dynamodb_local):
    """folio local with DynamoDB on this worker's DynamoDB Local (`--dynamodb-endpoint`), S3 embedded."""
    server = LocalServer(tmp_path_factory.mktemp("folio-local-ddb"), "--dynamodb-endpoint", dynamodb_local.endpoint_url)
    yield server
    server.stop()
