"""REDbot, Mark Nottingham's HTTP linter, on every GET route of folio local (issue 18): no note it
rates BAD or WARN, except those listed in ACCEPTED with the reason each is accepted. The token is
sent as a request header of the test's own (REDbot's CLI has no way to send one: tests/support/
redbot_notes.py drives REDbot's own HttpResource in the tools' virtualenv)."""

import json
import subprocess

import pytest

from ..conftest import ROOT
from .test_auth_matrix import TENANT, requests_for, world  # noqa: F401 - the fixture, and its data

pytestmark = pytest.mark.e2e

#: REDbot's notes rated BAD or WARN that folio accepts, by note name: why.
#: (accepted only on answers of at most 96 bytes, where they hold)
ACCEPTED: dict[str, str] = {
    "RANGE_CL_FULL": "REDbot asks for up to 96 bytes from the start of a sample; the files of this world are smaller, "
                     "so its range is the whole file and the 206 is as long as the 200. Partial ranges, 416 and "
                     "If-Range are checked on every file route by test_http_caching.test_files_served_inline_answer_ranges.",
}


def test_redbot_finds_nothing_bad_on_any_get_route(local_server, world):  # noqa: F811 - the fixture
    token = local_server.token(tenant=TENANT)
    checks = []
    for route, method, path, kwargs in requests_for(world):
        if method != "GET":
            continue
        headers = {"Authorization": f"Bearer {token}", **kwargs.get("extra", {}), **kwargs.get("headers", {})}
        checks.append({"url": local_server.url + path, "headers": headers, "route": route})
    out = subprocess.run([str(ROOT / ".tools" / "bin" / "python"), str(ROOT / "tests" / "support" / "redbot_notes.py")],
                         input=json.dumps(checks), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads(out.stdout)
    assert len(results) == len(checks) == 34
    flagged = []
    for check, result in zip(checks, results):
        accepted = set(ACCEPTED) if (result["length"] or 0) <= 96 else set()  # REDbot's sample: 96 bytes
        flagged += [(check["route"], note["name"], note["summary"]) for note in result["notes"]
                    if note["level"] in ("bad", "warning") and note["name"] not in accepted]
    statuses = [int(result["status"]) for result in results]
    assert statuses.count(200) >= 30 and set(statuses) <= {200, 302, 404}, statuses  # the kyc back: none here
    assert flagged == [], "\n".join(f"{route}: {name}: {summary}" for route, name, summary in flagged)
