"""artu: scheduled - finish (roll forward) or roll back atomic batches whose writer died."""

from aws_lambda_powertools import Logger

from folio.storage.wiring import batch_service

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event, context):
    recovered = batch_service().sweep()
    logger.info("swept atomic batches", extra={"recovered": recovered})
    return {"recovered": recovered}
