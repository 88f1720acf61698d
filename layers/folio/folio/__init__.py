"""folio: five vendor document-update APIs on one DynamoDB + S3 storage core.

Tiers: ``functions/<op>/app.py`` (handlers) -> ``folio.dialects`` (vendor shapes) ->
``folio.core`` (documents, versions, preconditions) -> ``folio.storage`` (boto3 only).
``folio.local`` is the developer's embedded AWS and gateway; functions never import it.
"""
