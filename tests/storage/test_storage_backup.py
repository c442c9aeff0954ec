"""export_all / import_all and backup files: nothing saved is ever lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from storage_helpers import make_story

from starcoach.errors import InputError, StorageError
from starcoach.storage import StoredVectors, StoryStore, open_store, read_backup, write_backup
from starcoach.storage import backup as backup_module


def fill(store: StoryStore) -> dict[str, int]:
    """A bank with versions, a story in the trash and vectors from two models."""
    a = store.add(make_story(1), StoredVectors("model-a", np.arange(12).reshape(3, 4)))
    a = store.update(a.with_changes(notes="second"))
    store.update(a.with_changes(sections={"action": "Rewritten action."}))
    b = store.add(make_story(2, critique=None, tags=()), StoredVectors("model-b", np.ones((1, 4))))
    question = np.array([1.0, 0.0, -2.0, 0.5])
    store.save_vectors(b.id, StoredVectors("model-a", np.full((2, 4), -1.5), question))
    c = store.add(make_story(3, title="Trashed story"))
    store.delete(c.id)
    return {"a": a.id, "b": b.id, "c": c.id}


def snapshot(store: StoryStore) -> dict:
    """What a store holds, comparable across stores."""
    return {
        "live": store.list(),
        "trash": store.list(deleted=True),
        "history": {
            s.id: [(h.version, h.saved_at, h.story) for h in store.history(s.id)]
            for s in store.list() + store.list(deleted=True)
        },
        "vectors": {
            model: {
                k: (v.vectors.tolist(), None if v.question is None else v.question.tolist())
                for k, v in store.vectors(model).items()
            }
            for model in ("model-a", "model-b")
        },
    }


def test_export_import_round_trip(store: StoryStore, tmp_path: Path) -> None:
    ids = fill(store)
    before = snapshot(store)
    document = store.export_all()
    assert document["format"] == "starcoach-backup" and document["format_version"] == 2
    json.dumps(document)  # JSON-able as it is
    assert {e["id"] for e in document["stories"]} == set(ids.values())

    # Into a fresh SQLite database (a backup moves between backends) ...
    with open_store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        other.add(make_story(9, title="Will be replaced"))
        other.import_all(document)
        assert snapshot(other) == before
        assert other.export_all()["stories"] == document["stories"]
        assert other.add(make_story(10)).id == max(ids.values()) + 1

    # ... and back over the original, which replaces everything it holds now.
    store.add(make_story(11, title="Added after the backup"))
    store.import_all(document)
    assert snapshot(store) == before
    new = store.add(make_story(12))
    assert new.id == max(ids.values()) + 1
    assert store.history(new.id)[0].version == 1


def test_import_empty_document_empties_the_store(store: StoryStore) -> None:
    empty = store.export_all()
    fill(store)
    store.import_all(empty)
    assert store.list() == [] and store.list(deleted=True) == []
    assert store.add(make_story()).id == 1


def test_import_refuses_invalid_document_and_keeps_data(store: StoryStore) -> None:
    ids = fill(store)
    before = snapshot(store)
    document = store.export_all()
    document["stories"][0]["versions"].append(document["stories"][0]["versions"][0])
    with pytest.raises(InputError, match="unique and older"):
        store.import_all(document)
    with pytest.raises(InputError, match="not a starcoach backup"):
        store.import_all({"stories": []})
    assert snapshot(store) == before
    assert ids


def test_write_and_read_backup_files(store: StoryStore, tmp_path: Path) -> None:
    fill(store)
    plain = write_backup(store, tmp_path / "backup.json")
    packed = write_backup(store, tmp_path / "nested" / "backup.json.gz")
    assert json.loads(plain.read_text())["format"] == "starcoach-backup"
    assert gzip.decompress(packed.read_bytes()).startswith(b"{")
    for path in (plain, packed):
        document = read_backup(path)
        assert document["stories"] == store.export_all()["stories"]
    folder = tmp_path / "backups"
    folder.mkdir()
    named = write_backup(store, folder)
    assert named.parent == folder and named.name.startswith("starcoach-backup-")
    assert sorted(p.name for p in tmp_path.rglob("*.tmp")) == []


def test_backup_write_is_atomic(
    store: StoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store)
    target = write_backup(store, tmp_path / "out" / "backup.json")
    previous = target.read_bytes()
    store.add(make_story(4, title="Added after the first backup"))

    def crash(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module.os, "fsync", crash)
    with pytest.raises(StorageError, match="No space left"):
        write_backup(store, target)
    monkeypatch.undo()
    assert target.read_bytes() == previous
    assert [p.name for p in target.parent.iterdir()] == ["backup.json"]
    write_backup(store, target)
    assert read_backup(target)["format_version"] == 2


def test_backup_never_overwrites_other_files(store: StoryStore, tmp_path: Path) -> None:
    fill(store)
    notes = tmp_path / "notes.md"
    notes.write_text("# My interview notes\n")
    with pytest.raises(InputError, match="not a starcoach backup; nothing was written"):
        write_backup(store, notes)
    assert notes.read_text() == "# My interview notes\n"
    if store.database_file is not None:
        before = store.database_file.read_bytes()
        for name in (store.database_file, Path(f"{store.database_file}-wal")):
            with pytest.raises(InputError, match="the story database itself"):
                write_backup(store, name)
        assert store.database_file.read_bytes() == before
    empty = tmp_path / "empty.json"
    empty.touch()  # e.g. made by mktemp: fine to fill
    earlier = write_backup(store, tmp_path / "earlier.json.gz")
    for path in (empty, earlier):
        assert read_backup(write_backup(store, path))["format_version"] == 2


def test_restore_from_backup_file(store: StoryStore, tmp_path: Path) -> None:
    fill(store)
    before = snapshot(store)
    path = write_backup(store, tmp_path / "b.json.gz")
    store.import_all(store.export_all() | {"stories": []})
    assert store.list() == []
    store.import_all(read_backup(path))
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON"),
        (b"\x1f\x8b\x08garbage", "not JSON"),
        (b"SQLite format 3\x00", "not JSON"),
        (b"[1, 2]", "not a starcoach backup"),
        (b'{"format": "something-else"}', "not a starcoach backup"),
        (b'{"format": "starcoach-backup", "format_version": 99, "stories": []}', "newer"),
        (b'{"format": "starcoach-backup", "format_version": 1}', "no list of stories"),
        (
            b'{"format": "starcoach-backup", "format_version": 1, "stories": [{"id": 1}]}',
            r"stories\[0\]",
        ),
    ],
)
def test_read_backup_refuses_what_is_not_a_backup(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "suspect.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as refused:
        read_backup(path)
    assert str(path) in str(refused.value)


def test_read_backup_damaged_entries(store: StoryStore, tmp_path: Path) -> None:
    fill(store)
    good = store.export_all()
    damages = {
        "vector bytes": lambda d: d["stories"][1]["vectors"][0].update(base64="AAAA"),
        "question vector": lambda d: d["stories"][1]["vectors"][1].update(question_base64="AAAA"),
        "timestamp": lambda d: d["stories"][0].update(created_at="yesterday"),
        "title": lambda d: d["stories"][1]["story"].update(title=""),
        "duplicate id": lambda d: d["stories"].append(d["stories"][0]),
        "tags": lambda d: d["stories"][0]["story"].update(tags="latency"),
    }
    for name, damage in damages.items():
        document = json.loads(json.dumps(good))
        damage(document)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        with pytest.raises(InputError, match="not a usable starcoach backup"):
            read_backup(path)


def test_read_backup_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No backup file"):
        read_backup(tmp_path / "nope.json")
