"""indexer/kept.py: values derived from an index generation, kept beside it for later processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.kept import PREFIX, kept_docs, kept_text, tag_of


class Counting:
    """A compute function that says how often it ran."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_computed_once_then_read_by_later_processes(tmp_path: Path) -> None:
    docs = Counting({3, 1, 200_000})
    assert kept_docs(tmp_path, "in-force", "t1", 4, docs) == {1, 3, 200_000}  # type: ignore[arg-type]
    assert kept_docs(tmp_path, "in-force", "t1", 4, docs) == {1, 3, 200_000}  # type: ignore[arg-type]
    text = Counting("abc")
    assert kept_text(tmp_path, "regulations", "t1", 4, text) == kept_text(tmp_path, "regulations", "t1", 4, text)  # type: ignore[arg-type]
    assert (docs.calls, text.calls) == (1, 1)


def test_another_generation_or_tag_is_computed_again_and_older_generations_go(tmp_path: Path) -> None:
    docs = Counting({1})
    kept_docs(tmp_path, "governing", "kindA", 4, docs)  # type: ignore[arg-type]
    kept_docs(tmp_path, "governing", "kindB", 4, docs)  # type: ignore[arg-type]
    kept_docs(tmp_path, "governing", "kindA", 5, docs)  # type: ignore[arg-type]  a newer generation
    assert docs.calls == 3
    names = sorted(p.name for p in tmp_path.glob(f"{PREFIX}*"))
    assert names == [f"{PREFIX}governing-kindA-g5.bin"]  # generation 4's files of that name removed
    kept_docs(tmp_path, "governing", "changed-code", 5, docs)  # type: ignore[arg-type]
    assert docs.calls == 4


@pytest.mark.parametrize("damage", [b"", b"junk", b"XKP1D\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00"])
def test_a_damaged_file_is_computed_again_and_written_over(tmp_path: Path, damage: bytes) -> None:
    docs = Counting({7, 8})
    kept_docs(tmp_path, "in-force", "t", 1, docs)  # type: ignore[arg-type]
    (path,) = tmp_path.glob(f"{PREFIX}in-force-*")
    path.write_bytes(damage)
    assert kept_docs(tmp_path, "in-force", "t", 1, docs) == {7, 8}  # type: ignore[arg-type]
    assert docs.calls == 2
    assert kept_docs(tmp_path, "in-force", "t", 1, docs) == {7, 8} and docs.calls == 2  # type: ignore[arg-type]


def test_a_read_only_folder_or_none_keeps_nothing_but_answers(tmp_path: Path) -> None:
    docs = Counting({1, 2})
    assert kept_docs(None, "in-force", "t", 1, docs) == {1, 2}  # type: ignore[arg-type]
    missing = tmp_path / "gone"
    assert kept_docs(missing, "in-force", "t", 1, docs) == {1, 2}  # type: ignore[arg-type]  unwritable: no error
    assert not missing.exists() and docs.calls == 2


def test_a_tag_changes_with_the_code_it_names(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("A = 1\n", encoding="utf-8")
    first = tag_of(module, "kind", "党内法规")
    module.write_text("A = 2\n", encoding="utf-8")
    assert tag_of(module, "kind", "党内法规") != first
    assert tag_of("a", "bc") != tag_of("ab", "c")  # parts are separated
