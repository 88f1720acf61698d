"""artu: GET /documents/{id}, and GET /documents?clientId=&externalId= (the lookup by external id)."""

from folio.dialects import artu
from folio.errors import DocumentNotFound
from folio.handlers import http_api, lambda_entrypoint
from folio.http import caller_from_event
from folio.services import batch_service

app = http_api(artu.install)


@app.get("/documents/<document_id>")
def get_document(document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    batches = batch_service()
    target = batches.table.get_alias(artu.alias(caller.tenant, env, artu.document_id(document_id)))
    doc = batches.read(artu.key_of_pk(target)) if target else None
    if doc is None:
        raise DocumentNotFound(f"no document {document_id} in {env}")
    return artu.document_response(doc)


@app.get("/documents")
def lookup_documents():
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    env = artu.environment(event)
    doc = batch_service().read(artu.lookup_key(event, caller, env))
    return artu.lookup_response([doc] if doc else [])


lambda_handler = lambda_entrypoint(app)
