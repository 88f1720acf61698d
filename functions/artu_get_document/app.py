"""artu: GET /documents/{id}, and GET /documents?clientId=&externalId= (the lookup by external id)."""

from folio.dialects import artu
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import batch_service

app = http_api(artu.install)


@app.get("/documents/<document_id>")
def get_document(document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    return artu.document_response(artu.get_by_id(batch_service(), caller.tenant, env, document_id))


@app.get("/documents")
def lookup_documents():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    doc = batch_service().read(artu.lookup_key(event, caller, env))
    return artu.lookup_response([doc] if doc else [])


lambda_handler = lambda_entrypoint(app)
