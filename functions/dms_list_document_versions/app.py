"""dms: GET .../documents/{document_id}/versions - every file version, newest first."""

from folio.dialects import dms
from folio.core.errors import DocumentNotFound
from folio.web.resolver import http_api, lambda_entrypoint
from folio.web.request import caller_from_event
from folio.storage.wiring import document_service

app = http_api(dms.install)


@app.get("/api/v2/clients/<client_id>/dms/projects/<project_id>/documents/<document_id>/versions")
def list_versions(client_id: str, project_id: str, document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    key = dms.document_key(caller.tenant, client_id, project_id, document_id)
    history = document_service().history(key)
    if not history:
        raise DocumentNotFound(f"no document {document_id}")
    return dms.versions_response(history)


lambda_handler = lambda_entrypoint(app)
