"""crm: POST /api/v1/Document - create a DocumentEntity (201)."""

from folio.dialects.crm import models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.post("/api/v1/Document")
def create_document(request: CurrentRequest):
    return views.created_answer(operations.create_document(request), request)


lambda_handler = lambda_entrypoint(app)
