"""artu: PUT /documents/batch/external - create or update 1-250 documents by externalId, atomically by default."""

from folio.dialects import artu
from folio.dialects.artu import models as artu_models  # noqa: F401 - writes validate with pydantic: load it at init
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import batch_service

app = http_api(artu.install)


@app.put("/documents/batch/external")
def batch_upsert_external():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    atomic, items = artu.parse_batch(event)
    return artu.upsert(batch_service(), caller, env, atomic, items)


lambda_handler = lambda_entrypoint(app)
