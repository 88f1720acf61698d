"""Core rules without AWS: preconditions, records, callers."""

from datetime import UTC, datetime, timedelta

import pytest

from folio.core import Caller, Document, DocumentKey, FileRef, Precondition
from folio.core.errors import Forbidden, PreconditionFailed

T0 = datetime(2026, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)


def make(version=2, updated=T0):
    return Document(DocumentKey("t", "k", "1"), version, {"a": 1},
                    {"front": FileRef("t/k/1/front", "v1", 3, "ab" * 32, "image/png", "x.png")},
                    T0, updated, {"sub": "s"}, {"sub": "s"})


def test_etag_is_strong_and_derived_from_version():
    assert make(version=5).etag == '"5"'


def test_record_round_trip():
    d = make()
    assert Document.from_record(d.key, d.version, d.to_record()) == d


def test_if_match():
    Precondition(if_match=('"2"',)).check(make())
    Precondition(if_match=('"1"', '"2"')).check(make())
    Precondition(if_match=("*",)).check(make())
    with pytest.raises(PreconditionFailed) as info:
        Precondition(if_match=('"1"',)).check(make())
    assert info.value.current.etag == '"2"'
    with pytest.raises(PreconditionFailed):
        Precondition(if_match=('W/"2"',)).check(make())  # strong comparison
    with pytest.raises(PreconditionFailed):
        Precondition(if_match=("*",)).check(None)


def test_if_none_match_any():
    Precondition(if_none_match_any=True).check(None)
    with pytest.raises(PreconditionFailed):
        Precondition(if_none_match_any=True).check(make())


def test_if_unmodified_since_http_date_has_second_resolution():
    earlier_second = make(1, T0 - timedelta(seconds=2))
    Precondition(if_unmodified_since=T0.replace(microsecond=0)).check(make(), lambda: earlier_second)
    Precondition(if_unmodified_since=T0 + timedelta(seconds=3)).check(make())  # a later second: no read
    Precondition(if_unmodified_since=T0.replace(microsecond=0)).check(make(1))  # the only version
    with pytest.raises(PreconditionFailed):
        Precondition(if_unmodified_since=T0 - timedelta(seconds=1)).check(make())


def test_if_unmodified_since_naming_a_second_of_two_versions_cannot_prove_which_was_seen():
    """Version 1 at .100 and version 2 at .500 of one second: a client sending that second may
    hold either, so overwriting version 2 could lose it (412, naming If-Match); so too when the
    version before cannot be read."""
    same_second = make(1, T0.replace(microsecond=100_000))
    since = Precondition(if_unmodified_since=T0.replace(microsecond=0))
    with pytest.raises(PreconditionFailed, match="If-Match"):
        since.check(make(), lambda: same_second)
    with pytest.raises(PreconditionFailed):
        since.check(make(), lambda: None)
    with pytest.raises(PreconditionFailed):
        since.check(make())


def test_if_unmodified_since_iso_is_exact():
    Precondition(if_unmodified_since=T0, since_has_seconds_only=False).check(make())
    with pytest.raises(PreconditionFailed):
        Precondition(if_unmodified_since=T0 - timedelta(microseconds=1), since_has_seconds_only=False).check(make())


@pytest.mark.parametrize("tenant", ["", "a#b", "a/b", "x" * 129, "a b", ".", "..", "..."])
def test_unusable_tenants_are_refused(tenant):
    with pytest.raises(Forbidden):
        Caller(tenant=tenant, sub="s")


@pytest.mark.parametrize("tenant", [None, 5, 0, 1.5, True, False, ["acme"], {"id": "acme"},
                                    "acme\n", "acme\r\n", "None", "null", "true", "False", "5", "-5", "1.5e3"])
def test_a_tenant_claim_that_is_no_tenants_string_is_refused(tenant):
    """Not a string, a string with a trailing newline (``$`` would match before it), or what a
    claim that is no string becomes as HTTP API (or str()) passes it."""
    with pytest.raises(Forbidden):
        Caller(tenant=tenant, sub="s")


@pytest.mark.parametrize("tenant", ["acme", "t", "a.b_c:d@e-f", "x" * 128, "tenant5", "5tenant", "nonesuch", ".a", "a.."])
def test_tenants_strings_are_accepted(tenant):
    assert Caller(tenant=tenant, sub="s").tenant == tenant


def test_keys_start_with_the_tenant_and_file_keys_are_folio_chosen():
    from folio.storage.keys import document_key, partition_key

    key = DocumentKey("acme", "crm-document", "9")
    assert partition_key(key) == "acme#crm-document#9"
    assert document_key("acme#crm-document#9") == key
    assert document_key(partition_key(DocumentKey("acme", "artu-live", "c/x#1"))).id == "c/x#1"
    assert key.file_key("front") == "acme/crm-document/9/front"


def test_the_state_token_is_derived_as_it_always_was():
    """Tokens clients hold stay valid: the hash of tenant#kind#id#version, 16 bytes of BLAKE2b."""
    assert Document(DocumentKey("acme", "crm-document", "9"), 3, {}).state_token == "9f46ccdd086abecea15eef1cd58cc8c2"


def test_composite_ids_and_file_keys_read_back_as_they_were_made():
    key = DocumentKey.of("acme", "dms-document", 3, 4, 99)
    assert key == DocumentKey("acme", "dms-document", "3/4/99") and key.parts == ("3", "4", "99")
    one = DocumentKey("acme", "artu-test", "6f1c2a3b")
    assert DocumentKey.of_file_key(one.file_key("artu-upload")) == (one, "artu-upload")
    assert DocumentKey.of_file_key(key.file_key("file")) is None  # several parts: not one document's file
    assert DocumentKey.of_file_key("acme//x/slot") is None and DocumentKey.of_file_key("a/b") is None
