"""capture: GET /capture/api/v1.1/documents/{docId}/attachments - a page of its attachments, newest first."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/capture/api/v1.1/documents/<doc_id>/attachments")
@app.get("/capture/api/v1/documents/<doc_id>/attachments")  # the spec's examples use v1
def list_attachments(doc_id: str, request: CurrentRequest):
    return views.attachments_answer(*operations.list_attachments(request, doc_id), request)


lambda_handler = lambda_entrypoint(app)
