"""Scheduled: remove the S3 object versions that no document version references, after a grace period,
from where the last run stopped (its checkpoint), or after ``{"detail": {"resumeAfter": "<key>"}}``."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from folio.dialects.artu.mapping import alias, upload_target
from folio.storage.object_versions import file_sweeper

logger = Logger()
metrics = Metrics(namespace="folio")


def artu_upload_alias(key: str):
    """artu's upload key names its document by id: the alias that id is recorded under."""
    target = upload_target(key)
    return alias(*target) if target else None


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event, context):
    report = file_sweeper(aliases=[artu_upload_alias]).run(
        after_key=(event.get("detail") or {}).get("resumeAfter"),
        time_left=lambda: context.get_remaining_time_in_millis() / 1000,
        on_removed=lambda key, version_id: logger.info("removed an unreferenced file version",
                                                       extra={"key": key, "versionId": version_id}))
    metrics.add_metric(name="UnreferencedFileVersionsRemoved", unit=MetricUnit.Count, value=len(report.removed))
    logger.info("swept file versions", extra=report.summary())
    return report.summary()
