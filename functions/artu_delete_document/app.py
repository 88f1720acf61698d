"""artu: DELETE /documents/{id} - erase the document, its history, its id alias and every file version (204)."""

from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.delete("/documents/<document_id>")
def delete_document(document_id: str, request: CurrentRequest):
    return views.deleted_answer(operations.delete_document(request, document_id))


lambda_handler = lambda_entrypoint(app)
