"""crm: GET /api/v1/Document/{id} - read a DocumentEntity, with $select."""

from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v1/Document/<document_id>")
def get_document(document_id: str, request: CurrentRequest):
    return views.entity_answer(operations.get_document(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
