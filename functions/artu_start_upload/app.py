"""artu: POST /documents/{id}/uploads - start an upload session for the document's file."""

from folio.dialects.artu import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/documents/<document_id>/uploads")
def start_upload(document_id: str, request: CurrentRequest):
    return uploads.start(request, document_id)


lambda_handler = lambda_entrypoint(app)
