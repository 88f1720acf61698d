"""artu: S3 ObjectCreated - record an uploaded file (size, content type, SHA-256 read back) on its document."""

from aws_lambda_powertools import Logger

from folio.dialects.artu import operations
from folio.web.s3_events import objects_created

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(event, context):
    return {"recorded": operations.record_uploads(objects_created(event))}
