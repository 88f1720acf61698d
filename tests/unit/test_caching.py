"""web.caching: Cache-Control and Vary per answer, and the 304 of a conditional GET (RFC 9110 §13)."""

import pytest

from folio.web.caching import CachePolicy, finish

ENTITY = {"statusCode": 200, "headers": {"Content-Type": "application/json", "ETag": '"3"',
                                         "Last-Modified": "Fri, 04 Dec 2026 10:00:00 GMT"}, "body": '{"a": 1}'}
FILE = {"statusCode": 200, "headers": {"Content-Type": "image/png", "ETag": '"ab12"', "Content-Disposition": "inline",
                                       "Content-Security-Policy": "sandbox"}, "body": "AAAA", "isBase64Encoded": True}


def test_every_answer_says_how_it_may_be_cached_and_what_it_varies_by():
    ok = finish(ENTITY, "GET", {}, CachePolicy(vary=("X-Environment",)))
    assert ok["statusCode"] == 200 and ok["headers"]["Cache-Control"] == "private, no-cache"
    assert ok["headers"]["Vary"] == "Authorization, X-Environment"
    personal = finish(FILE, "GET", {}, CachePolicy(personal=True, vary=("X-Domain-ID",)))
    assert personal["headers"]["Cache-Control"] == "no-store"
    error = finish({"statusCode": 404, "headers": {"Cache-Control": "max-age=60"}, "body": "{}"}, "GET", {}, CachePolicy())
    assert error["headers"]["Cache-Control"] == "no-store"
    redirect = finish({"statusCode": 302, "headers": {"Location": "https://s3/x", "Cache-Control": "no-store"}},
                      "GET", {}, CachePolicy())
    assert redirect["headers"]["Cache-Control"] == "no-store"


@pytest.mark.parametrize("tags, matches", [('"3"', True), ('W/"3"', True), ('"1", "3"', True), ("*", True),
                                           ('"4"', False), ('"3', False), ("3", False), ("", False)])
def test_if_none_match_is_compared_weakly_for_documents(tags, matches):
    answer = finish(ENTITY, "GET", {"if-none-match": tags}, CachePolicy())
    assert answer["statusCode"] == (304 if matches else 200)


@pytest.mark.parametrize("tags, matches", [('"ab12"', True), ('W/"ab12"', False), ('"x", "ab12"', True), ("*", True)])
def test_if_none_match_is_compared_strongly_for_files(tags, matches):
    assert finish(FILE, "GET", {"if-none-match": tags}, CachePolicy())["statusCode"] == (304 if matches else 200)


def test_a_304_keeps_the_validators_and_caching_headers_and_nothing_else():
    answer = finish(FILE, "GET", {"if-none-match": '"ab12"'}, CachePolicy())
    assert answer == {"statusCode": 304, "body": "", "isBase64Encoded": False,
                      "headers": {"ETag": '"ab12"', "Cache-Control": "private, no-cache", "Vary": "Authorization"}}


@pytest.mark.parametrize("since, status", [("Fri, 04 Dec 2026 10:00:00 GMT", 304), ("Sat, 05 Dec 2026 10:00:00 GMT", 304),
                                           ("Thu, 03 Dec 2026 10:00:00 GMT", 200), ("not a date", 200)])
def test_if_modified_since_where_an_answer_has_last_modified(since, status):
    assert finish(ENTITY, "GET", {"if-modified-since": since}, CachePolicy())["statusCode"] == status


def test_if_none_match_wins_over_if_modified_since():
    headers = {"if-none-match": '"4"', "if-modified-since": "Sat, 05 Dec 2026 10:00:00 GMT"}
    assert finish(ENTITY, "GET", headers, CachePolicy())["statusCode"] == 200  # RFC 9110 §13.2.2


def test_a_list_gets_a_weak_etag_of_its_body_and_writes_are_never_304():
    listed = finish({"statusCode": 200, "headers": {}, "body": '{"data": []}'}, "GET", {}, CachePolicy())
    etag = listed["headers"]["ETag"]
    assert etag.startswith('W/"')
    assert finish({"statusCode": 200, "headers": {}, "body": '{"data": []}'}, "GET", {"if-none-match": etag},
                  CachePolicy())["statusCode"] == 304
    assert finish({"statusCode": 200, "headers": {}, "body": '{"data": [1]}'}, "GET", {"if-none-match": etag},
                  CachePolicy())["statusCode"] == 200
    assert finish(ENTITY, "PATCH", {"if-none-match": '"3"'}, CachePolicy())["statusCode"] == 200


