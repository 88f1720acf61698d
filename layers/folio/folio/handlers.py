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


def lambda_entrypoint(app: APIGatewayHttpResolver):
    """The Lambda handler: the request id becomes the logs' correlation id."""
    logger = Logger()

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    def lambda_handler(event, context):
        return app.resolve(event, context)

    return lambda_handler
