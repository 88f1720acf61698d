"""crm: PUT /api/v1/Document/{id}/Content - the raw body is the new content (up to 4 MiB); answers the entity."""

from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.put("/api/v1/Document/<document_id>/Content")
def put_content(document_id: str, request: CurrentRequest):
    return views.entity_answer(operations.upload_content(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
