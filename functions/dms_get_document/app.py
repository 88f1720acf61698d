"""dms: GET .../documents/{document_id} - metadata and the current version's file facts."""

from folio.dialects import dms
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(dms.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>")
def get_document(client_id: str, project_id: str, document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    doc = document_service().get(dms.document_key(caller.tenant, client_id, project_id, document_id))
    return dms.document_response(doc, event)


lambda_handler = lambda_entrypoint(app)
