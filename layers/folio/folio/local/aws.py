"""The AWS of folio local: moto served one request at a time, or AWS-compatible endpoints that
are already running (DynamoDB Local, another emulator), with template.yaml's table and bucket.

moto's DynamoDB is not thread-safe (two conditional writes can both win), so its server runs
with ``threaded=False``: AWS requests are serialized while the local gateway still runs
functions concurrently. Only then do concurrency tests mean anything (DESIGN §7).
"""

from __future__ import annotations

import io
import os
import random
import string
import threading
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .template import Template

LOCAL_REGION = "us-east-1"
#: The credentials of everything local. Letters and digits only: DynamoDB Local refuses any
#: other access key id (and keeps one database per key and region).
LOCAL_ACCESS_KEY = "foliolocal"
LOCAL_SECRET_KEY = "foliolocal"
#: Error codes of an endpoint that does not implement an operation at all (DynamoDB Local
#: answers UnknownOperationException to UpdateContinuousBackups; S3 emulators NotImplemented).
NOT_IMPLEMENTED = frozenset({"UnknownOperationException", "NotImplemented", "NotImplementedException",
                             "InvalidAction"})


def share_moto_stream_records() -> None:
    """Make moto's copy of a table's stream cost a list copy, not a deep copy of every record, and
    its shard iterators read only committed records.

    moto deep-copies each table a ``TransactWriteItems`` touches before it runs (to put it back if
    the transaction fails), its stream shard included: every record ever written, images and all,
    at every transaction. With the table's stream on (DESIGN §11) that made a 250-item atomic batch
    on in-process moto 2.5 times slower (110 s to 274 s here). A record never changes once written,
    so the copy keeps moto's semantics (a rolled-back transaction's records go with it) sharing them.
    """
    import copy

    from moto.dynamodb.models.table import StreamShard

    if getattr(StreamShard, "_folio_shares_records", False):
        return

    def shard_copy(self, memo):
        copied = StreamShard.__new__(StreamShard)
        memo[id(self)] = copied
        copied.__dict__.update(self.__dict__)
        copied.items = list(self.items)
        copied.table = copy.deepcopy(self.table, memo)
        return copied

    StreamShard.__deepcopy__ = shard_copy
    StreamShard._folio_shares_records = True

    # A rolled-back transaction puts the table's copy back, with a stream shard of its own; a shard
    # iterator taken before it still names the discarded shard, which holds the records of the
    # writes rolled back. Read through such an iterator, they took the sequence numbers the next
    # committed records get, so a reader that went on after them skipped those (lost change events).
    # An iterator reads the table's current shard, as AWS's stream only ever holds committed writes.
    from moto.dynamodbstreams.models import ShardIterator

    read = ShardIterator.get

    def get_committed(self, limit: int = 1000):
        current = self.streams_backend.dynamodb.tables.get(self.stream_shard.table.name)
        if current is not None and current.stream_shard is not None:
            self.stream_shard = current.stream_shard
        return read(self, limit)

    ShardIterator.get = get_committed
    _copy_tables_once_per_transaction()


def _copy_tables_once_per_transaction() -> None:
    """moto backs up a table before each action of a TransactWriteItems (a deep copy of every item
    the table holds, once per action: a 100-action commit copied it 100 times, most of the suite's
    time on moto). One copy per table and call keeps its semantics: on failure each table it touched
    is put back as it was before the call."""
    import copy
    import threading

    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    if getattr(models, "_folio_copies_once", False):
        return
    calls = threading.local()

    class _CopyOncePerCall:
        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            copies = getattr(calls, "tables", None)
            if copies is None or not isinstance(value, Table):
                return copy.deepcopy(value, memo)
            if id(value) not in copies:
                copies[id(value)] = copy.deepcopy(value)
            return copies[id(value)]

    transact = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        calls.tables = {}
        try:
            return transact(self, transact_items)
        finally:
            calls.tables = None

    models.copy = _CopyOncePerCall()
    models.DynamoDBBackend.transact_write_items = transact_write_items
    models._folio_copies_once = True


def use_local_credentials() -> None:
    """Never let the local runtime pick up (or touch) a real AWS account."""
    os.environ["AWS_ACCESS_KEY_ID"] = LOCAL_ACCESS_KEY
    os.environ["AWS_SECRET_ACCESS_KEY"] = LOCAL_SECRET_KEY
    for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ["AWS_DEFAULT_REGION"] = LOCAL_REGION
    os.environ["AWS_REGION"] = LOCAL_REGION


