"""Key files: written once, durably, never overwritten; a broken one is named plainly."""

from __future__ import annotations


def test_key_files_are_written_once_and_atomically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from screening.crypto.keyfiles import read_or_create

    path = tmp_path / "sub" / "data.key"
    first = read_or_create(path, "first-secret")
    assert first == "first-secret"
    assert read_or_create(path, "second-secret") == "first-secret"  # never overwritten
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["data.key"]  # no temporary left


def test_a_broken_key_file_gives_a_plain_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from screening.crypto.seal import CryptoError, load_master_key

    (tmp_path / "data.key").write_text("")
    with pytest.raises(CryptoError, match="restore it"):
        load_master_key(tmp_path, None)
