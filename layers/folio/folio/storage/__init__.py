"""Storage: DynamoDB, S3 and the idempotency store, the only code that imports boto3.

It implements the Protocols of :mod:`folio.core.ports` and turns every AWS error into a domain
error; :mod:`folio.storage.wiring` composes the core's services with it. Importing this package
imports no boto3: the modules that do are loaded on first use.

- ``wiring``: the composition root (document_service, batch_service, file_store);
- ``config``: the settings, from the environment;
- ``keys``: how items are named in the table (partition and sort keys, lock attributes);
- ``clients``: the boto3 clients and how an AWS error is classified;
- ``table``: every DynamoDB call and DynamoDB's limits;
- ``documents``: heads, history and id counters; ``batches``: the atomic batch protocol's storage;
- ``files``: the versioned S3 bucket; ``idempotency``: Powertools' idempotency records.
"""
