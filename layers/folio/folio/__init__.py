"""folio: five vendor document-update APIs on one DynamoDB + S3 storage core.

Tiers, each a package, every import pointing down (tests/unit/test_architecture.py checks):
``folio.core`` (documents, versions, preconditions, batches; the Protocols it needs) <-
``folio.storage`` (the only boto3) <- ``folio.web`` (the request object, resolver, multipart,
problem+json) <- ``folio.dialects.<vendor>`` (models, mapping, operations, views) <-
``folio.local`` (the developer's embedded AWS and gateway; functions never import it).
"""
