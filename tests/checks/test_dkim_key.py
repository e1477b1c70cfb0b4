"""Pure DKIM key-record parsing (RFC 6376 §3.6.1)."""

from __future__ import annotations

from checks.dkim.key import KeyState, analyse_key, is_key_record, parse_tags


def test_duplicate_tag_is_malformed() -> None:
    assert analyse_key("v=DKIM1; p=; p=").state is KeyState.MALFORMED


def test_missing_p_tag_is_malformed() -> None:
    assert analyse_key("v=DKIM1; k=rsa").state is KeyState.MALFORMED


def test_wrong_version_is_malformed() -> None:
    assert analyse_key("v=DKIM2; p=").state is KeyState.MALFORMED


def test_unknown_key_type_is_malformed() -> None:
    assert analyse_key("v=DKIM1; k=dsa; p=AAAA").state is KeyState.MALFORMED


def test_empty_p_is_revoked() -> None:
    assert analyse_key("v=DKIM1; k=rsa; p=").state is KeyState.REVOKED


def test_whitespace_inside_tags_is_ignored() -> None:
    assert parse_tags(" v = DKIM1 ;  k=rsa ; t = y:s ") == {"v": "DKIM1", "k": "rsa", "t": "y:s"}


def test_flags_and_hashes_are_split_on_colons() -> None:
    key = analyse_key("v=DKIM1; h=sha1:sha256; t=y:s; p=")
    assert (key.hash_algorithms, key.flags) == (("sha1", "sha256"), ("y", "s"))
    assert not key.sha1_only


def test_unrelated_txt_is_not_a_key_record() -> None:
    assert not is_key_record("google-site-verification=abc")
    assert is_key_record("k=rsa; p=MIIB")
