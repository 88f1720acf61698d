"""crm: PATCH /api/v1/Document/{id} - JSON Patch or JSON Merge Patch, $select, If-Unmodified-Since."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from folio.dialects import crm
from folio.http import caller_from_event, precondition_from_event
from folio.services import document_service

logger = Logger()
app = APIGatewayHttpResolver()
crm.install(app)


@app.patch("/api/v1/Document/<document_id>")
def patch_document(document_id: str):
    event = app.current_event.raw_event
    caller = caller_from_event(event)
    key = crm.document_key(caller.tenant, document_id)
    patch = crm.DocumentPatch.from_event(event)
    precondition = precondition_from_event(event)
    doc = document_service().update(key, patch.apply, caller, precondition)
    return crm.entity_response(doc, event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return app.resolve(event, context)
