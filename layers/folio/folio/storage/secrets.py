"""Secrets the deployment generated (Secrets Manager), read once per environment.

The one today: the key that seals the cursors of lists (template.yaml's ``ListCursorSecret``, a value
CloudFormation generates at deploy: it is in no template, tag or environment variable; the function
holds only its ARN, ``LIST_CURSOR_SECRET``). It is read when a cursor is first sealed or opened, through
Powertools' Secrets Manager provider on folio's own client, and kept for the life of the environment:
the secret is never rotated (a rotation would refuse every cursor outstanding).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .clients import client, on_reset
from .config import Settings

#: The key of cursors where no template applies (unit tests, the simulation): never on Lambda.
LOCAL_CURSOR_KEY = b"folio-local"
#: A secret that is never rotated stays cached as long as the environment lives.
FOREVER = 10 * 365 * 24 * 3600

_providers: dict[str, Any] = {}
_lock = threading.Lock()
on_reset(_providers.clear)


def secret_value(cfg: Settings, secret_id: str) -> str:
    """The secret's current value, read from Secrets Manager once per environment (StorageUnavailable
    when it cannot be read: a 503 the client may retry)."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    from ..core.errors import StorageUnavailable
    from .clients import logger

    cache_key = f"{cfg.endpoint_url('secretsmanager')}|{cfg.region}"
    with _lock:
        provider = _providers.get(cache_key)
        if provider is None:
            provider = _providers[cache_key] = SecretsProvider(boto3_client=client("secretsmanager", cfg))
    try:
        return provider.get(secret_id, max_age=FOREVER)
    except GetParameterError as e:
        logger.warning("reading a secret failed", extra={"what": "the list cursor key", "aws_error": str(e)[:200]})
        raise StorageUnavailable("reading the list cursor key did not complete; retry later") from e


def cursor_key(cfg: Settings) -> bytes:
    """The key that seals list cursors: the deployment's secret; LOCAL_CURSOR_KEY only off Lambda
    where no secret is named."""
    if cfg.list_cursor_secret:
        return secret_value(cfg, cfg.list_cursor_secret).encode()
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise RuntimeError("LIST_CURSOR_SECRET is not set: the function cannot seal list cursors")
    return LOCAL_CURSOR_KEY
