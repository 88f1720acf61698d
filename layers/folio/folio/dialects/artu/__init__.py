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
  the presigned form: ``filename``, ``contentType``, ``size`` and its SHA-256 recorded), or
  ``rejected`` with a ``rejectionReason`` when the file that arrived was larger than
  ``MAX_UPLOAD_BYTES`` (not read; a later upload may still succeed). ``verified`` and the review
  fields (``verifiedAt`` ...) belong to a review this API does not offer, and stay null.
* Once a file arrived, ``filename``, ``size`` and ``contentType`` are the file's facts: a later
  batch item's ``filename``/``size`` is ignored (the rest of the item applies; the answer shows
  the facts that stand), so a re-sent batch still applies whole. Only a new upload changes them.
* ``atomic: true``: all items or none (see :mod:`folio.core.batches`); a failing batch is 400
  (validation) or 409 (conflict) with every failing item's ``index``, ``externalId`` and
  ``reason`` in ``errors``. ``atomic: false``: each item on its own, answered in order as
  ``{"data": ...}`` or ``{"error": {"status", "title", "detail"}}``.
* Upload URLs: ``POST /documents/{id}/upload-url`` with an optional JSON body
  ``{"contentType"?, "filename"?, "size"?}`` (DESIGN 1) answers a presigned S3 POST (a form
  upload, not a PUT: only a POST policy can bound the size on S3's side) valid 5 minutes:
  ``{"url", "method": "POST", "fields", "headers": {}, "maxSize", "expiresAt"}``. Its signed
  policy binds the document's own key (``<tenant>/artu-<env>/<id>/artu-upload``: the core's file
  key of the ``artu-upload`` slot, which template.yaml's S3 notification filter matches by
  suffix), the Content-Type, the file name (percent-encoded in the object's metadata
  ``filename``, so it is recorded with the file it names and never before) and
  ``content-length-range`` 0..``size``, or 0..``MAX_UPLOAD_BYTES`` (100 MiB, constants) when no
  size is declared. ``size`` beyond that bound, a file name over 255 bytes of UTF-8 or with
  control characters or path separators, and unknown properties are 400.
* The S3 event's function records the file's size, content type and SHA-256 (streamed back from
  S3, never more than ``MAX_UPLOAD_BYTES``: a larger object is not read at all) and the file name
  its form carried; events for older versions change nothing.

The life cycle (DESIGN §10; the spec documents neither route):

* ``GET /documents?clientId=<uuid>`` (no ``externalId``) lists the client's documents in the
  ``X-Environment``, newest first (by creation), ``{"data": [...], "nextCursor"}`` (the lookup's
  envelope plus the next page's opaque cursor, null on the last page): ``limit`` 1-100 (default
  20, else 400), ``cursor`` as given (one of another client's, environment's or tenant's list, or
  altered, is 400). With ``externalId`` it stays the lookup, answered as before. Both are the one
  route ``GET /documents``, so one function. A document is in its client's list from its
  creation by a batch (``mapping.client_documents``); batch updates and uploads keep it there.
* ``DELETE /documents/{id}`` answers 204 and erases the document, every version, its ``id``
  alias and every S3 object version it had, and every object under ``<tenant>/artu-<env>/<id>/``
  (an upload refused or never recorded); ``If-Match`` / ``If-Unmodified-Since`` are optional
  (stale: 412, nothing erased). Another environment's or tenant's, or a deleted one, is 404. A
  document an atomic batch holds is waited for (a committed batch is finished first, then the
  document erased); a batch that stays undecided is 409, the batch untouched. The externalId is
  free again afterwards: a batch naming it creates a new document with a new ``id``.

Files of any size (DESIGN §9): an upload session (``uploads``) records its file as a presigned
upload's S3 event does, keeping S3's verified ``crc64nvme`` where a presigned upload keeps its
``sha256``; its object is ``.../<id>/file``, never the presigned ``.../artu-upload`` whose S3 event
it would trigger. ``GET /documents/{id}/file`` serves either.

The package: ``constants`` (each written once, no pydantic), ``models`` (pydantic: the batch
and its items), ``answers`` (pydantic: the answers), ``mapping`` (keys, the stored body, the upload
key), ``operations`` (over the core), ``views`` (answers and the error map); ``openapi`` and
``local`` serve folio local.
"""
