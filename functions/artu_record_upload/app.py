"""artu: S3 ObjectCreated - record an uploaded file (size, content type, SHA-256 read back) on its document."""

from aws_lambda_powertools import Logger

from folio.core import Caller, Edit, FileRef
from folio.dialects import artu
from folio.storage.wiring import batch_service, document_service, file_store

logger = Logger()


def record_upload(arrival: dict[str, str]) -> None:
    doc = artu.find_by_id(batch_service(), arrival["tenant"], arrival["env"], arrival["id"])
    if doc is None:
        logger.warning("upload for an unknown document", extra=arrival)
        return
    stored = file_store().describe(arrival["key"], arrival["version_id"])
    ref = FileRef(stored.key, stored.version_id, stored.size, stored.sha256, stored.content_type,
                  doc.body.get("filename"))
    uploader = Caller(tenant=arrival["tenant"], sub="s3-upload", name="presigned upload")
    document_service().update(doc.key, Edit(artu.record_arrival(ref, arrival["sequencer"]),
                                   attach_files={"file": ref}), uploader)
    logger.info("upload recorded", extra={**arrival, "size": stored.size, "sha256": stored.sha256})


@logger.inject_lambda_context
def lambda_handler(event, context):
    for arrival in artu.s3_arrivals(event):
        record_upload(arrival)
    return {"recorded": len(artu.s3_arrivals(event))}
