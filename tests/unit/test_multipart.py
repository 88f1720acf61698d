"""The shared multipart parser, on what real clients send."""

import http.server
import io
import json
import shutil
import subprocess
import threading

import pytest
from requests_toolbelt import MultipartEncoder

from folio.core.errors import InvalidRequest, UnsupportedMediaType
from folio.web.multipart import parse_form_data

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


def test_requests_toolbelt_encoder_with_utf8_names_binary_and_empty_files():
    enc = MultipartEncoder(fields={
        "document": ('{"type": "NATIONAL_ID"}'),
        "front": ("pässport front.jpg", io.BytesIO(JPEG), "image/jpeg"),
        "back": ("empty.png", io.BytesIO(b""), "image/png"),
    })
    form = parse_form_data(enc.content_type, enc.to_string())
    assert form.require("document").data == b'{"type": "NATIONAL_ID"}'
    assert form.require("document").content_type is None and form.require("document").filename is None
    front = form.require("front")
    assert front.data == JPEG and front.filename == "pässport front.jpg" and front.media_type == "image/jpeg"
    assert form.require("back").data == b"" and form.require("back").filename == "empty.png"


class _Capture(http.server.BaseHTTPRequestHandler):
    captured: dict = {}

    def do_PUT(self):
        _Capture.captured = {"content-type": self.headers["Content-Type"],
                             "body": self.rfile.read(int(self.headers["Content-Length"]))}
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_what_curl_form_sends(tmp_path):
    """The KYC spec's own curl: `--form 'document={...}'` sends that part with no Content-Type."""
    (tmp_path / "front.jpg").write_bytes(JPEG)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.handle_request, daemon=True).start()
    subprocess.run([
        "curl", "-s", "-X", "PUT", f"http://127.0.0.1:{server.server_port}/",
        "--form", 'document={"type": "NATIONAL_ID", "number": "123456789"}',
        "--form", f"front=@{tmp_path / 'front.jpg'};type=image/jpeg",
    ], check=True, timeout=30)
    server.server_close()
    form = parse_form_data(_Capture.captured["content-type"], _Capture.captured["body"])
    assert form.require("document").content_type is None
    assert form.require("document").data == b'{"type": "NATIONAL_ID", "number": "123456789"}'
    assert form.require("front").data == JPEG and form.require("front").filename == "front.jpg"


