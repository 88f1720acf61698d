"""artu: GET /documents/{id}, and GET /documents?clientId=&externalId= (the lookup by external id)."""

from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/documents/<document_id>")
def get_document(document_id: str, request: CurrentRequest):
    return views.document_answer(operations.get_document(request, document_id))


@app.get("/documents")
def lookup_documents(request: CurrentRequest):
    return views.lookup_answer(operations.lookup_documents(request))


lambda_handler = lambda_entrypoint(app)
