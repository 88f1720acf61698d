"""artu: POST /documents/{id}/upload-url - a presigned S3 PUT for the document's file."""

from folio.dialects import artu
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import batch_service, file_store

app = http_api(artu.install)


@app.post("/documents/<document_id>/upload-url")
def create_upload_url(document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    content_type = artu.upload_request(event)
    doc = artu.get_by_id(batch_service(), caller.tenant, env, document_id)
    url = file_store().presign_put(artu.upload_key(doc, env), content_type, artu.UPLOAD_URL_SECONDS)
    return artu.upload_url_response(url, content_type)


lambda_handler = lambda_entrypoint(app)
