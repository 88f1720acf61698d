"""Storage: DynamoDB, S3 and the idempotency store, the only code that imports boto3.

It implements the Protocols of :mod:`folio.core.ports` and turns every AWS error into a domain
error; :mod:`folio.storage.wiring` composes the core's services with it. Importing this package
imports no boto3: the modules that do are loaded on first use.
"""
