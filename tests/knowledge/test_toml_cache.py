"""The parsed-TOML cache of the shipped knowledge: saves the parse, never changes a result."""

from __future__ import annotations

import os
import pickle
import tomllib
from pathlib import Path

import pytest

from audit.knowledge import toml_cache
from audit.knowledge.toml_cache import CACHE_ENV, cache_dir, parse_toml

TEXT = 'title = "spamhaus"\nended = 2024-06-05\n[[lists]]\nzone = "zen.spamhaus.org"\n'


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path / "mailhygiene"


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def loads(text: str) -> dict:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(tomllib, "loads", loads)


def test_a_text_parsed_once_is_read_from_the_cache_after(folder, monkeypatch):
    # given a text parsed once
    first = parse_toml(TEXT, "dnsbl-test")
    expected = tomllib.loads(TEXT)
    # when it is parsed again with tomllib unavailable
    refuse_parsing(monkeypatch)
    again = parse_toml(TEXT, "dnsbl-test")
    # then the document is tomllib's, dates included, from one file in the cache
    assert again == first == expected
    assert len(list(folder.glob("dnsbl-test-*.pickle"))) == 1


def test_an_edited_text_is_parsed_afresh_and_replaces_the_old_file(folder, monkeypatch):
    # given a file's text cached
    parse_toml(TEXT, "dnsbl-test")
    # when the text changes
    edited = 'extra = "new"\n' + TEXT
    document = parse_toml(edited, "dnsbl-test")
    # then the new content is parsed, and it is what is cached now (one file)
    assert document["extra"] == "new"
    refuse_parsing(monkeypatch)
    assert parse_toml(edited, "dnsbl-test") == document
    assert len(list(folder.glob("dnsbl-test-*.pickle"))) == 1


def test_a_damaged_cache_file_is_parsed_afresh_and_rewritten(folder):
    # given a cache file with garbage in it
    parse_toml(TEXT, "dnsbl-test")
    [path] = folder.glob("dnsbl-test-*.pickle")
    path.write_bytes(b"not a pickle")
    # when the text is parsed
    document = parse_toml(TEXT, "dnsbl-test")
    # then the result is tomllib's and the file is good again
    assert document == tomllib.loads(TEXT)
    assert pickle.loads(path.read_bytes()) == (TEXT, document)


class Planted:
    def __reduce__(self) -> tuple:
        return (Path.touch, (Path(self.marker),))

    marker = ""


def test_a_planted_pickle_runs_no_code(folder, tmp_path):
    # given a cache file that would touch a file when unpickled
    parse_toml(TEXT, "dnsbl-test")
    [path] = folder.glob("dnsbl-test-*.pickle")
    Planted.marker = str(tmp_path / "pwned")
    path.write_bytes(pickle.dumps((TEXT, {"title": Planted()})))
    # when the text is parsed
    document = parse_toml(TEXT, "dnsbl-test")
    # then nothing ran and the document is tomllib's
    assert not (tmp_path / "pwned").exists()
    assert document == tomllib.loads(TEXT)


def test_an_unwritable_cache_directory_only_costs_the_parse(tmp_path, monkeypatch):
    # given a cache "directory" that is a file
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    # when a text is parsed, then the result is tomllib's
    assert parse_toml(TEXT, "dnsbl-test") == tomllib.loads(TEXT)


def test_bad_toml_raises_tomllibs_error(folder):
    # given a malformed text, when parsed, then tomllib's own error (the loaders catch it)
    with pytest.raises(tomllib.TOMLDecodeError):
        parse_toml("zone = ", "dnsbl-test")


def test_a_relative_cache_home_is_ignored(monkeypatch, tmp_path):
    # given $XDG_CACHE_HOME relative (invalid per the XDG spec)
    monkeypatch.setenv(CACHE_ENV, "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    # when the cache directory is chosen, then it is ~/.cache's
    assert cache_dir() == tmp_path / ".cache" / "mailhygiene"


def test_the_shipped_knowledge_is_the_same_from_the_cache(folder, monkeypatch):
    # given the shipped catalog and bounce knowledge parsed without a cache
    from audit.knowledge.dnsbl.catalog import load_catalog
    from audit.knowledge.providers import _load, parse_knowledge

    def fresh() -> tuple:
        return load_catalog(), parse_knowledge(_load("providers.toml"), _load("lists.toml"))

    uncached = fresh()
    # when they are loaded again, from the cache
    refuse_parsing(monkeypatch)
    cached = fresh()
    # then they are equal
    assert cached == uncached
    assert toml_cache.FORMAT in next(folder.iterdir()).name


def test_a_users_file_is_parsed_and_not_cached(folder):
    # given a text with no shipped file's name (a user's --lists FILE)
    # when it is parsed, then the document is tomllib's and nothing is written
    assert parse_toml(TEXT, None) == tomllib.loads(TEXT)
    assert not folder.exists()


def test_without_a_home_nothing_is_cached(monkeypatch):
    # given no $XDG_CACHE_HOME and no home directory to be found
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    # when a shipped text is parsed, then it is parsed, with no cache directory
    assert cache_dir() is None
    assert parse_toml(TEXT, "dnsbl-test") == tomllib.loads(TEXT)
