"""Derived-data caches speed things up but never change results or break on damage."""

import numpy as np

from starcoach.cache import cache_key, load_or_build, load_or_build_json
from starcoach.knowledge.base import _parse_knowledge, load_knowledge
from starcoach.nlp.embedding import Embedder


def test_knowledge_cache_equals_parsing_the_files(kb, starcoach_home):
    assert list((starcoach_home / "cache").glob("knowledge-*.json"))
    assert _parse_knowledge() == kb


def test_damaged_knowledge_cache_is_rebuilt(kb, starcoach_home):
    (entry,) = (starcoach_home / "cache").glob("knowledge-*.json")
    entry.write_text("{not json", encoding="utf-8")
    load_knowledge.cache_clear()
    try:
        assert load_knowledge() == kb
        assert entry.read_text(encoding="utf-8").startswith("{")
    finally:
        load_knowledge.cache_clear()


def test_damaged_optimised_model_is_rebuilt(embedder, starcoach_home):
    (entry,) = (starcoach_home / "cache").glob("model-optimised-*.onnx")
    entry.write_bytes(b"garbage")
    fresh = Embedder()
    text = ["Tell me about a time you simplified a process."]
    assert np.allclose(fresh.encode(text), embedder.encode(text), atol=1e-5)
    assert entry.stat().st_size > 1_000_000


def test_new_key_replaces_old_entry(starcoach_home):
    calls = []

    def build(value):
        calls.append(value)
        return {"x": np.array([value])}

    first = load_or_build("probe", cache_key("a"), lambda: build(1))
    again = load_or_build("probe", cache_key("a"), lambda: build(2))
    other = load_or_build("probe", cache_key("b"), lambda: build(3))
    assert first["x"][0] == again["x"][0] == 1 and other["x"][0] == 3
    assert calls == [1, 3]
    assert len(list((starcoach_home / "cache").glob("probe-*.npz"))) == 1


def test_json_cache_round_trip(starcoach_home):
    data = {"name": "café", "items": [1, 2]}
    assert load_or_build_json("probe-json", cache_key("k"), lambda: data) == data
    assert load_or_build_json("probe-json", cache_key("k"), lambda: {"other": 1}) == data


def test_entry_missing_a_required_array_is_rebuilt(starcoach_home):
    key = cache_key("schema")
    load_or_build("probe-schema", key, lambda: {"old": np.array([1])})
    rebuilt = load_or_build(
        "probe-schema", key, lambda: {"old": np.array([1]), "new": np.array([2])}, ("new",)
    )
    assert rebuilt["new"][0] == 2
