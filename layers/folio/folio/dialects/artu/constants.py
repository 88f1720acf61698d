"""artu's constants, each written once. The pydantic models, the mapping and the views read
them; they live apart from the models so that the functions that only read (and the upload
functions) never pay for importing pydantic."""

from __future__ import annotations

#: The values of ``X-Environment``; each is a world of its own (kinds ``artu-test``, ``artu-live``).
ENVIRONMENTS = ("test", "live")
#: The most items one batch may hold (the spec's bound).
MAX_ITEMS = 250
#: A page of ``GET /documents?clientId=`` when the request names no ``limit`` (at most the core's MAX_PAGE).
DEFAULT_PAGE = 20
#: The file slot of an upload; the S3 key ends with it, and template.yaml's notification
#: filter (suffix ``/artu-upload``) sends only those keys to the record-upload function.
UPLOAD_SLOT = "artu-upload"
#: The file slot of the document's recorded file (the upload object version it points at),
#: which ``GET /documents/{id}/file`` answers.
FILE_SLOT = "file"
#: How long a presigned upload URL is valid.
UPLOAD_URL_SECONDS = 300
#: The largest file an upload may carry (100 MiB): the presigned POST's bound when ``upload-url``
#: declares no ``size``, the most ``size`` may declare, and the most the S3-event function reads.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
#: The most UTF-8 bytes of a file name given to ``upload-url`` (it travels percent-encoded in the
#: object's metadata, which S3 bounds at 2 KB).
MAX_FILENAME_BYTES = 255
#: The document properties that, once a file arrived, are the file's facts: a batch item no longer sets them.
FILE_FACTS = ("filename", "size", "contentType")
#: A document's statuses: created, then its file arrived; review (verified, rejected) is not offered.
STATUSES = ("pending_upload", "uploaded", "verified", "rejected")
#: The spec's document, in its order (answers.DocumentAnswer documents each field).
ANSWER_FIELDS = ("clientId", "type", "id", "createdAt", "updatedAt", "status", "filename", "contentType", "size",
                 "expiresAt", "verifiedAt", "verifiedBy", "rejectionReason", "reviewedAt", "reviewedBy",
                 "externalId", "fields", "metadata")
