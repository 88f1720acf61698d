"""capture: POST /capture/api/v1.1/documents/{docId}/attachments - add an attachment (multipart, 201)."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/capture/api/v1.1/documents/<doc_id>/attachments")
@app.post("/capture/api/v1/documents/<doc_id>/attachments")  # the spec's examples use v1
def add_attachment(doc_id: str, request: CurrentRequest):
    return views.attachment_created(*operations.add_attachment(request, doc_id), request)


lambda_handler = lambda_entrypoint(app)
