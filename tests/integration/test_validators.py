"""Validators that never say "unchanged" when the answer changed (issue 27, item 4), on both
engines: capture's document answer embeds its attachments' links, so its ETag covers them; a
file's ETag covers the name and media type it is served with; and crm's If-Unmodified-Since in
whole seconds refuses (412) when two versions were made in the second it names."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ..support.clock import Clock
from .test_capture_handlers import API, CLAIMS, XHR, capture_api, document, send  # noqa: F401 (fixtures)


def get(api, path, **headers):
    return api.request("GET", path, headers={**XHR, **headers}, claims=CLAIMS)


def test_capture_documents_etag_changes_with_the_attachments_it_links(capture_api, document):
    path = f"{API}/{document['id']}"
    empty = get(capture_api, path)
    assert empty.status == 200
    etag = empty.headers["etag"]
    assert get(capture_api, path, **{"If-None-Match": etag}).status == 304
    added = send(capture_api, "POST", f"{path}/attachments", attachment={"title": "Notes"},
                 content=("n.txt", b"notes\n", "text/plain"))
    assert added.status == 201, added.body
    with_link = get(capture_api, path, **{"If-None-Match": etag})
    assert with_link.status == 200 and with_link.headers["etag"] != etag  # the new link is shown
    assert f"/attachments/{added.json['id']}" in json.dumps(with_link.json["links"])
    linked = with_link.headers["etag"]
    gone = capture_api.request("DELETE", f"{path}/attachments/{added.json['id']}", headers=XHR, claims=CLAIMS)
    assert gone.status == 204, gone.body
    after = get(capture_api, path, **{"If-None-Match": linked})
    assert after.status == 200 and f"/attachments/{added.json['id']}" not in json.dumps(after.json["links"])
    assert after.headers["etag"] == etag  # the same version with the same (no) links: the same answer


def test_a_file_with_the_same_bytes_under_another_name_or_type_is_not_unchanged(api):
    assert api.request("POST", "/api/v1/Document", json_body={"Header": "h"}).status == 201
    data = b"%PDF-1.7 the same bytes"
    put = api.request("PUT", "/api/v1/Document/1/Content", body=data, headers={"Content-Type": "application/pdf"})
    assert put.status == 200, put.body
    first = api.request("GET", "/api/v1/Document/1/Content")
    assert first.status == 200 and first.body == data
    etag = first.headers["etag"]
    again = api.request("PUT", "/api/v1/Document/1/Content", body=data, headers={"Content-Type": "text/plain"})
    assert again.status == 200, again.body
    now = api.request("GET", "/api/v1/Document/1/Content", headers={"If-None-Match": etag})
    assert now.status == 200 and now.headers["content-type"].startswith("text/plain")
    assert now.headers["etag"] != etag
    assert api.request("GET", "/api/v1/Document/1/Content", headers={"If-None-Match": now.headers["etag"]}).status == 304


@pytest.fixture
def frozen_clock(monkeypatch):
    """The service's clock, moved by hand (every DocumentService reads datetime.now through utcnow)."""
    from folio.core import service

    clock = Clock(datetime(2026, 11, 24, 9, 0, 0, 100_000, tzinfo=UTC))

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock()

    monkeypatch.setattr(service, "datetime", Frozen)
    return clock


def test_crm_if_unmodified_since_naming_a_second_of_two_versions_is_412(api, frozen_clock):
    """Client A reads version 1 (Last-Modified 09:00:00); client B patches at .600, in that same
    second; A's patch with If-Unmodified-Since 09:00:00 would overwrite B's unseen: 412. After a
    second with no other version, the same date proves A saw the latest: 200."""
    created = api.request("POST", "/api/v1/Document", json_body={"Header": "v1"})
    assert created.status == 201, created.body
    seen = api.request("GET", "/api/v1/Document/1").headers["last-modified"]
    assert seen == "Tue, 24 Nov 2026 09:00:00 GMT"
    frozen_clock.advance(0.5)
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "B"}).status == 200
    stale = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "A"}, headers={"If-Unmodified-Since": seen})
    assert stale.status == 412, stale.body
    assert "If-Match" in stale.json["detail"] and stale.headers["etag"] == '"2"'
    assert api.request("GET", "/api/v1/Document/1").json["Header"] == "B"
    frozen_clock.advance(1)
    assert api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "C"}).status == 200  # at 09:00:01.6
    latest = api.request("GET", "/api/v1/Document/1").headers["last-modified"]
    assert latest == "Tue, 24 Nov 2026 09:00:01 GMT"
    ok = api.request("PATCH", "/api/v1/Document/1", json_body={"Header": "D"}, headers={"If-Unmodified-Since": latest})
    assert ok.status == 200, ok.body  # version 3 was the only one made in 09:00:01