def test_a_redirect_to_a_file_the_client_holds_is_a_304():
    redirect = {"statusCode": 302, "headers": {"Location": "https://s3/x", "Cache-Control": "no-store", "ETag": '"ab12"'}}
    assert finish(redirect, "GET", {"if-none-match": '"ab12"'}, CachePolicy())["statusCode"] == 304
    assert finish(redirect, "GET", {"if-none-match": 'W/"ab12"'}, CachePolicy())["statusCode"] == 302


@pytest.mark.parametrize("header, if_range, expected", [
    ("bytes=0-3", None, (0, 3)), ("bytes=4-", None, (4, 9)), ("bytes=-3", None, (7, 9)), ("bytes=5-100", None, (5, 9)),
    ("bytes=-100", None, (0, 9)), ("bytes=0-1,4-5", None, None), ("items=0-1", None, None), ("bytes=3-1", None, None),
    ("bytes=0-3", '"etag"', (0, 3)), ("bytes=0-3", '"other"', None), ("bytes=0-3", "Fri, 04 Dec 2026 10:00:00 GMT", None),
    (None, None, None)])
def test_byte_ranges_of_a_file(header, if_range, expected):
    from folio.web.responses import byte_range

    assert byte_range(header, if_range, '"etag"', 10) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=99-120", "bytes=-0"])
def test_a_range_wholly_outside_the_file_is_416(header):
    from folio.core.errors import RangeNotSatisfiable
    from folio.web.responses import byte_range

    with pytest.raises(RangeNotSatisfiable) as refused:
        byte_range(header, None, '"etag"', 10)
    assert refused.value.size == 10


def test_a_head_answers_the_gets_headers_without_its_body():
    from folio.web.caching import as_get, without_body

    event = {"routeKey": "HEAD /api/v1/Document/{id}", "requestContext": {"http": {"method": "HEAD"},
                                                                          "routeKey": "HEAD /api/v1/Document/{id}"}}
    get = as_get(event)
    assert get["routeKey"] == get["requestContext"]["routeKey"] == "GET /api/v1/Document/{id}"
    assert get["requestContext"]["http"]["method"] == "GET" and event["requestContext"]["http"]["method"] == "HEAD"
    answer = without_body({"statusCode": 200, "headers": {"ETag": '"1"'}, "body": "AAAA", "isBase64Encoded": True})
    assert answer == {"statusCode": 200, "headers": {"ETag": '"1"', "Content-Length": "3"}, "body": "",
                      "isBase64Encoded": False}


@pytest.mark.parametrize("header, expected", [
    ("bytes=0-" + "9" * 5000, None), ("bytes=-" + "9" * 5000, None),  # over 200 characters: ignored
    ("bytes=0-" + "9" * 30, (0, 9)), ("bytes=-" + "9" * 30, (0, 9)), ("bytes=١-٢", None),
    ("bytes = 0 - 3", (0, 3)), ("bytes=" + " " * 8000 + "0-1", None), ("bytes=0000-0003", (0, 3))])
def test_hostile_ranges_are_served_or_ignored_never_a_5xx(header, expected):
    from folio.web.responses import byte_range

    assert byte_range(header, None, '"etag"', 10) == expected


def test_a_range_of_an_empty_file_or_one_starting_at_a_huge_offset():
    from folio.core.errors import RangeNotSatisfiable
    from folio.web.responses import byte_range

    assert byte_range("bytes=-5", None, '"e"', 0) is None  # no byte to range over: the whole (empty) file
    with pytest.raises(RangeNotSatisfiable):
        byte_range("bytes=" + "9" * 30 + "-", None, '"e"', 10)


@pytest.mark.parametrize("since", ["Sun, 06 Nov 99999999999 08:49:37 GMT", "Sun Nov  6 08:49:37 1994x", ""])
def test_dates_that_do_not_parse_or_overflow_are_ignored(since):
    assert finish(ENTITY, "GET", {"if-modified-since": since}, CachePolicy())["statusCode"] == 200


def test_an_asctime_date_is_read_as_gmt():
    assert finish(ENTITY, "GET", {"if-modified-since": "Sat Dec  5 10:00:00 2026"}, CachePolicy())["statusCode"] == 304


def test_vary_is_merged_whatever_the_case_of_its_names():
    answer = finish({"statusCode": 200, "headers": {"Vary": "Origin", "vary": "Accept", "ETag": '"1"'}, "body": "{}"},
                    "GET", {}, CachePolicy())
    assert [v for k, v in answer["headers"].items() if k.lower() == "vary"] == ["Origin, Accept, Authorization"]