def refuse_real_aws(url: str) -> str:
    """An endpoint for folio local must not be AWS itself: raise ValueError for an AWS host name."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"{url!r} is not an endpoint URL (e.g. http://127.0.0.1:8000)")
    if host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")) or host in ("amazonaws.com", "api.aws"):
        raise ValueError(f"{url} is AWS itself: folio local only talks to local, AWS-compatible endpoints "
                         "(deploy with `sam deploy` to use AWS)")
    return url.rstrip("/")


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def _ttl_enabled(dynamodb, table: str, attribute: str) -> bool:
    """Whether TTL is already on ``attribute`` (UpdateTimeToLive refuses to enable it twice)."""
    try:
        described = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    except Exception:  # noqa: BLE001 - an endpoint without TTL answers again, and is skipped, on the update
        return False
    return described.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and described.get("AttributeName") == attribute


def _lifecycle_rule(rule: dict[str, Any], resolve=lambda value: value) -> dict[str, Any]:
    """A lifecycle rule of CloudFormation's (AWS::S3::Bucket Rule) in the S3 API's words; ``resolve``
    gives the value of a template parameter the rule refers to (!Ref)."""
    expiration = {"Days": rule.get("ExpirationInDays"), "Date": rule.get("ExpirationDate"),
                  "ExpiredObjectDeleteMarker": rule.get("ExpiredObjectDeleteMarker")}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    aborted = rule.get("AbortIncompleteMultipartUpload") or {}
    return _strip_none({
        "ID": rule.get("Id"),
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
        "Expiration": {k: v for k, v in expiration.items() if v is not None} or None,
        "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent["NoncurrentDays"],
                                        "NewerNoncurrentVersions": noncurrent.get("NewerNoncurrentVersions")}
        if noncurrent else None,
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": int(resolve(aborted["DaysAfterInitiation"]))}
        if aborted else None,
    })


def _cors_rule(rule: dict[str, Any], resolve=lambda value: value) -> dict[str, Any]:
    """A CORS rule of CloudFormation's (AWS::S3::Bucket CorsRule) in the S3 API's words; an origin
    list that is a CommaDelimitedList parameter (!Ref) is split as CloudFormation splits it."""
    origins = resolve(rule["AllowedOrigins"])
    if isinstance(origins, str):
        origins = [origin.strip() for origin in origins.split(",")]
    return _strip_none({
        "ID": rule.get("Id"),
        "AllowedOrigins": origins,
        "AllowedMethods": rule["AllowedMethods"],
        "AllowedHeaders": rule.get("AllowedHeaders"),
        "ExposeHeaders": rule.get("ExposedHeaders"),
        "MaxAgeSeconds": rule.get("MaxAge"),
    })


def create_resources(template: Template, dynamodb, s3, *, events=None, secrets=None, exist_ok: bool = False,
                     skipped: list[str] | None = None) -> dict[str, str]:
    """Create every DynamoDB table (its stream included), S3 bucket and, given ``events``,
    EventBridge bus of the template, from its own definitions; given ``secrets``, every Secrets
    Manager secret, its value generated here as CloudFormation generates it at deploy (random, of
    ``GenerateSecretString``'s length; a secret the endpoint already holds is kept, and its value).

    ``exist_ok``: a table or bucket that is already there (an endpoint that outlives folio
    local) is kept and configured again. A setting the endpoint does not implement (DynamoDB
    Local has no point-in-time recovery), told apart by the error code, is left out and named in
    ``skipped``; everything folio relies on (keys, versioning) is never skipped. Time to live and
    lifecycle rules are applied too, so that expiring records behave as they do on AWS.
    """
    from ..storage.clients import error_code

    skipped = [] if skipped is None else skipped

    def optional(what: str, call, **kwargs) -> None:
        try:
            call(**kwargs)
        except Exception as e:
            if error_code(e) not in NOT_IMPLEMENTED:
                raise
            skipped.append(f"{what} ({error_code(e)})")

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
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if key in props:
                args[key] = _strip_none(props[key])
        if "StreamSpecification" in props:  # CloudFormation's has no StreamEnabled: a view type means on
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if props.get("SSESpecification", {}).get("SSEEnabled"):
            args["SSESpecification"] = {"Enabled": True}
        try:
            status = dynamodb.create_table(**args)["TableDescription"].get("TableStatus")
        except Exception as e:
            if not (exist_ok and error_code(e) == "ResourceInUseException"):
                raise
            status = None
        if status != "ACTIVE":  # a real service (or an emulator that acts as one) creates tables asynchronously
            dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        stream = args.get("StreamSpecification")
        if status is None and stream:  # a table kept from before: its stream as the template has it
            found = dynamodb.describe_table(TableName=name)["Table"].get("StreamSpecification") or {}
            if not found.get("StreamEnabled"):
                dynamodb.update_table(TableName=name, StreamSpecification=stream)
        pitr = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
        if pitr:
            optional(f"{name}: point-in-time recovery", dynamodb.update_continuous_backups, TableName=name,
                     PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled") and not _ttl_enabled(dynamodb, name, ttl["AttributeName"]):
            optional(f"{name}: time to live", dynamodb.update_time_to_live, TableName=name,
                     TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True})
        created[lid] = name
    for lid, res in template.of_type("AWS::S3::Bucket").items():
        props = res.get("Properties", {})
        name = props["BucketName"] if isinstance(props.get("BucketName"), str) else template.local_name(lid)
        try:
            s3.create_bucket(Bucket=name)
        except Exception as e:
            if not (exist_ok and error_code(e) in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")):
                raise
        if "VersioningConfiguration" in props:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
        if "LifecycleConfiguration" in props:
            optional(f"{name}: lifecycle rules", s3.put_bucket_lifecycle_configuration, Bucket=name,
                     LifecycleConfiguration={"Rules": [_lifecycle_rule(rule, template.resolve)
                                                       for rule in props["LifecycleConfiguration"]["Rules"]]})
        if "CorsConfiguration" in props:
            optional(f"{name}: CORS rules", s3.put_bucket_cors, Bucket=name, CORSConfiguration={"CORSRules": [
                _cors_rule(rule, template.resolve) for rule in props["CorsConfiguration"]["CorsRules"]]})
        if "BucketEncryption" in props:
            # CloudFormation says ServerSideEncryptionByDefault where the S3 API says Apply...
            rules = [{"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                      **{k: v for k, v in rule.items() if k != "ServerSideEncryptionByDefault"}}
                     for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]]
            optional(f"{name}: default encryption", s3.put_bucket_encryption, Bucket=name,
                     ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in props:
            optional(f"{name}: public access block", s3.put_public_access_block, Bucket=name,
                     PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
        created[lid] = name
    for lid in template.of_type("AWS::Events::EventBus") if events is not None else ():
        name = template.local_name(lid)  # functions name it by !Ref, which resolves to this
        try:
            events.create_event_bus(Name=name)
        except Exception as e:
            if not (exist_ok and error_code(e) == "ResourceAlreadyExistsException"):
                raise
        created[lid] = name
    for lid, res in template.of_type("AWS::SecretsManager::Secret").items() if secrets is not None else ():
        name = template.local_name(lid)  # functions name it by !Ref, which resolves to this
        generate = (res.get("Properties") or {}).get("GenerateSecretString") or {}
        alphabet = string.ascii_letters + string.digits
        value = "".join(random.SystemRandom().choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32))))
        try:
            secrets.create_secret(Name=name, SecretString=value)
        except Exception as e:
            if not (exist_ok and error_code(e) == "ResourceExistsException"):
                raise
        created[lid] = name
    return created


class EmbeddedAws:
    """moto's server on 127.0.0.1, single-threaded, in a daemon thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, on_object_created=None, on_event_put=None):
        """``on_object_created(bucket, key, version_id, size, etag)`` is called, on a thread of
        its own (S3 notifications are asynchronous), after every object S3 stored;
        ``on_event_put(bus, source, detail_type, detail)`` for every event EventBridge accepted."""
        from moto.server import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # the gateway logs requests; AWS calls are noise
                pass

        from .s3_forms import read_form
        from .s3_integrity import Credentials, S3Integrity

        use_local_credentials()
        share_moto_stream_records()
        app = DomainDispatcherApplication(create_backend_app)
        if on_object_created is not None:
            app = ObjectCreatedTap(app, on_object_created)
        if on_event_put is not None:
            from .event_delivery import PutEventsTap

            app = PutEventsTap(app, on_event_put)
        # outermost: S3's checks of signatures, forms and checksums before moto (or the tap) sees a request
        app = S3Integrity(app, Credentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), read_form=read_form)
        self._server = make_server(host, port, app, threaded=False, request_handler=QuietHandler)
        self.endpoint_url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-aws", daemon=True)

    def start(self) -> EmbeddedAws:
        self._thread.start()
        os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        from ..storage.clients import reset_clients

        reset_clients()
        return self

    def client(self, service: str):
        from ..storage.clients import admin_client

        return admin_client(service, self.endpoint_url, LOCAL_REGION)

    def create_resources(self, template: Template) -> dict[str, str]:
        return create_resources(template, self.client("dynamodb"), self.client("s3"), events=self.client("events"),
                                secrets=self.client("secretsmanager"))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def answers_http(url: str, timeout: float = 2.0) -> bool:
    """True when something answers HTTP at url (any status: only that it is there)."""
    import http.client

    parts = urlsplit(url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    try:
        conn = conn_class(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        finally:
            conn.close()
    except OSError:
        return False


class LocalAws:
    """What folio local and folio invoke run on: per service, an AWS-compatible endpoint that is
    already running (``--aws-endpoint`` for DynamoDB and S3, ``--dynamodb-endpoint`` for
    DynamoDB alone), else the embedded moto, started only when some service needs it.

    Whatever the endpoints, the credentials are folio's local ones (``use_local_credentials``)
    and an endpoint on an AWS host name is refused, so no real account is ever touched.
    """

    SERVICES = ("dynamodb", "s3", "events", "secretsmanager")
    NAMES = {"dynamodb": "DynamoDB", "s3": "S3", "events": "EventBridge", "secretsmanager": "Secrets"}
    #: botocore's variable for a service's endpoint (AWS_ENDPOINT_URL_<service id>)
    ENDPOINT_VARIABLES = {"secretsmanager": "AWS_ENDPOINT_URL_SECRETS_MANAGER"}

    def __init__(self, *, aws_endpoint: str | None = None, dynamodb_endpoint: str | None = None,
                 on_object_created=None, on_event_put=None):
        """Raises ValueError for an endpoint that is no URL or is AWS itself."""
        self.aws_endpoint = refuse_real_aws(aws_endpoint) if aws_endpoint else None
        self.external: dict[str, tuple[str, str]] = {}
        if self.aws_endpoint:
            self.external = {s: (self.aws_endpoint, "--aws-endpoint") for s in self.SERVICES}
        if dynamodb_endpoint:
            self.external["dynamodb"] = (refuse_real_aws(dynamodb_endpoint), "--dynamodb-endpoint")
        self.on_object_created = on_object_created
        self.on_event_put = on_event_put
        self.embedded: EmbeddedAws | None = None
        self.endpoints: dict[str, str] = {}
        #: template settings the endpoints do not implement (see create_resources)
        self.skipped: list[str] = []

    def start(self) -> LocalAws:
        """Raises ConnectionError when an external endpoint does not answer."""
        use_local_credentials()
        for service, (url, option) in self.external.items():
            if not answers_http(url):
                raise ConnectionError(f"nothing answers at {url} ({option}, {self.NAMES[service]}): start it first"
                                      + (" (DynamoDB Local: `make dynamodb-local`)" if service == "dynamodb" else ""))
        if len(self.external) < len(self.SERVICES):
            self.embedded = EmbeddedAws(on_object_created=self.on_object_created,
                                        on_event_put=self.on_event_put).start()
        self.endpoints = {s: self.external[s][0] if s in self.external else self.embedded.endpoint_url
                          for s in self.SERVICES}
        # botocore's names; config.settings() reads the same ones. Set every one, so that an
        # endpoint left in the developer's environment cannot send a call elsewhere.
        os.environ["AWS_ENDPOINT_URL"] = self.embedded.endpoint_url if self.embedded else self.aws_endpoint
        for service in self.SERVICES:
            os.environ[self.ENDPOINT_VARIABLES.get(service, f"AWS_ENDPOINT_URL_{service.upper()}")] = self.endpoints[service]
        from ..storage.clients import reset_clients

        reset_clients()
        return self

    @property
    def notifies_s3_events(self) -> bool:
        """S3 ObjectCreated events are noticed by the embedded S3 only."""
        return "s3" not in self.external and self.on_object_created is not None

    def client(self, service: str):
        """A client of ``service`` (``dynamodbstreams``: the stream of DynamoDB's endpoint)."""
        from ..storage.clients import admin_client

        endpoint = self.endpoints["dynamodb" if service == "dynamodbstreams" else service]
        return admin_client(service, endpoint, LOCAL_REGION, access_key=LOCAL_ACCESS_KEY, secret_key=LOCAL_SECRET_KEY)

    def create_resources(self, template: Template) -> dict[str, str]:
        """The template's table and bucket; ones an external endpoint already has are kept."""
        return create_resources(template, self.client("dynamodb"), self.client("s3"), events=self.client("events"),
                                secrets=self.client("secretsmanager"), exist_ok=bool(self.external),
                                skipped=self.skipped)

    def describe(self) -> list[str]:
        """What to print: each service's endpoint and where its data lives."""
        lines = [f"AWS endpoints (access key id {LOCAL_ACCESS_KEY}, region {LOCAL_REGION}: never a real account):"]
        for service in self.SERVICES:
            if service in self.external:
                url, option = self.external[service]
                where = f"{option}, already running: data lives there as long as it keeps it"
            else:
                url, where = self.endpoints[service], ("embedded moto, one request at a time: data lives in memory "
                                                       "and is gone when folio local stops")
            lines.append(f"  {self.NAMES[service]:9} {url}  ({where})")
        lines += [f"  not implemented there, left out: {note}" for note in self.skipped]
        if "s3" in self.external and self.on_object_created is not None:
            lines.append("  S3 events (artu's upload) are not delivered: only the embedded S3 notices stored objects")
        if "events" in self.external and self.on_event_put is not None:
            lines.append("  change events go to --aws-endpoint's EventBridge: they are not printed here")
        return lines

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None


class ObjectCreatedTap:
    """WSGI middleware around moto: notices each object S3 stored (a PUT of a key that answered
    200, or a presigned POST form, which :class:`.s3_integrity.S3Integrity` around it has read and
    checked: :mod:`.s3_forms`), as S3's ObjectCreated notifications do; moto's server does not
    deliver them itself."""

    _NOT_OBJECT_PUTS = ("uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold", "versioning",
                        "encryption", "publicAccessBlock", "policy", "ownershipControls", "notification")

    def __init__(self, app, callback):
        self.app = app
        self.callback = callback

    def __call__(self, environ, start_response):
        from .s3_integrity import FORM_UPLOAD

        form = environ.get(FORM_UPLOAD)  # a presigned POST form, its signature and policy already checked
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
            bucket, key = path.lstrip("/").split("/", 1)
            headers = {k.lower(): v for k, v in seen["headers"]}
            size = int(environ.get("CONTENT_LENGTH") or 0)
            threading.Thread(target=self.callback, name="s3-notification", daemon=True,
                             args=(bucket, unquote(key), headers.get("x-amz-version-id"), size,
                                   headers.get("etag", "").strip('"'))).start()
        elif form is not None and str(seen.get("status", "")).startswith("20"):
            head: dict[str, Any] = {}
            path = quote(f"/{form.bucket}/{form.key}")
            probe = {k: v for k, v in environ.items() if k.startswith(("wsgi.", "SERVER_", "REMOTE_", "HTTP_HOST"))}
            scope = f"{LOCAL_ACCESS_KEY}/20260101/{LOCAL_REGION}/s3/aws4_request"  # moto routes by it, checks no signature
            self.app({**probe, "REQUEST_METHOD": "HEAD", "PATH_INFO": unquote(path), "RAW_URI": path,
                      "REQUEST_URI": path, "SCRIPT_NAME": "", "QUERY_STRING": "", "wsgi.input": io.BytesIO(),
                      "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"},
                     lambda status, headers, exc_info=None: head.update({k.lower(): v for k, v in headers}))
            threading.Thread(target=self.callback, name="s3-notification", daemon=True,
                             args=(form.bucket, form.key, head.get("x-amz-version-id"), form.size,
                                   head.get("etag", "").strip('"'))).start()
        return [body]
