"""Scheduled: finish the erasure of every document whose delete died before its purge ended (DESIGN §10)."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from folio.storage.wiring import document_service

logger = Logger()
metrics = Metrics(namespace="folio")
#: A purge younger than this may still be running in the function that marked it (a function runs
#: at most 29 s): leave it to that function.
RUNNING_SECONDS = 300


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event, context):
    purged = document_service().finish_purges(older_than_seconds=RUNNING_SECONDS)
    for key in purged:
        logger.info("finished an interrupted erasure", extra={"tenant": key.tenant, "kind": key.kind, "id": key.id})
    metrics.add_metric(name="InterruptedErasuresFinished", unit=MetricUnit.Count, value=len(purged))
    return {"purged": len(purged)}
