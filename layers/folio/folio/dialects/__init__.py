"""The vendor dialects, one package each: models, the mapping to the core, operations, views.

Besides what its handlers import, a dialect package may hold modules that only folio local
and the OpenAPI document load, found here by name so that neither knows any dialect:

* ``openapi``: ``operations()``, the OpenAPI operation (parameters, request body, answers) of
  each template function the dialect serves, by logical id, built from its models; ``ERROR_BODY``,
  the media type and schema of its error answers.
* ``local``: what a fresh local deployment starts with and what sample events refer to:
  ``seed(documents)``, ``PREPARERS`` (function logical id -> ``prepare(request: WebRequest)``),
  ``prepare_object(key) -> (bytes, content type) | None`` for the objects of S3 events,
  ``describe(base_url, token) -> list[str]`` (lines folio local prints).
* ``cli``: ``add_commands(subparsers)``, the dialect's own commands of the ``folio`` CLI.
* ``events``: ``SUBJECTS``, by kind of document it announces, how its change events name one
  (:class:`folio.core.changes.Subject`); the publisher (:mod:`.publisher`) finds them so.
"""

from __future__ import annotations

from types import ModuleType


def providers(module: str) -> list[ModuleType]:
    """``folio.dialects.<vendor>.<module>`` of every dialect that has one, in name order. (Imported
    here, not at the top: every handler imports this package, and pkgutil costs it ~10 ms.)"""
    import importlib
    import pkgutil

    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg:
            try:
                found.append(importlib.import_module(f"{__name__}.{info.name}.{module}"))
            except ModuleNotFoundError as error:
                if error.name != f"{__name__}.{info.name}.{module}":
                    raise
    return found
