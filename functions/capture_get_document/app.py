"""capture: GET /capture/api/v1.1/documents/{docId} - the document, with links to its attachments."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/capture/api/v1.1/documents/<doc_id>")
@app.get("/capture/api/v1/documents/<doc_id>")  # the spec's examples use v1
def get_document(doc_id: str, request: CurrentRequest):
    return views.document_answer(*operations.get_document(request, doc_id), request)


lambda_handler = lambda_entrypoint(app)
