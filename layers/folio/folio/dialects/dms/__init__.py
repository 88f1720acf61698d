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

The package: ``constants`` (the fields and limits), ``mapping`` (the upload's rules, the key,
the stored body, file versions; no pydantic, so no handler imports it), ``operations`` (over the
core), ``views`` (answers and the error body), ``models`` and ``answers`` (pydantic: the same
upload and answers, for the OpenAPI document and the tests), and for folio local ``openapi`` and
``local``.
"""
