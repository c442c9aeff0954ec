"""The story store on SQLite and PostgreSQL: saving, versions, trash, vectors, rollback."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from storage_helpers import make_story

from starcoach.errors import InputError, StorageError
from starcoach.storage import StoredVectors, StoryStore, open_store
from starcoach.storage import store as store_module
from starcoach.storage.schema import story_vectors
from starcoach.stories.model import Story


def test_add_get_list(store: StoryStore) -> None:
    first = store.add(make_story(1))
    second = store.add(make_story(2, critique=None, sections={"action": "I did it."}))
    assert first.id is not None
    assert first.version == 1 and second.version == 1
    assert second.id != first.id
    assert store.get(first.id) == first
    assert store.get(second.id) == second
    assert [s.id for s in store.list()] == sorted([first.id, second.id])
    got = store.get(first.id)
    assert got.sections == make_story(1).sections
    assert got.principles == ("dive-deep", "deliver-results")
    assert got.suggested_principles == ("dive-deep", "ownership")
    assert got.tags == ("latency", "backend")
    assert (got.company, got.role, got.started, got.ended) == (
        "Acme",
        "Senior SWE",
        "2023-09",
        "2023-11",
    )
    assert got.critique == {"score": 81, "dimensions": {"structure": 0.9}, "findings": []}
    assert got.score == 81
    assert store.get(second.id).critique is None


def test_add_normalises_and_ignores_given_id(store: StoryStore) -> None:
    saved = store.add(
        make_story(
            id=999,
            version=7,
            sections={"situation": "S", "task": "", "action": "A\x00!"},
            tags=["x", "y"],
            critique={"score": np.float32(55.5), "bad": float("nan"), "pair": (1, 2)},
        )
    )
    assert saved.id != 999 and saved.version == 1
    assert saved.sections == {"situation": "S", "action": "A!"}
    assert saved.tags == ("x", "y")
    assert saved.critique == {"score": 55.5, "bad": None, "pair": [1, 2]}
    assert store.get(saved.id) == saved


def test_add_refuses_invalid_stories(store: StoryStore) -> None:
    with pytest.raises(InputError, match="title"):
        store.add(Story(title="   "))
    with pytest.raises(InputError, match="Unknown story section"):
        store.add(Story(title="t", sections={"lesson": "x"}))
    with pytest.raises(InputError, match="tags"):
        store.add(Story(title="t", tags="not-a-list"))
    assert store.list() == []


def test_update_keeps_every_version(store: StoryStore) -> None:
    v1 = store.add(make_story())
    v2 = store.update(v1.with_changes(notes="Second telling."))
    v3 = store.update(v2.with_changes(sections={**v2.sections, "result": "p99 fell 70%."}))
    assert (v2.id, v2.version, v3.version) == (v1.id, 2, 3)
    assert store.get(v1.id) == v3
    history = store.history(v1.id)
    assert [h.version for h in history] == [1, 2, 3]
    assert [h.story for h in history] == [v1, v2, v3]
    assert history[0].story.notes == make_story().notes
    assert history[-1].story.section("result") == "p99 fell 70%."
    times = [h.saved_at for h in history]
    assert all(t.tzinfo is not None and t.utcoffset().total_seconds() == 0 for t in times)
    assert times == sorted(times)
    assert abs(datetime.now(UTC) - times[-1]).total_seconds() < 60


def test_update_without_changes_is_not_a_new_version(store: StoryStore) -> None:
    saved = store.add(make_story())
    assert store.update(saved) == saved
    assert [h.version for h in store.history(saved.id)] == [1]


def test_update_refuses_stale_copy_and_unsaved_story(store: StoryStore) -> None:
    v1 = store.add(make_story())
    store.update(v1.with_changes(notes="edited elsewhere"))
    with pytest.raises(InputError, match="changed since you opened it"):
        store.update(v1.with_changes(notes="my edit"))
    assert store.update(v1.with_changes(notes="forced", version=0)).version == 3
    with pytest.raises(InputError, match="not been saved"):
        store.update(make_story())


def test_delete_trash_restore(store: StoryStore) -> None:
    keep = store.add(make_story(1))
    gone = store.add(make_story(2))
    deleted = store.delete(gone.id)
    assert deleted == gone
    assert [s.id for s in store.list()] == [keep.id]
    assert [s.id for s in store.list(deleted=True)] == [gone.id]
    with pytest.raises(InputError) as trashed:
        store.get(gone.id)
    assert str(trashed.value) == (
        f"Story {gone.id} is in the trash; `starcoach story restore {gone.id}` brings it back."
    )
    assert store.get(gone.id, include_deleted=True) == gone
    assert [h.version for h in store.history(gone.id)] == [1]
    for action in (store.delete, lambda i: store.update(gone)):
        with pytest.raises(InputError, match="in the trash"):
            action(gone.id)
    assert store.restore(gone.id) == gone
    assert store.get(gone.id) == gone
    assert store.list(deleted=True) == []
    with pytest.raises(InputError, match="not in the trash"):
        store.restore(gone.id)


@pytest.mark.parametrize("story_id", [7, 10_000, 0, -1, "7", 2**40])
def test_unknown_id(store: StoryStore, story_id) -> None:
    store.add(make_story())
    number = int(story_id)
    calls = [
        store.get,
        store.delete,
        store.restore,
        store.history,
        lambda i: store.update(make_story(id=i)),
    ]
    for call in calls:
        with pytest.raises(InputError) as missing:
            call(story_id)
        assert str(missing.value) == (
            f"No story with id {number}; `starcoach story list` shows the ids."
        )


def test_not_an_id(store: StoryStore) -> None:
    with pytest.raises(InputError, match="whole number"):
        store.get("seven")


def test_find_by_fingerprint(store: StoryStore) -> None:
    saved = store.add(make_story())
    other = store.add(make_story(2))
    retyped = make_story(title="  CUT CHECKOUT p99 latency   (1) ", tags=("different",))
    assert retyped.fingerprint() == saved.fingerprint()
    assert store.find_by_fingerprint(retyped.fingerprint()) == saved
    assert store.find_by_fingerprint(other.fingerprint()) == other
    assert store.find_by_fingerprint("0" * 32) is None
    store.delete(saved.id)
    assert store.find_by_fingerprint(saved.fingerprint()) is None
    edited = store.update(other.with_changes(title="A new title"))
    assert store.find_by_fingerprint(other.fingerprint()) is None
    assert store.find_by_fingerprint(edited.fingerprint()) == edited


def test_vectors_round_trip(store: StoryStore) -> None:
    rng = np.random.default_rng(0)
    first = rng.standard_normal((5, 384))  # float64 in, float32 out
    a = store.add(make_story(1), StoredVectors("model-a", first))
    b = store.add(make_story(2), StoredVectors("model-a", np.ones((2, 384), dtype=np.float32)))
    c = store.add(make_story(3))
    loaded = store.vectors("model-a")
    assert sorted(loaded) == [a.id, b.id]
    assert loaded[a.id].model_hash == "model-a"
    assert loaded[a.id].vectors.dtype == np.float32
    assert loaded[a.id].vectors.shape == (5, 384)
    np.testing.assert_array_equal(loaded[a.id].vectors, first.astype(np.float32))
    assert store.vectors("model-b") == {}

    store.save_vectors(c.id, StoredVectors("model-a", np.zeros((0, 384), dtype=np.float32)))
    store.save_vectors(c.id, StoredVectors("model-b", np.full((1, 3), 0.5)))
    assert store.vectors("model-a")[c.id].vectors.shape == (0, 384)
    np.testing.assert_array_equal(store.vectors("model-b")[c.id].vectors, [[0.5, 0.5, 0.5]])

    # Metadata edits keep vectors; text edits drop them unless new ones come along.
    a2 = store.update(a.with_changes(tags=("new-tag",)))
    assert a.id in store.vectors("model-a")
    store.update(a2.with_changes(sections={"action": "Something else entirely."}))
    assert a.id not in store.vectors("model-a")
    replacement = StoredVectors("model-a", np.full((1, 384), 2.0))
    store.update(store.get(b.id).with_changes(title="Renamed", notes="x"), replacement)
    np.testing.assert_array_equal(store.vectors("model-a")[b.id].vectors, replacement.vectors)

    store.delete(b.id)
    assert b.id not in store.vectors("model-a")
    store.restore(b.id)
    assert b.id in store.vectors("model-a")


def test_question_vector_round_trip(store: StoryStore) -> None:
    sentences = np.ones((2, 4), dtype=np.float32)
    question = np.array([0.5, -1.0, 0.25, 2.0])
    with_question = store.add(make_story(1), StoredVectors("m", sentences, question))
    without = store.add(make_story(2), StoredVectors("m", sentences))
    loaded = store.vectors("m")
    assert loaded[with_question.id].question is not None
    np.testing.assert_array_equal(loaded[with_question.id].question, question.astype(np.float32))
    assert loaded[without.id].question is None
    # Saving vectors again (the bank back-fills a question) replaces the row, not adds one.
    store.save_vectors(without.id, StoredVectors("m", sentences, np.zeros(4)))
    np.testing.assert_array_equal(store.vectors("m")[without.id].question, np.zeros(4))
    assert len(store.vectors("m")) == 2


def test_vectors_must_be_a_matrix() -> None:
    with pytest.raises(InputError, match="2-D"):
        StoredVectors("m", np.ones(384))
    with pytest.raises(InputError, match="model"):
        StoredVectors("", np.ones((1, 3)))
    with pytest.raises(InputError, match="as wide as"):
        StoredVectors("m", np.ones((1, 3)), np.ones(4))
    with pytest.raises(InputError, match="as wide as"):
        StoredVectors("m", np.ones((1, 3)), np.ones((1, 3)))


def test_failed_update_rolls_back(store: StoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = store.add(make_story(), StoredVectors("m", np.ones((1, 4))))

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_write_vectors", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.update(saved.with_changes(title="Half-saved?"), StoredVectors("m", np.zeros((1, 4))))
    monkeypatch.undo()
    assert store.get(saved.id) == saved
    assert [h.version for h in store.history(saved.id)] == [1]
    np.testing.assert_array_equal(store.vectors("m")[saved.id].vectors, np.ones((1, 4)))


def test_failed_import_rolls_back(store: StoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = store.add(make_story(), StoredVectors("m", np.ones((1, 4))))
    document = store.export_all()
    document["stories"][0]["story"]["title"] = "Replaced?"
    real_insert = store_module.insert

    def insert_failing_on_vectors(table):
        if table is story_vectors:
            raise RuntimeError("crash halfway through the restore")
        return real_insert(table)

    monkeypatch.setattr(store_module, "insert", insert_failing_on_vectors)
    with pytest.raises(RuntimeError, match="halfway"):
        store.import_all(document)
    monkeypatch.undo()
    assert store.list() == [saved]
    assert saved.id in store.vectors("m")


def test_timestamps_are_aware_utc(store: StoryStore) -> None:
    saved = store.add(make_story())
    (version,) = store.history(saved.id)
    assert version.saved_at.tzinfo is not None
    assert version.saved_at.utcoffset().total_seconds() == 0


def test_reopen_keeps_stories_and_masks_url(db_url: str) -> None:
    with open_store(db_url) as first:
        saved = first.add(make_story())
    with open_store(db_url) as second:
        assert second.get(saved.id) == saved
        assert "://" in second.url
    with pytest.raises(StorageError, match="closed"):
        second.list()


def test_closed_store_context(db_url: str) -> None:
    store = open_store(db_url)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StorageError):
        store.get(1)
