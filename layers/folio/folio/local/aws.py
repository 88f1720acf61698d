"""The embedded AWS: moto served one request at a time, with template.yaml's table and bucket.

moto's DynamoDB is not thread-safe (two conditional writes can both win), so its server runs
with ``threaded=False``: AWS requests are serialized while the local gateway still runs
functions concurrently. Only then do concurrency tests mean anything (DESIGN §7).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .template import Template

LOCAL_REGION = "us-east-1"


def use_local_credentials() -> None:
    """Never let the local runtime pick up (or touch) a real AWS account."""
    os.environ["AWS_ACCESS_KEY_ID"] = "folio-local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "folio-local"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ["AWS_DEFAULT_REGION"] = LOCAL_REGION
    os.environ["AWS_REGION"] = LOCAL_REGION


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def create_resources(template: Template, dynamodb, s3) -> dict[str, str]:
    """Create every DynamoDB table and S3 bucket of the template, from its own definitions."""
    created: dict[str, str] = {}
    for lid, res in template.of_type("AWS::DynamoDB::Table").items():
        props = res["Properties"]
        name = props["TableName"] if isinstance(props.get("TableName"), str) else template.local_name(lid)
        args: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
            if key in props:
                args[key] = _strip_none(props[key])
        if props.get("SSESpecification", {}).get("SSEEnabled"):
            args["SSESpecification"] = {"Enabled": True}
        dynamodb.create_table(**args)
        pitr = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
        if pitr:
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        created[lid] = name
    for lid, res in template.of_type("AWS::S3::Bucket").items():
        props = res.get("Properties", {})
        name = props["BucketName"] if isinstance(props.get("BucketName"), str) else template.local_name(lid)
        s3.create_bucket(Bucket=name)
        if "VersioningConfiguration" in props:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
        if "BucketEncryption" in props:
            # CloudFormation says ServerSideEncryptionByDefault where the S3 API says Apply...
            rules = [{"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                      **{k: v for k, v in rule.items() if k != "ServerSideEncryptionByDefault"}}
                     for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in props:
            s3.put_public_access_block(Bucket=name,
                                       PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
        created[lid] = name
    return created


class EmbeddedAws:
    """moto's server on 127.0.0.1, single-threaded, in a daemon thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, on_object_created=None):
        """``on_object_created(bucket, key, version_id, size, etag)`` is called, on a thread of
        its own (S3 notifications are asynchronous), after every object S3 stored."""
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # the gateway logs requests; AWS calls are noise
                pass

        use_local_credentials()
        app = DomainDispatcherApplication(create_backend_app)
        if on_object_created is not None:
            app = ObjectCreatedTap(app, on_object_created)
        self._server = make_server(host, port, app, threaded=False, request_handler=QuietHandler)
        self.endpoint_url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-aws", daemon=True)

    def start(self) -> EmbeddedAws:
        self._thread.start()
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        from .. import storage

        storage.reset_clients()
        return self

    def client(self, service: str):
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            service, region_name=LOCAL_REGION, endpoint_url=self.endpoint_url,
            config=Config(s3={"addressing_style": "path"}),
        )

    def create_resources(self, template: Template) -> dict[str, str]:
        return create_resources(template, self.client("dynamodb"), self.client("s3"))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ObjectCreatedTap:
    """WSGI middleware around moto: notices each object S3 stored (a PUT of a key that answered
    200), as S3's ObjectCreated notifications do; moto's server does not deliver them itself."""

    _NOT_OBJECT_PUTS = ("uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold", "versioning",
                        "encryption", "publicAccessBlock", "policy", "ownershipControls", "notification")

    def __init__(self, app, callback):
        self.app = app
        self.callback = callback

    def __call__(self, environ, start_response):
        seen: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = b"".join(self.app(environ, capture))
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if (environ.get("REQUEST_METHOD") == "PUT" and str(seen.get("status", "")).startswith("200")
                and path.count("/") >= 2 and not any(f"{q}" in query for q in self._NOT_OBJECT_PUTS)
                and "x-amz-target" not in {k.lower().replace("http_", "").replace("_", "-") for k in environ}):
            from urllib.parse import unquote

            bucket, key = path.lstrip("/").split("/", 1)
            headers = {k.lower(): v for k, v in seen["headers"]}
            size = int(environ.get("CONTENT_LENGTH") or 0)
            threading.Thread(target=self.callback, name="s3-notification", daemon=True,
                             args=(bucket, unquote(key), headers.get("x-amz-version-id"), size,
                                   headers.get("etag", "").strip('"'))).start()
        return [body]
