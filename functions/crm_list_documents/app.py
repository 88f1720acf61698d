"""crm: GET /api/v1/Document - the tenant's documents, newest first, in OData pages ($top, $select, $skiptoken)."""

from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.get("/api/v1/Document")
def list_documents(request: CurrentRequest):
    return views.page_answer(*operations.list_documents(request), request)


lambda_handler = lambda_entrypoint(app)
