"""capture's command of the folio CLI: `folio procedure` (loaded by the CLI only)."""

from __future__ import annotations

from ...core import Caller
from ...storage.wiring import document_service
from .procedures import Procedures


def add_commands(subparsers) -> None:
    """`folio procedure`: define a capture procedure for a tenant in a deployed table."""
    p = subparsers.add_parser("procedure", help="define a capture procedure (steps, attachment types) for a tenant")
    p.add_argument("--tenant", required=True, help="the tenant claim of the tokens that will use it, or * for all")
    p.add_argument("--file", required=True, help='JSON: {"name", "batchPrefix", "steps": [{"id", "name", "type"}], '
                                                 '"attachmentTypes": [{"id", "name"}]}')
    p.add_argument("--table", help="DynamoDB table (default: $TABLE_NAME)")
    p.set_defaults(func=define_procedure)


def define_procedure(args) -> int:
    """Define a capture procedure for a tenant (AWS credentials from the environment)."""
    import json
    import os
    import sys
    from pathlib import Path

    from ...core.errors import FolioError

    if args.table:
        os.environ["TABLE_NAME"] = args.table
    if not os.environ.get("TABLE_NAME"):
        sys.exit("folio: say which table: --table NAME (the stack's DocumentsTableName output) or TABLE_NAME")
    definition = json.loads(Path(args.file).read_text())
    try:
        # the actor recorded on the configuration; the tenant may be "*", the deployment's default
        defined = Procedures(document_service()).define(
            args.tenant, definition, Caller(tenant="folio", sub="folio-cli", name="folio procedure"))
    except FolioError as e:
        sys.exit(f"folio: {e.message}")
    print(json.dumps(defined.to_config(), indent=2))
    return 0
