"""artu: GET /documents/{id}; GET /documents?clientId=&externalId= (the lookup by external id) and
GET /documents?clientId= (the client's documents, newest first, by cursor): one route, one function."""

from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/documents/<document_id>")
def get_document(document_id: str, request: CurrentRequest):
    return views.document_answer(operations.get_document(request, document_id))


@app.get("/documents")
def lookup_or_list_documents(request: CurrentRequest):
    if operations.is_lookup(request):
        return views.lookup_answer(operations.lookup_documents(request))
    return views.page_answer(operations.list_documents(request))


lambda_handler = lambda_entrypoint(app)