def browser_body(boundary="----WebKitFormBoundary7MA4YWxkTrZu0gW"):
    return boundary, (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="attachment"\r\n'
        "Content-Type: application/json\r\n\r\n"
        '{"title": "Invoice"}\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="content"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def test_browser_formdata_with_an_empty_file_input():
    boundary, body = browser_body()
    form = parse_form_data(f"multipart/form-data; boundary={boundary}", body)
    assert form.require("attachment").media_type == "application/json"
    assert form.require("content").data == b"" and form.require("content").filename is None


def test_quoted_boundary_parameters_in_any_order_and_rfc2231_file_names():
    body = (b'--a b\'c\r\nContent-Disposition: form-data; filename*=UTF-8\'\'%E2%82%AC%20r%C3%A9sum%C3%A9.pdf; '
            b'name="front"; filename="fallback.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--a b\'c--')
    form = parse_form_data('multipart/form-data; charset=utf-8; boundary="a b\'c"', body)
    assert form.require("front").filename == "€ résumé.pdf"


def test_a_boundary_inside_a_file_is_refused_never_cut_silently():
    """RFC 2046 forbids it; toolbelt's decoder splits there, so the answer is a clear 400."""
    data = b"abc\r\n--xyzz is here"
    body = b"--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n" + data + b"\r\n--xyz--\r\n"
    with pytest.raises(InvalidRequest, match="malformed"):
        parse_form_data("multipart/form-data; boundary=xyz", body)


@pytest.mark.parametrize("name", [b"../../etc/passwd.jpg", b"pass\x00wd.jpg", b"C:\\\\Users\\\\me\\\\scan.png",
                                  b"a/b.png", b"tab\there.png", b"x" * 300])
def test_file_names_with_paths_or_control_characters_are_400(name):
    body = b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="' + name + b'"\r\n\r\nx\r\n--xyz--'
    with pytest.raises(InvalidRequest):
        parse_form_data("multipart/form-data; boundary=xyz", body)


def test_plain_unicode_file_names_are_kept():
    body = '--xyz\r\nContent-Disposition: form-data; name="f"; filename="Résumé final (2).pdf"\r\n\r\nx\r\n--xyz--'
    assert parse_form_data("multipart/form-data; boundary=xyz", body.encode()).require("f").filename == "Résumé final (2).pdf"


@pytest.mark.parametrize("content_type, body, message", [
    ("multipart/form-data", b"--x\r\n\r\n--x--", "no usable boundary"),
    ("multipart/form-data; boundary=" + "b" * 71, b"", "no usable boundary"),
    ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nhalf', "truncated"),
    ("multipart/form-data; boundary=xyz", b"--other\r\n\r\nx\r\n--other--", "truncated"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--xyz--", "no Content-Disposition"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--", "no Content-Disposition"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nno header end--xyz--", "malformed"),
    ("multipart/form-data; boundary=xyz",
     b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n2\r\n--xyz--',
     "more than once"),
])
def test_malformed_bodies_are_400_saying_what_is_wrong(content_type, body, message):
    with pytest.raises(InvalidRequest, match=message):
        parse_form_data(content_type, body)


@pytest.mark.parametrize("content_type", [None, "", "application/json", "multipart/mixed; boundary=x"])
def test_other_media_types_are_415(content_type):
    with pytest.raises(UnsupportedMediaType):
        parse_form_data(content_type, b"--x\r\n\r\n--x--")


def test_missing_required_part_is_400():
    boundary, body = browser_body()
    with pytest.raises(InvalidRequest, match="'front' is required"):
        parse_form_data(f"multipart/form-data; boundary={boundary}", body).require("front")


DOC_BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
DOC_SAMPLE = (DOC_BOUNDARY + '\r\nContent-Disposition: form-data; name="attachment"\r\nContent-Type: application/json\r\n\r\n'
              '{\r\n    "title": "Notes Title"\r\n}\r\n' + DOC_BOUNDARY + "\r\n \r\n")


@pytest.mark.parametrize("body", [
    DOC_SAMPLE,  # the capture spec's raw sample: the boundary as delimiter, no closing delimiter
    DOC_SAMPLE.replace("\r\n", "\n"),  # copied with bare LFs
    DOC_SAMPLE.replace("application/json\r\n\r\n", "application/json\r\n"),  # blank line lost
    DOC_SAMPLE.replace(DOC_BOUNDARY + "\r\n \r\n", "--" + DOC_BOUNDARY + "--\r\n").replace("\r\n", "\n"),  # LF only
])
def test_documentation_style_bodies_are_read(body):
    form = parse_form_data(f"multipart/form-data; boundary={DOC_BOUNDARY}", body.encode())
    part = form.require("attachment")
    assert part.media_type == "application/json"
    assert json.loads(part.data) == {"title": "Notes Title"}


@pytest.mark.parametrize("body", [
    DOC_SAMPLE[:-10],  # the last part is not ended by a delimiter
    "preamble\r\n" + DOC_SAMPLE.replace(DOC_BOUNDARY, "other"),  # no delimiter at all
])
def test_documentation_style_still_refuses_truncated_bodies(body):
    with pytest.raises(InvalidRequest):
        parse_form_data(f"multipart/form-data; boundary={DOC_BOUNDARY}", body.encode())


# ---------------------------------------------------------------- limits, checked while reading
def _named_part(name=b"a", extra=b""):
    return b"--xyz\r\nContent-Disposition: form-data; name=\"" + name + b"\"\r\n" + extra + b"\r\n\r\n"


def _parse_measured(body):
    """(the error or the form, how many parts the parser began, the peak of new allocations)."""
    import tracemalloc

    import multipart

    started = []
    original = multipart.PushMultipartParser._on_segment_start

    def counting(parser):
        started.append(1)
        return original(parser)

    multipart.PushMultipartParser._on_segment_start = counting
    tracemalloc.start()
    try:
        outcome = parse_form_data("multipart/form-data; boundary=xyz", body)
    except InvalidRequest as e:
        outcome = e
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        multipart.PushMultipartParser._on_segment_start = original
    return outcome, len(started), peak


def test_300000_parts_are_refused_at_the_part_limit_before_the_rest_is_read():
    """The review's 4.4 MB body: refused at part MAX_PARTS + 1, without copying the body."""
    from folio.web.multipart import MAX_PARTS

    body = _named_part() * 300_000 + b"--xyz--\r\n"
    outcome, started, peak = _parse_measured(body)
    assert isinstance(outcome, InvalidRequest) and f"at most {MAX_PARTS} parts" in str(outcome)
    assert started == MAX_PARTS + 1
    assert peak < 64 * 1024  # nothing proportional to the 300,000 parts


@pytest.mark.parametrize("body", [
    _named_part(extra=b"X-Padding: a\r\n" * 100_000) + b"x\r\n--xyz--\r\n",  # headers per part
    _named_part(extra=b"X-Padding: " + b"p" * 1_000_000 + b"\r\n") + b"x\r\n--xyz--\r\n",  # one header's size
    b"--xyz\n\n\n" * 300_000 + b"--xyz--\n",  # a documentation-style (LF only) body of 300,000 parts
])
def test_part_header_and_documentation_style_limits_are_checked_while_reading(body):
    outcome, started, peak = _parse_measured(body)
    assert isinstance(outcome, InvalidRequest)
    assert started <= 1 and peak < 1.5 * len(body)  # at most the one header line copied


def test_a_documentation_style_body_with_too_many_parts_is_refused_before_it_is_rewritten():
    body = (DOC_BOUNDARY + '\nContent-Disposition: form-data; name="a"\n\n{}\n') * 100 + DOC_BOUNDARY + "\n"
    with pytest.raises(InvalidRequest, match="at most 16 parts"):
        parse_form_data(f"multipart/form-data; boundary={DOC_BOUNDARY}", body.encode())


def test_a_4_mib_upload_is_read_with_one_copy_of_the_file():
    """The peak growth target is 1.5x the payload (the body itself is already held)."""
    payload = JPEG + bytes(4 * 1024 * 1024 - len(JPEG))
    enc = MultipartEncoder(fields={"document": '{"type": "PASSPORT"}', "front": ("f.jpg", io.BytesIO(payload), "image/jpeg")})
    body = enc.to_string()
    import tracemalloc

    tracemalloc.start()
    form = parse_form_data(enc.content_type, body)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert form.require("front").data == payload
    assert peak <= 1.5 * len(payload)
