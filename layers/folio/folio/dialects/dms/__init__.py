"""dms: a project DMS whose uploads create file versions (specs/dms-upload-document-version.txt).

The spec's operation is ``POST /api/v2/clients/{client_id}/dms/projects/{project_id}/documents/{document_id}``
(also ``PUT``, and ``POST`` with ``X-HTTP-Method-Override: PUT``). Decisions the spec leaves open:

* The form fields are ``file``, ``folderId`` (integer), ``parentUuid`` (a UUID), ``name`` and
  ``description``, as text parts. An update without any part (the spec's own curl and
  Python samples send no body at all) changes nothing and answers 201 with the document; an
  ``application/json`` body with the metadata fields is accepted for metadata-only updates.
* ``file`` must declare ``image/*``, ``application/*``, ``text/*`` or ``video/*`` (a part
  without a Content-Type is ``application/octet-stream``, RFC 7578), else 415; at most 4 MiB
  (413). Every upload with a file is a new version, even with the same bytes.
* Version numbers count file versions: 1 for the create, +1 per upload; metadata-only
  updates keep the number. ``GET .../versions`` lists them newest first, derived from the
  document's immutable history, and ``.../versions/{n}/file`` returns that version's exact
  bytes from its S3 VersionId.
* Documents live under (tenant, client, project): another client's or project's document is
  404. ``createdBy``/``updatedBy`` are ``{"id", "name", "email"}`` from the token.
* Errors use the spec's body ``{"status": "error", "code", "message", "details"}``.

The life cycle (DESIGN §10; the spec documents none of it, so these follow its style):

* ``GET .../projects/{project_id}/documents?limit=&cursor=`` lists the project's documents, newest
  created first, as ``{"data": [document...], "nextCursor": str | null}`` (the versions list's
  ``data`` envelope; each item is what ``GET .../documents/{id}`` answers). ``limit`` is 1 to 100
  (default 25), else 400; ``cursor`` is the previous page's ``nextCursor`` unchanged (one forged,
  altered, or of another project, client or tenant is 400); an empty ``cursor`` is the first page.
* ``DELETE .../documents/{document_id}`` erases the document: every version, every file version in
  S3 (If-Match / If-Unmodified-Since apply: 412 and nothing deleted); 204; then 404.
* ``POST .../documents/{document_id}/versions/{version}/restore`` (no body; If-Match applies) makes
  the next file version from file version ``version`` as it stood when it was superseded (its
  last commit, so metadata edits made while it was current come back too): its metadata and the
  very same S3 object version (no copy); history is never rewritten. Restoring the current version
  makes a new one equal to it. A version that never existed is 404; answers 201 and the document,
  as an upload does.

The package: ``constants`` (the fields and limits), ``mapping`` (the upload's rules, the key,
the stored body, file versions; no pydantic, so no handler imports it), ``operations`` (over the
core), ``views`` (answers and the error body), ``models`` and ``answers`` (pydantic: the same
upload and answers, for the OpenAPI document and the tests), and for folio local ``openapi`` and
``local``.
"""
