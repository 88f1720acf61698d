"""What every handler module shares: a resolver with its dialect's error map, and the entry point."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from .caching import as_get, finish, policy_of, without_body
from .request import REQUEST_CONTEXT_KEY, WebRequest


def http_api(install_error_map: Callable[[APIGatewayHttpResolver], None]) -> APIGatewayHttpResolver:
    """A payload-2.0 resolver answering errors the way the dialect does."""
    from .idempotency import idempotency_middleware

    app = APIGatewayHttpResolver()
    install_error_map(app)
    app.use(middlewares=[idempotency_middleware])
    return app


def prime_for_snapshot() -> None:
    """Init of a SnapStart environment: load now what every copy restored from its snapshot may
    share (botocore's models through the clients, the modules a first request imports lazily),
    and nothing unique (no id block, token or idempotency record: those are taken per request)."""
    from ..storage.clients import prime_clients
    from ..storage.config import settings

    prime_clients(settings())
    import aws_lambda_powertools.utilities.idempotency  # noqa: F401 - a keyed write's first use

    from . import idempotency  # noqa: F401


def _after_snapshot_restore() -> None:
    """SnapStart restores every environment from one snapshot: give each its own random state
    (backoff jitter must differ between environments), fresh connections and credentials (new
    clients, from the models the snapshot kept), and no id block (``reset_clients`` drops them:
    two copies of one block would hand out the same ids)."""
    import random

    from ..storage.clients import reset_clients

    random.seed()
    reset_clients()


try:  # present in Lambda's Python runtimes that support SnapStart; absent locally
    from snapshot_restore_py import register_after_restore
except ImportError:  # pragma: no cover - depends on the runtime
    pass
else:  # pragma: no cover
    register_after_restore(_after_snapshot_restore)


#: The retry budget of an invocation whose context tells no remaining time: API Gateway's 30 s.
DEFAULT_BUDGET_SECONDS = 29.0

#: Path parameters that name the document a request is about, in the order they are preferred.
_DOCUMENT_PARAMS = ("attId", "docId", "documentId", "document_id", "id")


def request_keys(request: WebRequest) -> dict[str, str]:
    """The tenant and document every log line of a request carries."""
    params = request.path
    keys = {"tenant": str(request.claims.get("tenant", ""))}
    document = next((params[p] for p in _DOCUMENT_PARAMS if p in params), None)
    if document is not None:
        keys["document_id"] = str(document)
    return keys


def lambda_entrypoint(app: APIGatewayHttpResolver):
    """The Lambda handler: the request id is the logs' correlation id, every line names the
    tenant and document, and each invocation emits its metrics (EMF). X-Ray tracing, whose
    SDK costs about as much as boto3 to import, is loaded only when the template turns it on."""
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    from ..core import service as core

    logger = Logger()
    metrics = Metrics(namespace="folio")

    @metrics.log_metrics
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    def lambda_handler(event, context):
        request = WebRequest(event)  # the one request object of this invocation
        app.append_context(**{REQUEST_CONTEXT_KEY: request})
        logger.append_keys(**request_keys(request))
        core.request_stats.update(retries=0, bytes_stored=0)
        core.committed_documents.clear()
        metrics.add_dimension(name="operation", value=getattr(context, "function_name", "local"))
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        with core.retry_budget.until(remaining() / 1000 if remaining else DEFAULT_BUDGET_SECONDS):
            answer = app.resolve(as_get(event) if request.method == "HEAD" else event, context)
        if isinstance(answer, dict):  # Cache-Control, Vary, and a 304 for a conditional GET that matches
            try:
                answer = finish(answer, request.method, request.headers, policy_of(app))
                if request.method == "HEAD":
                    answer = without_body(answer)
            except Exception:  # noqa: BLE001 - never a 5xx for caching: the answer as the handler made it
                logger.exception("caching the answer failed; it is sent as it was")
        status = int(answer.get("statusCode", 200)) if isinstance(answer, dict) else 200
        if status == 412:
            metrics.add_metric(name="PreconditionFailed", unit=MetricUnit.Count, value=1)
        if status == 409:
            metrics.add_metric(name="Conflicts", unit=MetricUnit.Count, value=1)
        if status >= 500:  # a 500 the error map made, or a 503: Lambda's Errors count neither
            metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        if core.request_stats["retries"]:
            metrics.add_metric(name="LostRaceRetries", unit=MetricUnit.Count, value=core.request_stats["retries"])
        if core.request_stats["bytes_stored"] and status < 400:
            metrics.add_metric(name="BytesStored", unit=MetricUnit.Bytes, value=core.request_stats["bytes_stored"])
        logger.info("answered", extra={"status": status, "route": event.get("routeKey"),
                                       "retries": core.request_stats["retries"]})
        return answer

    from ..storage.config import settings

    if settings().snapshot_init:
        prime_for_snapshot()
    if settings().tracing:  # pragma: no cover - needs the X-Ray daemon of a traced Lambda
        from aws_lambda_powertools import Tracer

        tracer = Tracer()  # patches botocore: every DynamoDB and S3 call becomes a subsegment
        return tracer.capture_lambda_handler(lambda_handler)
    return lambda_handler
