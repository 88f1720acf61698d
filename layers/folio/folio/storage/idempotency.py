"""Powertools' idempotency records, in the documents table, through folio's own client."""

from __future__ import annotations

from .clients import client
from .config import Settings, settings


def idempotency_store(cfg: Settings | None = None):
    """The persistence layer of Powertools Idempotency (its keys are the table's ``pk`` and ``sk``)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    cfg = cfg or settings()
    return DynamoDBPersistenceLayer(table_name=cfg.table_name, key_attr="pk", sort_key_attr="sk",
                                    boto3_client=client("dynamodb", cfg))
