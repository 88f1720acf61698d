"""Configuration, read from the environment in this one place, when first asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

#: An upload session's largest file where the environment names none (S3 takes objects of 5 TB).
DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024**3


@dataclass(frozen=True)
class Settings:
    table_name: str
    bucket_name: str
    region: str
    #: An AWS-compatible endpoint per service (folio local, DynamoDB Local in tests); None on AWS.
    dynamodb_endpoint_url: str | None
    s3_endpoint_url: str | None
    #: How often a write without precondition re-reads and re-applies after losing a race.
    max_write_attempts: int
    #: Actions per DynamoDB transaction (at most 100, DynamoDB's limit); lower only to exercise
    #: the multi-transaction batch protocol with small batches (tests).
    max_transaction_actions: int = 100
    #: The largest file an upload session takes, per dialect (``<DIALECT>_MAX_UPLOAD_BYTES``).
    max_upload_bytes: dict[str, int] = field(default_factory=dict)
    #: The Secrets Manager secret (ARN, or name) whose value seals the cursors of lists: generated at
    #: deploy (template.yaml's ListCursorSecret), never in a template, a tag or the environment; folio
    #: local generates its own. None only where no template applies (unit tests, the simulation): then
    #: LOCAL_CURSOR_KEY, and never on Lambda (storage.secrets refuses).
    list_cursor_secret: str | None = None
    #: X-Ray tracing (the template's Tracing parameter sets POWERTOOLS_TRACE_DISABLED).
    tracing: bool = False
    #: The EventBridge bus change events go to (only the publisher needs it: it fails loudly without).
    event_bus_name: str | None = None
    events_endpoint_url: str | None = None
    secrets_endpoint_url: str | None = None
    #: Whether the shards of a list or of a sweeper's set are read by parallel threads (off only in
    #: the deterministic simulation, whose scheduler runs one thread at a time).
    parallel_reads: bool = True
    #: Lambda is initializing this environment for a SnapStart snapshot (AWS_LAMBDA_INITIALIZATION_TYPE):
    #: init then primes what every restored copy may share (web.resolver.prime_for_snapshot).
    snapshot_init: bool = False

    def endpoint_url(self, service: str) -> str | None:
        return {"dynamodb": self.dynamodb_endpoint_url, "dynamodbstreams": self.dynamodb_endpoint_url,
                "s3": self.s3_endpoint_url, "events": self.events_endpoint_url,
                "secretsmanager": self.secrets_endpoint_url}.get(service)


def settings() -> Settings:
    """Read the environment now (cheap); tests and `folio local` set it before the first call."""
    env = os.environ
    return Settings(
        table_name=env.get("TABLE_NAME", "folio-documents"),
        bucket_name=env.get("BUCKET_NAME", "folio-files"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        # botocore's own names: a service's variable wins over the general one
        dynamodb_endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL") or None,
        s3_endpoint_url=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
        max_write_attempts=int(env.get("FOLIO_MAX_WRITE_ATTEMPTS", "30")),
        max_transaction_actions=max(3, min(100, int(env.get("FOLIO_MAX_TRANSACTION_ACTIONS", "100")))),
        max_upload_bytes={dialect: int(env.get(f"{dialect.upper()}_MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD_BYTES)
                          for dialect in ("kyc", "dms", "capture", "crm", "artu")},
        list_cursor_secret=env.get("LIST_CURSOR_SECRET") or None,
        tracing=env.get("POWERTOOLS_TRACE_DISABLED", "true").lower() == "false",
        event_bus_name=env.get("EVENT_BUS_NAME") or None,
        events_endpoint_url=env.get("AWS_ENDPOINT_URL_EVENTS") or env.get("AWS_ENDPOINT_URL") or None,
        secrets_endpoint_url=env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or env.get("AWS_ENDPOINT_URL") or None,
        parallel_reads=env.get("FOLIO_PARALLEL_READS", "true").lower() != "false",
        snapshot_init=env.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start",
    )
