"""artu: documents created or updated in batches by external id (specs/artu-batch-upsert-external.txt).

Decisions the spec leaves open, written down here:

* ``X-Environment`` (``test`` or ``live``) is required everywhere and partitions the data: the
  two environments share nothing, ids included.
* A document is identified by (``clientId``, ``externalId``) in its environment; its ``id`` is
  a UUID chosen on creation. On update, the properties an item gives replace the stored
  ones (``fields`` and ``metadata`` as whole objects); absent ones are kept.
* Item properties are checked strictly (unknown ones are 400): ``clientId`` UUID,
  ``externalId`` 1-255 characters, ``scope``/``type`` strings, ``expiresAt`` a date,
  ``metadata`` an object, ``fields`` the spec's identity fields, ``filename`` a string,
  ``size`` a non-negative integer, ``storagePath`` a string (kept, not answered).
* Two items with the same ``externalId`` in one batch are refused (400), whatever their
  ``clientId``.
* Statuses: ``pending_upload`` (created, no file yet) -> ``uploaded`` (a file arrived through
  the presigned URL: ``filename``, ``contentType``, ``size`` and its SHA-256 recorded).
  ``verified``/``rejected`` belong to a review this API does not offer; the fields exist
  (``verifiedAt`` ...) and stay null.
* ``atomic: true``: all items or none (see :mod:`folio.core.batches`); a failing batch is 400
  (validation) or 409 (conflict) with every failing item's ``index``, ``externalId`` and
  ``reason`` in ``errors``. ``atomic: false``: each item on its own, answered in order as
  ``{"data": ...}`` or ``{"error": {"status", "title", "detail"}}``.
* Upload URLs: ``POST /documents/{id}/upload-url`` with an optional JSON body
  ``{"contentType"}`` answers a presigned S3 PUT valid for 5 minutes, bound to
  that content type and the document's own key (``<tenant>/artu-<env>/<id>/artu-upload``:
  the core's file key of the ``artu-upload`` slot, which template.yaml's S3 notification
  filter matches by suffix). The S3 event's function records the file's size, content type
  and SHA-256 (read back from S3) on the document; events for older versions change nothing.

The package: ``constants`` (each written once, no pydantic), ``models`` (pydantic: the batch
and its items), ``answers`` (pydantic: the answers), ``mapping`` (keys, the stored body, the upload
key), ``operations`` (over the core), ``views`` (answers and the error map); ``openapi`` and
``local`` serve folio local.
"""
