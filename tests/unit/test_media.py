"""web.media: one parsed media type per file, and how a stored file of each type is served (issue 13.8)."""

import time

import pytest

from folio.core import FileRef
from folio.web.media import INERT_TYPES, is_inert, parse_media_type
from folio.web.responses import file_response, stored_file


@pytest.mark.parametrize("value, parsed", [
    ("image/png", "image/png"), ("IMAGE/PNG", "image/png"), (" \timage/png \t", "image/png"),
    ("image/svg+xml; charset=utf-8", "image/svg+xml"), ("application/pdf;name=\"a;b.pdf\"", "application/pdf"),
    ("text/plain;charset=UTF-8", "text/plain; charset=utf-8"), ('text/plain ; CHARSET="iso-8859-1"', "text/plain; charset=iso-8859-1"),
    ("text/plain; format=flowed; charset=utf-8", "text/plain; charset=utf-8"), ("text/plain;;", "text/plain"),
    ('text/plain; charset="not a token"', "text/plain"), ("application/vnd.ms-excel", "application/vnd.ms-excel"),
])
def test_parse_media_type_normalises_one_type(value, parsed):
    assert parse_media_type(value) == parsed


@pytest.mark.parametrize("value", [
    "", " ", "text/html, text/plain", "text/plain,text/html", "text/html; x=application/", "text/html; x=a,b",
    "image/png image/svg+xml", "image", "image/", "/png", "image/png/x", "image/png;charset", 'text/html; a="b',
    "image/png\x0b", "image/png\r\ntext/html", "ima ge/png", "image/pn(g)", "image/png; a=\"\x00\"", "tëxt/plain",
])
def test_parse_media_type_refuses_anything_but_one_type(value):
    assert parse_media_type(value) is None


def test_parse_media_type_is_linear_on_hostile_input():
    started = time.process_time()
    for value in ("a/b" + " ;" * 50_000 + ",", "a/b" + ";a=b" * 50_000 + " x", "a/b; a=\"" + "\\\"" * 50_000):
        assert parse_media_type(value) is None
    assert time.process_time() - started < 1


@pytest.mark.parametrize("media_type", sorted(INERT_TYPES) + ["video/mp4", "audio/mpeg", "text/plain; charset=utf-8"])
def test_inert_types(media_type):
    assert is_inert(media_type)


@pytest.mark.parametrize("media_type", ["text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                                        "application/xml", "application/javascript", "text/javascript",
                                        "application/json", "text/css", "multipart/x-mixed-replace", "x/y", ""])
def test_active_types(media_type):
    assert not is_inert(media_type)


def headers(answer):
    return {k.lower(): v for k, v in answer.headers.items()}


@pytest.mark.parametrize("content_type", ["text/html", "image/svg+xml", "application/x-unknown"])
def test_an_active_file_is_a_sandboxed_attachment(content_type):
    answer = stored_file(b"<x>", FileRef("k", "v", 3, "ab", content_type, "a.html"))
    got = headers(answer)
    assert got["content-disposition"] == "attachment; filename=\"a.html\"; filename*=UTF-8''a.html"
    assert got["x-content-type-options"] == "nosniff"
    assert got["content-security-policy"] == "default-src 'none'; sandbox"
    ref = FileRef("k", "v", 3, "ab", content_type, "a.html")
    assert got["etag"] == ref.etag and got["etag"].startswith('"ab.') and answer.content_type == content_type


def test_an_inert_file_stays_inline_and_sandboxed():
    got = headers(file_response(b"png", "image/png", '"e"', "p.png"))
    assert got["content-disposition"].startswith("inline;")
    assert (got["x-content-type-options"], got["content-security-policy"]) == ("nosniff", "default-src 'none'; sandbox")


def test_a_pdf_stays_inline_loading_nothing():
    answer = file_response(b"%PDF", "application/pdf", '"e"')
    got = headers(answer)
    assert got["content-disposition"] == "inline" and got["x-content-type-options"] == "nosniff"
    assert got["content-security-policy"] == "default-src 'none'"


def test_a_stored_type_that_does_not_parse_is_served_as_bytes():
    answer = file_response(b"<html>", "text/html, text/plain", '"e"')
    assert answer.content_type == "application/octet-stream"
    assert headers(answer)["content-disposition"] == "attachment"
    assert headers(answer)["content-security-policy"] == "default-src 'none'; sandbox"
