"""crm: POST /api/v1/Document/{id}/Content/uploads/{uploadId}/complete - commit the content; answers the entity."""

from folio.dialects.crm import uploads, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v1/Document/<document_id>/Content/uploads/<upload_id>/complete")
def complete_content_upload(document_id: str, upload_id: str, request: CurrentRequest):
    return uploads.complete(request, document_id, upload_id)


lambda_handler = lambda_entrypoint(app)
