"""crm: GET /api/v1/Document/{id} - read a DocumentEntity, with $select."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from folio.dialects import crm
from folio.http import caller_from_event
from folio.services import document_service

logger = Logger()
app = APIGatewayHttpResolver()
crm.install(app)


@app.get("/api/v1/Document/<document_id>")
def get_document(document_id: str):
    event = app.current_event.raw_event
    key = crm.document_key(caller_from_event(event).tenant, document_id)
    doc = document_service().get(key)
    return crm.entity_response(doc, event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return app.resolve(event, context)
