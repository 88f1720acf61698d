"""capture: POST /capture/api/v1.1/documents - a new document in a procedure's first step (201)."""

from folio.dialects.capture import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/capture/api/v1.1/documents")
@app.post("/capture/api/v1/documents")  # the spec's examples use v1
def create_document(request: CurrentRequest):
    return views.document_created(operations.create_document(request), request)


lambda_handler = lambda_entrypoint(app)
