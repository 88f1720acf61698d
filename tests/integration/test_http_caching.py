"""Conditional GETs and Cache-Control on every GET route of every dialect (web.caching), each route's
sample event run as folio invoke runs it: its ETag (or Last-Modified) given back is a 304 with the
validators and no body; another tag is the full answer; the answer says how it may be cached."""

import json
import re

import pytest

from ..conftest import ROOT

GET_SAMPLES = sorted(p.name for p in (ROOT / "events").glob("*.json")
                     if json.loads(p.read_text()).get("requestContext", {}).get("http", {}).get("method") == "GET")


def _function_of(event_file, template):
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", lid).lower().removesuffix("_function") + ".json": lid
            for lid in template.functions}[event_file]


@pytest.mark.moto_only(reason="HTTP semantics over the handlers; the engines' writes are the other suites'")
@pytest.mark.parametrize("event_file", GET_SAMPLES)
def test_every_get_route_answers_304_to_its_own_validators(event_file, template, api):
    from folio.local.fixtures import prepare, seed

    function_id = _function_of(event_file, template)
    event = json.loads((ROOT / "events" / event_file).read_text())
    seed()
    prepare(function_id, event)
    first = api.runtime.invoke(function_id, event)
    headers = {k.lower(): v for k, v in first["headers"].items()}
    if first["statusCode"] >= 400 or function_id.endswith("GetUploadFunction"):
        assert headers["cache-control"] == "no-store"  # errors, and a session's answer (it hands out write URLs)
        return
    assert first["statusCode"] in (200, 302), first
    assert "Authorization" in headers["vary"]
    personal = event_file.startswith("kyc_")
    assert headers["cache-control"] == ("no-store" if personal or first["statusCode"] == 302 else "private, no-cache")
    etag = headers["etag"]

    def again(**extra):
        varied = json.loads(json.dumps(event))
        varied["headers"].update(extra)
        return api.runtime.invoke(function_id, varied)

    not_modified = again(**{"if-none-match": etag})
    assert not_modified["statusCode"] == 304 and not not_modified["body"], not_modified
    kept = {k.lower(): v for k, v in not_modified["headers"].items()}
    assert kept["etag"] == etag and kept["cache-control"] == headers["cache-control"] and kept["vary"] == headers["vary"]
    assert not {"content-type", "content-disposition", "location"} & set(kept)
    assert again(**{"if-none-match": '"not-it"'})["statusCode"] == first["statusCode"]
    if "last-modified" in headers:  # crm: If-Modified-Since, and If-None-Match winning over it
        assert again(**{"if-modified-since": headers["last-modified"]})["statusCode"] == 304
        assert again(**{"if-modified-since": headers["last-modified"], "if-none-match": '"0"'})["statusCode"] == 200
