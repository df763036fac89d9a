"""Contract of every registered backend of the bundled model: the same
vectors as the fp32 reference (cosine >= 0.99) on fixed Persian and English
texts, the same token counts, single calls equal to batch calls. Also: the
ONNX query path imports no torch, and a cold `qa ask` reports a missing index
before any model is loaded."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qa.backend_choice import PROBE_TEXTS
from qa.embedding import BACKENDS, COMPATIBLE_MIN_COSINE, REFERENCE_BACKEND
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.model

QUESTIONS = ["سفیر ایران در روسیه کیست؟", "پيمان راهبردي كي امضا شد؟", "When did Pezeshkian arrive in Moscow?",
             "اجلاس بریکس ۱۴۰۳ کجا برگزار شد؟"]
LONG_TEXT = " ".join(line for line in (DATA / "000_579d1ee50203db0a.txt").read_text(encoding="utf-8").splitlines()
                     if line.strip()) * 3  # far past 512 tokens: truncated, never an error


@pytest.fixture(scope="module")
def prepared():
    from qa.bundled_model import ensure_model
    from qa.config import Settings

    return ensure_model(Settings.from_env().model_cache)


@pytest.fixture(scope="module")
def reference(prepared):
    embedder = BACKENDS[REFERENCE_BACKEND].create(prepared)
    documents = list(PROBE_TEXTS) + [LONG_TEXT]
    return {"embedder": embedder, "documents": embedder.embed_documents(documents),
            "queries": embedder.embed_queries(QUESTIONS), "tokens": embedder.count_tokens(documents)}


@pytest.fixture(scope="module", params=list(BACKENDS))
def backend(request, prepared):
    problem = BACKENDS[request.param].problem()
    if problem:
        pytest.skip(f"{request.param}: {problem}")
    return BACKENDS[request.param].create(prepared)


def test_identity(backend, reference):
    assert backend.name == "e5-small" and backend.backend in BACKENDS
    assert backend.dimension == 384 and backend.max_tokens == 512
    assert (backend.query_prefix, backend.document_prefix) == ("query: ", "passage: ")
    assert backend.id.split(":", 1)[1] == reference["embedder"].id.split(":", 1)[1]


def test_same_vectors_as_the_reference(backend, reference):
    documents = backend.embed_documents(list(PROBE_TEXTS) + [LONG_TEXT])
    queries = backend.embed_queries(QUESTIONS)
    assert documents.dtype == np.float32 and documents.shape == reference["documents"].shape
    assert np.allclose(np.linalg.norm(documents, axis=1), 1, atol=1e-4)
    assert (documents * reference["documents"]).sum(axis=1).min() >= COMPATIBLE_MIN_COSINE
    assert (queries * reference["queries"]).sum(axis=1).min() >= COMPATIBLE_MIN_COSINE


def test_same_token_counts_as_the_reference(backend, reference):
    assert backend.count_tokens(list(PROBE_TEXTS) + [LONG_TEXT]) == reference["tokens"]
    assert reference["tokens"][-1] > 512
    assert backend.count_tokens([]) == []


def test_single_calls_wrap_batch_calls(backend):
    batch = backend.embed_queries(QUESTIONS)
    for row, question in enumerate(QUESTIONS):
        assert float(backend.embed_query(question) @ batch[row]) >= 0.9999
    assert backend.embed_documents([]).shape == (0, 384)


def test_the_right_passage_ranks_first(backend):
    passages = ["اجلاس سران بریکس اول تا سوم آبانماه در کازان برگزار می‌شود.",
                "قیمت نان در بازار افزایش یافت.",
                "تیم فوتبال استقلال در بازی دیروز پیروز شد."]
    vectors = backend.embed_documents(passages)
    for question in ("نشست بریکس کجا برگزار می‌شود؟", "Where is the BRICS summit held?"):
        assert int(np.argmax(vectors @ backend.embed_query(question))) == 0, question


def _run_python(code: str, env_extra: dict[str, str]) -> dict:
    import os

    env = {**os.environ, **env_extra}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=300)
    assert output.returncode == 0, output.stderr
    return json.loads(output.stdout.strip().splitlines()[-1])


HEAVY = ("torch", "transformers", "sentence_transformers")
PROBE = (
    "import json, sys; from qa.cli import main; status = main({argv}); "
    "print(json.dumps({{'status': status, 'imported': sorted(m for m in {heavy} if m in sys.modules)}}))"
)


def test_onnx_query_path_imports_no_torch(seed_assistant, tmp_path):
    index_dir = seed_assistant.settings.index_dir
    result = _run_python(PROBE.format(argv=["ask", "سفیر ایران در روسیه کیست؟", "--index", str(index_dir),
                                            "--backend", "onnx-int8", "--json"], heavy=HEAVY), {})
    assert result == {"status": 0, "imported": []}


def test_missing_index_is_reported_before_the_model_loads(tmp_path):
    heavy = HEAVY + ("onnxruntime",)
    result = _run_python(PROBE.format(argv=["ask", "پرسش", "--index", str(tmp_path / "none")], heavy=heavy), {})
    assert result == {"status": 1, "imported": []}


# One model per registered embedder family, as a user names it.
def _embedder_names(tiny_model_dir) -> dict[str, str]:
    return {"e5-small": "e5-small", "sentence-transformers": f"sentence-transformers:{tiny_model_dir}"}


@pytest.mark.parametrize("family", ["e5-small", "sentence-transformers"])
def test_every_registered_embedder_keeps_the_contract(family, tiny_model_dir):
    from qa.config import Settings
    from qa.embedding import EMBEDDERS, Embedder, create_embedder, model_identity

    names = _embedder_names(tiny_model_dir)
    assert set(EMBEDDERS) == set(names)  # a new family needs its line here
    embedder = create_embedder(names[family], Settings.from_env().model_cache)
    assert isinstance(embedder, Embedder)
    texts = ["سفر پزشکیان به مسکو", "اجلاس بریکس در کازان", "", LONG_TEXT]
    vectors = embedder.embed_documents(texts)
    assert vectors.shape == (4, embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # Single calls wrap batch calls; queries and passages get their own prefixes.
    assert np.allclose(embedder.embed_query(texts[0]), embedder.embed_queries(texts[:1])[0], atol=1e-5)
    assert embedder.model_input("x", "query") == embedder.query_prefix + "x"
    assert embedder.model_input("x", "document") == embedder.document_prefix + "x"
    assert family != "e5-small" or embedder.query_prefix != embedder.document_prefix  # e5 was trained with both
    counts = embedder.count_tokens(texts)
    assert len(counts) == 4 and counts[3] > counts[0] > 0
    backend, model, dimension = embedder.id.split(":", 2)[0], model_identity(embedder.id), embedder.id.rsplit(":", 1)[1]
    assert backend and model and int(dimension) == embedder.dimension


@pytest.mark.model
def test_each_backend_is_measured_in_its_own_process():
    """The first-start measurement, for real: one process per backend (in one
    process, ONNX Runtime measured after torch ran at half its speed)."""
    from qa.backend_choice import measure_backends, pick_backend
    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.embedding import BACKENDS, REFERENCE_BACKEND

    measurements = measure_backends(ensure_model(Settings.from_env().model_cache), rounds=2)
    assert [m.backend for m in measurements] == list(BACKENDS)
    by_name = {m.backend: m for m in measurements}
    assert by_name[REFERENCE_BACKEND].problem is None and by_name[REFERENCE_BACKEND].cosine_min > 0.9999
    assert by_name["onnx-int8"].problem is None and by_name["onnx-int8"].cosine_min >= 0.99
    assert all(m.tokens_per_s > 0 for m in measurements if m.problem is None)
    assert pick_backend(measurements) in BACKENDS
