"""crm: POST /api/v1/Document/{id}/Content/uploads - start an upload session for the document's content."""

from folio.dialects.crm import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v1/Document/<document_id>/Content/uploads")
def start_content_upload(document_id: str, request: CurrentRequest):
    return uploads.start(request, document_id)


lambda_handler = lambda_entrypoint(app)
