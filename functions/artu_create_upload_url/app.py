"""artu: POST /documents/{id}/upload-url - a presigned S3 PUT for the document's file."""

from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/documents/<document_id>/upload-url")
def create_upload_url(document_id: str, request: CurrentRequest):
    return views.upload_url_answer(operations.create_upload_url(request, document_id))


lambda_handler = lambda_entrypoint(app)
