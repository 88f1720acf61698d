"""capture: Oracle Content Capture attachments (specs/capture-update-attachment.txt).

The spec's operation is ``PUT /capture/api/v1.1/documents/{docId}/attachments/{attId}`` with
the multipart parts ``attachment`` (application/json) and ``content`` (optional file).
Decisions the spec leaves open, written down here:

* Procedures (their steps and attachment types) are tenant configuration, stored as one
  record per tenant (:class:`.procedures.Procedures`). A tenant without its own falls back to the
  deployment-wide record under the reserved tenant ``*``, where ``folio local`` seeds the
  ``Demo`` procedure (attachment types ``Invoice Notes`` and ``Receipt``, first step
  ``Review``; its ids are fixed, see :data:`.procedures.DEMO_PROCEDURE`).
* A new document starts a new batch (``{"batch": {"name"}}`` names it, else
  ``<prefix>_<number>`` as Capture does) in the procedure's first step.
* Every route that reads or changes a document's attachments needs the token's
  ``folio:steps`` to grant the document's current step (``*`` grants all; no claim, none):
  403 otherwise. ``X-Requested-With: XMLHttpRequest`` (any case) is required on the spec's
  update, the CSRF guard the spec names; the companions do not require it.
* The ``attachment`` part must be ``application/json`` (415 otherwise), on update and on add.
  Only ``title``, ``type`` and ``comment`` are taken from it (and ``stateToken`` on update);
  other attributes are ignored, as the spec says. ``comment: null`` clears the comment,
  ``title`` must stay a string, ``type: null`` clears the type.
* ``content`` needs a Content-Type (it becomes ``mediaType``) and a file name in its
  Content-Disposition (it becomes ``sourceName``), else 400; over 4 MiB is 413. On add,
  ``content`` is required and ``title`` defaults to the file name.
* ``stateToken`` is 32 hex digits derived from the attachment's version: stale gives 412
  (the answer carries the current ``stateToken`` and ``ETag``), a token that was current but
  lost the race to a simultaneous edit gives 409. ``If-Match`` works as well.
* Links are absolute URLs on this API (the spec's sample omits the ``/capture/api/v1.1``
  prefix, which would not resolve here).
* Life cycle (DESIGN §10). ``GET .../documents/{docId}`` answers the document with links: add
  attachments (POST, ``urn:oce:capture:attachments``), itself (``canonical``), its attachments'
  list (GET, same rel), and one ``urn:oce:capture:attachment`` link per attachment of the list's
  first page (``DEFAULT_PAGE``, newest first; the list link leads to the rest). A new document's
  201 now carries its canonical URL as Location.
* ``GET .../documents/{docId}/attachments?limit=&cursor=``: Oracle's collection shape ``{"items",
  "count", "hasMore", "limit", "links"}``, newest first; ``limit`` 1 to 100 (default 25, else
  400); the next page is the ``next`` link (its ``cursor`` opaque, sealed to this document's
  list: another list's, tenant's or a tampered one is 400). Attachments join their document's
  list at creation (inline, and through an upload session).
* ``DELETE .../documents/{docId}/attachments/{attId}`` erases the attachment (every version of
  its content) and answers 204. As Capture's delete: ``X-Requested-With`` required (400), the step
  granted (403), attached to this document (404). Its precondition is the ``stateToken``, in a JSON
  body (the attachment object; only ``stateToken`` is read, as Capture's delete takes it) or, for
  clients that send no body with DELETE, a ``stateToken`` query parameter (both given: they must
  agree, else 400); ``If-Match`` works too. Stale: 412 naming the current token, nothing deleted.
  With none, the delete is unconditional. A deleted attachment is 404.

The package, by job: ``constants`` (kinds, limits, the id pattern), ``procedures`` (the tenant
configuration), ``mapping`` (requests and bodies to core documents, the guards), ``operations``
(what each handler does over the core), ``views`` (the answers and the error body), ``models``
and ``answers`` (pydantic requests and answers, for the OpenAPI document), ``openapi`` and ``local``.
"""
