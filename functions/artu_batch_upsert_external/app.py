"""artu: PUT /documents/batch/external - create or update 1-250 documents by externalId, atomically by default."""

from folio.dialects.artu import models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.dialects.artu import operations, views
from folio.web.request import CurrentRequest
from folio.web.resolver import http_api, lambda_entrypoint

app = http_api(views.install)


@app.put("/documents/batch/external")
def batch_upsert_external(request: CurrentRequest):
    return views.batch_answer(*operations.upsert_batch(request))


lambda_handler = lambda_entrypoint(app)
