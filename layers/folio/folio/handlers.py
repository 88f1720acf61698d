"""What every handler module shares: a resolver with its dialect's error map, and the entry point."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths


def http_api(install_error_map: Callable[[APIGatewayHttpResolver], None]) -> APIGatewayHttpResolver:
    """A payload-2.0 resolver answering errors the way the dialect does."""
    from .idempotency import idempotency_middleware

    app = APIGatewayHttpResolver()
    install_error_map(app)
    app.use(middlewares=[idempotency_middleware])
    return app


def _after_snapshot_restore() -> None:
    """SnapStart restores every environment from one snapshot: give each its own random state
    (backoff jitter must differ between environments) and fresh connections."""
    import random

    from . import storage

    random.seed()
    storage.reset_clients()


try:  # present in Lambda's Python runtimes that support SnapStart; absent locally
    from snapshot_restore_py import register_after_restore
except ImportError:  # pragma: no cover - depends on the runtime
    pass
else:  # pragma: no cover
    register_after_restore(_after_snapshot_restore)


def lambda_entrypoint(app: APIGatewayHttpResolver):
    """The Lambda handler: the request id becomes the logs' correlation id."""
    logger = Logger()

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def lambda_handler(event, context):
        return app.resolve(event, context)

    return lambda_handler
