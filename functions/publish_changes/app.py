"""The table's stream: announce every committed change on the stack's EventBridge bus (DESIGN §11)."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from folio.dialects.publisher import publish_changes
from folio.storage.event_bus import EventBus
from folio.web.stream_events import batch_failures, stream_records

logger = Logger()
metrics = Metrics(namespace="folio")


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event, context):
    published = publish_changes(stream_records(event), EventBus())
    metrics.add_metric(name="ChangeEventsPublished", unit=MetricUnit.Count, value=len(published.events))
    return batch_failures([published.retry_from] if published.retry_from else [])
