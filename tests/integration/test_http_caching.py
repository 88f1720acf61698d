"""Conditional GETs and Cache-Control on every GET route of every dialect (web.caching), each route's
sample event run as folio invoke runs it: its ETag (or Last-Modified) given back is a 304 with the
validators and no body; another tag is the full answer; the answer says how it may be cached."""

import json

import pytest

from ..conftest import ROOT
from ..infra.test_template_and_build import _function_of

GET_SAMPLES = sorted(p.name for p in (ROOT / "events").glob("*.json")
                     if json.loads(p.read_text()).get("requestContext", {}).get("http", {}).get("method") == "GET")


def prepared(event_file, template):
    """The sample's function and event, with the data it names created (as folio invoke does)."""
    from folio.local.fixtures import prepare, seed

    function_id = _function_of(event_file, template)
    event = json.loads((ROOT / "events" / event_file).read_text())
    seed()
    prepare(function_id, event)
    return function_id, event


def invoke(api, function_id, event, method=None, **headers):
    """The sample event again, with these headers added (and another method): the answer, and its
    headers by lower-case name."""
    changed = json.loads(json.dumps(event))
    changed["headers"].update(headers)
    if method is not None:
        changed["requestContext"]["http"]["method"] = method
        changed["routeKey"] = changed["requestContext"]["routeKey"] = f"{method} {event['routeKey'].split(' ', 1)[1]}"
    answer = api.runtime.invoke(function_id, changed)
    return answer, {k.lower(): v for k, v in answer["headers"].items()}


@pytest.mark.moto_only(reason="HTTP semantics over the handlers; the engines' writes are the other suites'")
@pytest.mark.parametrize("event_file", GET_SAMPLES)
def test_every_get_route_answers_304_to_its_own_validators(event_file, template, api):
    function_id, event = prepared(event_file, template)
    first, headers = invoke(api, function_id, event)
    assert first["statusCode"] in (200, 302), first
    if function_id.endswith("GetUploadFunction"):
        assert headers["cache-control"] == "no-store"  # a session's answer hands out write URLs
        return
    assert "Authorization" in headers["vary"]
    personal = event_file.startswith("kyc_")
    assert headers["cache-control"] == ("no-store" if personal or first["statusCode"] == 302 else "private, no-cache")
    etag = headers["etag"]

    def again(**extra):
        return invoke(api, function_id, event, **extra)[0]

    not_modified, kept = invoke(api, function_id, event, **{"if-none-match": etag})
    assert not_modified["statusCode"] == 304 and not not_modified["body"], not_modified
    assert kept["etag"] == etag and kept["cache-control"] == headers["cache-control"] and kept["vary"] == headers["vary"]
    assert not {"content-type", "content-disposition", "location"} & set(kept)
    assert again(**{"if-none-match": '"not-it"'})["statusCode"] == first["statusCode"]
    if "last-modified" in headers:  # crm: If-Modified-Since, and If-None-Match winning over it
        assert again(**{"if-modified-since": headers["last-modified"]})["statusCode"] == 304
        assert again(**{"if-modified-since": headers["last-modified"], "if-none-match": '"0"'})["statusCode"] == 200


@pytest.mark.moto_only(reason="HTTP semantics over the handlers; the engines' writes are the other suites'")
@pytest.mark.parametrize("event_file", GET_SAMPLES)
def test_every_get_route_answers_head_with_its_headers_and_no_body(event_file, template, api):
    """The template declares HEAD beside every GET route, on the same function and scopes."""
    function_id, event = prepared(event_file, template)
    routes = {r.method for r in template.functions[function_id].routes}
    assert routes >= {"GET", "HEAD"}, function_id
    got, got_headers = invoke(api, function_id, event)
    answer, head_headers = invoke(api, function_id, event, "HEAD")
    assert answer["statusCode"] == got["statusCode"] and answer["body"] == ""
    assert {k: v for k, v in head_headers.items() if k != "content-length"} == got_headers
    if got["body"]:
        from folio.local.runtime import response_body

        assert int(head_headers["content-length"]) == len(response_body(got))


FILE_SAMPLES = ["kyc_get_document_image.json", "dms_get_document_version_file.json", "crm_get_document_content.json",
                "capture_get_attachment_content.json", "artu_get_document_file.json"]


@pytest.mark.moto_only(reason="HTTP semantics over the handlers; the engines' writes are the other suites'")
@pytest.mark.parametrize("event_file", FILE_SAMPLES)
def test_files_served_inline_answer_ranges(event_file, template, api):
    from folio.local.runtime import response_body

    function_id, event = prepared(event_file, template)
    whole, headers = invoke(api, function_id, event)
    data = response_body(whole)
    assert whole["statusCode"] == 200 and headers["accept-ranges"] == "bytes" and len(data) > 4

    def ranged(**extra):
        return invoke(api, function_id, event, **extra)

    part, part_headers = ranged(range="bytes=1-3")
    assert part["statusCode"] == 206 and response_body(part) == data[1:4]
    assert part_headers["content-range"] == f"bytes 1-3/{len(data)}" and part_headers["etag"] == headers["etag"]
    tail, _ = ranged(range="bytes=-2")
    assert tail["statusCode"] == 206 and response_body(tail) == data[-2:]
    past, past_headers = ranged(range=f"bytes={len(data)}-")
    assert past["statusCode"] == 416 and past_headers["content-range"] == f"bytes */{len(data)}"
    assert past_headers["cache-control"] == "no-store"
    same, _ = ranged(range="bytes=0-1", **{"if-range": headers["etag"]})
    assert same["statusCode"] == 206
    changed, _ = ranged(range="bytes=0-1", **{"if-range": '"an older version"'})
    assert changed["statusCode"] == 200 and response_body(changed) == data
    held, _ = ranged(range="bytes=0-1", **{"if-none-match": headers["etag"]})
    assert held["statusCode"] == 304


@pytest.mark.moto_only(reason="HTTP semantics over the handlers; the engines' writes are the other suites'")
@pytest.mark.parametrize("event_file", FILE_SAMPLES)
def test_range_applies_to_get_only_and_after_if_none_match(event_file, template, api):
    """HEAD ignores Range (RFC 9110 §14.2) and reads no byte; a file the client holds is a 304 even when
    its Range lies past the end (the 304 comes first); the 416 is the dialect's own error body."""
    function_id, event = prepared(event_file, template)
    etag = invoke(api, function_id, event)[1]["etag"]

    def varied(method=None, **extra):
        return invoke(api, function_id, event, method, **extra)[0]

    head = varied("HEAD", range="bytes=0-1")
    assert head["statusCode"] == 200 and head["body"] == ""
    assert varied(range="bytes=999999999-", **{"if-none-match": etag})["statusCode"] == 304
    refused = varied(range="bytes=999999999-")
    body = json.loads(refused["body"])
    assert refused["statusCode"] == 416
    if event_file.startswith("dms_"):
        assert body["code"] == 416 and body["message"] == "Range not satisfiable"
    else:
        assert body["status"] == 416 and body["title"] == "Range Not Satisfiable"
