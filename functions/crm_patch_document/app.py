"""crm: PATCH /api/v1/Document/{id} - JSON Patch or JSON Merge Patch, $select, If-Unmodified-Since."""

from folio.dialects.crm import models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.dialects.crm import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.patch("/api/v1/Document/<document_id>")
def patch_document(document_id: str, request: CurrentRequest):
    return views.entity_answer(operations.patch_document(request, document_id), request)


lambda_handler = lambda_entrypoint(app)
