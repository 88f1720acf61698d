"""artu: scheduled - finish (roll forward) or roll back atomic batches whose writer died."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from folio.storage.wiring import batch_service

logger = Logger()
metrics = Metrics(namespace="folio")


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event, context):
    batches = batch_service()
    recovered = batches.sweep()
    oldest = batches.oldest_unfinished_seconds()  # what is left after this run (UnfinishedBatchesAlarm)
    logger.info("swept atomic batches", extra={"recovered": recovered, "oldest_unfinished_seconds": oldest})
    metrics.add_metric(name="OldestUnfinishedBatchSeconds", unit=MetricUnit.Seconds, value=oldest)
    return {"recovered": recovered}
