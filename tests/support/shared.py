"""Where ``shared/`` is (the vendors' specs, the conformance data): beside the repository, as in the
workspace and in CI, which clones main beside it; for a clone made elsewhere (a clean clone in a
temporary directory), beside the repository it was cloned from; or where FOLIO_SHARED says."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _origin() -> Path | None:
    try:
        url = subprocess.run(["git", "-C", str(ROOT), "remote", "get-url", "origin"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url.removeprefix("file://")) if url and "://" not in url.removeprefix("file://") else None
    return path.resolve() if path is not None and path.is_dir() else None


def shared_dir() -> Path:
    """The first of FOLIO_SHARED, ``shared/`` beside this repository or beside its origin that exists
    (the first candidate when none does, so a test names the path it looked for)."""
    candidates = [Path(os.environ["FOLIO_SHARED"])] if os.environ.get("FOLIO_SHARED") else []
    candidates.append(ROOT.parent / "shared")
    origin = _origin()
    if origin is not None:
        candidates.append(origin.parent / "shared")
    return next((c for c in candidates if c.is_dir()), candidates[0])


SHARED = shared_dir()
