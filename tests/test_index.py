"""Building, updating, loading and protecting the index (tiny real model)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa.chunking import ChunkingSettings
from qa.indexing import BuildError, build_index
from qa.store import (
    FORMAT_VERSION, BuildLock, BuildLocked, IndexUnavailable, VectorStoreChoice, active_build, load_index,
    verify_index,
)

ROOT = Path(__file__).resolve().parent.parent


def test_sentence_transformers_backend_loads_a_local_model(tiny_embedder):
    vectors = tiny_embedder.embed_documents(["سفر پزشکیان به مسکو", "اجلاس بریکس در کازان"])
    assert vectors.shape == (2, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])
    assert tiny_embedder.id.startswith("sentence-transformers:") and tiny_embedder.id.endswith(":32")
    single = tiny_embedder.embed_query("سفر پزشکیان به مسکو")
    assert np.allclose(single, tiny_embedder.embed_queries(["سفر پزشکیان به مسکو"])[0])


def test_unavailable_model_is_a_clear_error():
    from qa.embedding import EmbedderError, create_embedder

    with pytest.raises(EmbedderError, match="offline"):
        create_embedder("sentence-transformers:no-such-org/no-such-model", Path("unused"))
    with pytest.raises(EmbedderError, match="Unknown embedder"):
        create_embedder("word2vec", Path("unused"))


def test_incremental_build(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    first = build_index(seed_data, index_dir, tiny_embedder)
    assert first.articles == 5 and first.embedded == first.chunks > 5 and first.reused == 0
    index = load_index(index_dir, tiny_embedder.id)
    assert len(index.chunks) == first.chunks
    for chunk in index.chunks:
        assert index.articles[chunk.doc_id].text[chunk.start:chunk.end] == chunk.text

    again = build_index(seed_data, index_dir, tiny_embedder)
    assert again.up_to_date and again.embedded == 0

    (seed_data / "004_702534ff9f350d83.txt").unlink()
    changed = seed_data / "003_71a1316be5b32065.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nجمله‌ای تازه درباره نشست کازان.", encoding="utf-8")
    (seed_data / "new.json").write_text(json.dumps({"title": "خبر تازه", "text": "متن خبر تازه درباره گاز."}),
                                        encoding="utf-8")
    update = build_index(seed_data, index_dir, tiny_embedder)
    assert (update.added, update.changed, update.removed) == (1, 1, 1)
    assert 0 < update.embedded < update.chunks / 2
    index = load_index(index_dir, tiny_embedder.id)
    assert "004_702534ff9f350d83" not in index.articles and "new" in index.articles
    assert not any(chunk.doc_id == "004_702534ff9f350d83" for chunk in index.chunks)
    # Reused vectors equal freshly computed ones.
    row = 0
    assert np.allclose(index.chunk_vectors_for([index.chunks[row]])[0], tiny_embedder.embed_documents([index.chunks[row].text])[0], atol=1e-5)

    full = build_index(seed_data, index_dir, tiny_embedder, full=True)
    assert full.full and full.reused == 0 and full.embedded == full.chunks
    assert len(list(index_dir.glob("build-*"))) == 1


def test_duplicate_passages_are_stored_once(seed_data, tmp_path, tiny_embedder):
    source = seed_data / "002_a40e68d11fea7ede.txt"
    (seed_data / "copy.txt").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    summary = build_index(seed_data, tmp_path / "index", tiny_embedder, ChunkingSettings(100, 1))
    index = load_index(tmp_path / "index")
    ids = [chunk.chunk_id for chunk in index.chunks]
    assert len(ids) == len(set(ids)) == summary.chunks
    assert not any(chunk.doc_id == "copy" for chunk in index.chunks)


def test_no_readable_article_keeps_old_index(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    before = active_build(index_dir)
    for path in seed_data.iterdir():
        path.write_bytes(b"")
    with pytest.raises(BuildError, match="No readable article"):
        build_index(seed_data, index_dir, tiny_embedder)
    assert active_build(index_dir) == before
    load_index(index_dir)


def test_other_embedder_damage_and_format_are_clear_errors(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    with pytest.raises(IndexUnavailable, match="qa index build"):
        load_index(index_dir)
    build_index(seed_data, index_dir, tiny_embedder)
    with pytest.raises(IndexUnavailable, match="built with embedder .* Run `qa index build`"):
        load_index(index_dir, "sentence-transformers:other:384")
    build = active_build(index_dir)
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["format_version"] = 999
    (build / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexUnavailable, match="format 999"):
        load_index(index_dir)
    manifest["format_version"] = FORMAT_VERSION
    (build / "manifest.json").write_text(json.dumps(manifest))
    with (build / "vectors" / "chunks.faiss").open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\xff\xff\xff\xff")
    with pytest.raises(IndexUnavailable, match="damaged"):
        load_index(index_dir)
    # A build after damage rebuilds instead of reusing.
    summary = build_index(seed_data, index_dir, tiny_embedder)
    assert summary.embedded == summary.chunks
    load_index(index_dir)


def hold_lock_in_another_thread(index_dir: Path):
    """Hold the build lock from another thread until the returned event is set
    (the lock is re-entrant within one thread, as a build in progress is)."""
    import threading

    taken, release = threading.Event(), threading.Event()

    def hold():
        with BuildLock(index_dir):
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(10)

    def let_go():
        release.set()
        thread.join(10)

    return let_go


def test_second_build_fails_clearly_while_one_runs(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    release = hold_lock_in_another_thread(index_dir)
    try:
        with pytest.raises(BuildLocked, match="Another build"):
            build_index(seed_data, index_dir, tiny_embedder)
    finally:
        release()
    with BuildLock(index_dir), BuildLock(index_dir):  # re-entrant in one thread
        pass
    build_index(seed_data, index_dir, tiny_embedder)


class NoModel:
    """Stands in for the model factory: fails the test if a model is loaded."""

    def __call__(self, *args, **kwargs):
        raise AssertionError("the model was loaded before the lock and index checks")


def test_lock_and_damage_are_reported_before_the_model_loads(seed_data, tmp_path, tiny_embedder, monkeypatch):
    import qa.assistant
    from qa.assistant import Assistant
    from qa.config import Settings

    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    monkeypatch.setattr(qa.assistant, "create_embedder", NoModel())
    assistant = Assistant(Settings(data_dir=seed_data, index_dir=index_dir))
    release = hold_lock_in_another_thread(index_dir)
    try:
        with pytest.raises(BuildLocked):
            assistant.build()
    finally:
        release()
    (active_build(index_dir) / "manifest.json").write_text('{"files": []}')
    with pytest.raises(IndexUnavailable, match="qa index build --full"):
        assistant.ask("پزشکیان کی وارد مسکو شد؟")


@pytest.mark.parametrize("manifest", ["[]", '"text"', '{"files": []}', "{}", "null"])
def test_manifest_of_the_wrong_shape_is_damage(seed_data, tmp_path, tiny_embedder, manifest):
    from qa.store import read_manifest

    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    good = json.loads((active_build(index_dir) / "manifest.json").read_text())
    (active_build(index_dir) / "manifest.json").write_text(manifest)
    with pytest.raises(IndexUnavailable, match="damaged.*qa index build --full"):
        read_manifest(index_dir)
    good["files"] = ["not", "a", "mapping"]
    (active_build(index_dir) / "manifest.json").write_text(json.dumps(good))
    with pytest.raises(IndexUnavailable, match="damaged.*qa index build --full"):
        load_index(index_dir)
    summary = build_index(seed_data, index_dir, tiny_embedder)  # a build repairs it
    assert summary.embedded == summary.chunks


def test_assistant_notices_an_index_built_elsewhere(seed_data, tmp_path, tiny_embedder):
    from qa.assistant import Assistant
    from qa.config import Settings

    settings = Settings(data_dir=seed_data, index_dir=tmp_path / "index")
    app_side = Assistant(settings, tiny_embedder)
    app_side.build()
    assert len(app_side.articles()) == 5
    (seed_data / "new.txt").write_text("خبر تازه\nمتن خبر تازه درباره گاز.", encoding="utf-8")
    Assistant(settings, tiny_embedder).build()  # as `qa index build` would, in another process
    assert len(app_side.articles()) == 6
    # A newer index that cannot be loaded leaves the old one answering, with the reason shown.
    build = active_build(settings.index_dir)
    (settings.index_dir / "build-broken").mkdir()
    (settings.index_dir / "CURRENT").write_text("build-broken")
    assert len(app_side.articles()) == 6 and "No index" in app_side.reload_problem
    (settings.index_dir / "CURRENT").write_text(build.name)
    assert len(app_side.articles()) == 6 and app_side.reload_problem is None


@pytest.mark.slow
def test_sigkill_mid_build_leaves_previous_index(seed_data, tmp_path, tiny_model_dir, tiny_embedder):
    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    before = active_build(index_dir)
    before_manifest = (before / "manifest.json").read_text()
    # Enough new text that the second build is still embedding when killed.
    for copy in range(150):
        text = "\n".join(f"جمله {copy} شماره {line} درباره همکاری ایران و روسیه." for line in range(40))
        (seed_data / f"bulk_{copy}.txt").write_text(text, encoding="utf-8")
    env = dict(os.environ, QA_EMBEDDER=f"sentence-transformers:{tiny_model_dir}", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "qa", "index", "build", "--data", str(seed_data), "--index", str(index_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(index_dir.glob("build-*"))) > 1:
            break
        lock = index_dir / ".lock"
        if lock.exists() and lock.read_text().strip() == str(process.pid):
            time.sleep(1.0)  # it is chunking or embedding now
            break
        time.sleep(0.05)
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert active_build(index_dir) == before
    assert (before / "manifest.json").read_text() == before_manifest
    index = load_index(index_dir, tiny_embedder.id)
    assert len(index.articles) == 5
    # The next build cleans up after the killed one and completes.
    summary = build_index(seed_data, index_dir, tiny_embedder)
    assert summary.articles == 155
    assert len(list(index_dir.glob("build-*"))) == 1


def test_hnsw_index_finds_the_same_passages(seed_data, tmp_path, tiny_embedder):
    build_index(seed_data, tmp_path / "flat", tiny_embedder, vector_store=VectorStoreChoice(kind="flat"))
    summary = build_index(seed_data, tmp_path / "flat", tiny_embedder, vector_store=VectorStoreChoice(kind="hnsw"))
    assert not summary.up_to_date and summary.embedded == 0  # new FAISS index, vectors reused
    hnsw = load_index(tmp_path / "flat")
    assert hnsw.manifest.vector_store["chunks"]["kind"] == "hnsw"
    build_index(seed_data, tmp_path / "exact", tiny_embedder, vector_store=VectorStoreChoice(kind="flat"))
    exact = load_index(tmp_path / "exact")
    queries = tiny_embedder.embed_queries(["سفر پزشکیان به مسکو", "اجلاس بریکس"])
    for approximate, truth in zip(hnsw.dense_search_batch(queries, 3), exact.dense_search_batch(queries, 3)):
        assert [h.chunk.chunk_id for h in approximate] == [h.chunk.chunk_id for h in truth]


def test_build_progress_counts_tokens(seed_data, tmp_path):
    from tests.conftest import HashEmbedder

    embedder = HashEmbedder()
    calls: list[tuple[str, int, int]] = []
    summary = build_index(seed_data, tmp_path / "index", embedder, progress=lambda *call: calls.append(call))
    passages = [call for call in calls if call[0] == "embedding passages"]
    index = load_index(tmp_path / "index")
    expected = sum(embedder.count_tokens([chunk.text for chunk in index.chunks]))
    assert summary.embedded == len(index.chunks)
    assert passages[0] == ("embedding passages", 0, expected) and passages[-1] == ("embedding passages", expected, expected)
    assert [done for _, done, _ in passages] == sorted(done for _, done, _ in passages)
    assert calls[-1][0] == "writing index"


def test_vectors_stream_to_disk_in_batches(seed_data, tmp_path, monkeypatch):
    """Build memory must not grow with the corpus: vectors are embedded a
    batch at a time and written into a scratch file (memory-mapped), which
    goes with the build; a killed build's scratch goes at the next build."""
    import qa.indexing
    from tests.conftest import HashEmbedder

    embedder = HashEmbedder()
    sizes: list[int] = []
    embed_documents = embedder.embed_documents

    def recorded(texts, progress=None):
        sizes.append(len(texts))
        return embed_documents(texts, progress=progress)

    embedder.embed_documents = recorded
    monkeypatch.setattr(qa.indexing, "_EMBED_BATCH", 7)
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / ".vectors-killed").mkdir()  # left by a build killed mid-way
    (index_dir / ".vectors-killed" / "sentences.npy").write_bytes(b"\0" * 1000)
    build_index(seed_data, index_dir, embedder)
    assert sizes and max(sizes) <= 7 and sum(sizes) > 7 * 10
    assert not list(index_dir.glob(".vectors-*"))
    index = load_index(index_dir)
    chunk = index.chunks[len(index.chunks) - 1]
    assert np.allclose(index.chunk_vectors_for([chunk])[0], embed_documents([chunk.text])[0], atol=1e-5)
    index.close()


def test_embedding_reuses_stored_vectors_and_embeds_each_new_text_once(tmp_path, monkeypatch):
    """Rows of the same text share one vector; texts the previous build
    stored are read back, not embedded; the rest are embedded once each, in
    the order they first occur, a batch at a time."""
    import qa.indexing
    from tests.conftest import HashEmbedder

    embedder = HashEmbedder()
    embedded: list[str] = []
    embed_documents = embedder.embed_documents

    def recorded(texts, progress=None):
        embedded.extend(texts)
        return embed_documents(texts, progress=progress)

    embedder.embed_documents = recorded
    monkeypatch.setattr(qa.indexing, "_EMBED_BATCH", 2)
    texts = ["کاظم جلالی", "مسکو", "کاظم جلالی", "تهران", "مسکو", "کازان", "تهران"]
    stored = np.full((1, embedder.dimension), 0.5, np.float32)
    previous = qa.indexing.StoredTexts(["مسکو"])
    vectors, count = qa.indexing._embed_reusing(
        texts, previous, lambda rows: stored[rows], embedder, "embedding passages", None, tmp_path / "v.npy")
    assert embedded == ["کاظم جلالی", "تهران", "کازان"] and count == 3
    assert vectors.shape == (7, embedder.dimension)
    for row, text in enumerate(texts):
        expected = stored[0] if text == "مسکو" else embed_documents([text])[0]
        assert np.allclose(vectors[row], expected, atol=1e-6), (row, text)


def test_released_pages_keep_the_data(tmp_path):
    """A build drops the pages of its scratch vectors from memory once used;
    what they held is still read back from the file."""
    from qa.memory import release_pages

    vectors = np.lib.format.open_memmap(tmp_path / "v.npy", mode="w+", dtype=np.float32, shape=(3000, 384))
    vectors[:] = np.arange(3000, dtype=np.float32)[:, None]
    release_pages(vectors)
    release_pages(np.zeros(3))  # not memory-mapped: left alone
    assert float(vectors[2999, 383]) == 2999.0 and float(vectors[:, 0].sum()) == sum(range(3000))
    assert float(np.load(tmp_path / "v.npy", mmap_mode="r")[1234, 5]) == 1234.0


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_faiss_room_made_up_front_holds_every_vector(tmp_path, kind):
    """The index makes room for the expected vectors at creation (no doubling
    while it fills); adds within and beyond that room are all searchable."""
    from qa.faiss_index import FaissVectorIndex

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((300, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = FaissVectorIndex.create(tmp_path, "v", 32, 200, kind=kind)
    for start in range(0, 300, 64):
        index.add(vectors[start:start + 64])
    assert len(index) == 300
    assert [matches.ids[0] for matches in index.search_batch(vectors[[0, 199, 299]], 1)] == [0, 199, 299]
    assert np.allclose(index.vectors([0, 299]), vectors[[0, 299]])
    index.close()


def test_milvus_lite_store_answers_like_faiss(seed_data, tmp_path, tiny_embedder):
    faiss_dir, milvus_dir = tmp_path / "faiss", tmp_path / "milvus"
    build_index(seed_data, faiss_dir, tiny_embedder)
    first = build_index(seed_data, milvus_dir, tiny_embedder, vector_store=VectorStoreChoice("milvus"))
    on_faiss, on_milvus = load_index(faiss_dir), load_index(milvus_dir)
    try:
        stores = on_milvus.manifest.vector_store
        assert stores["store"] == "milvus" and stores["chunks"]["file"] == "milvus.db"
        assert (active_build(milvus_dir) / "vectors" / "milvus.db").exists()
        queries = tiny_embedder.embed_queries(["سفر پزشکیان به مسکو", "اجلاس بریکس در کازان", "گاز روسیه"])
        for batch in ("dense_search_batch", "sentence_search_batch"):
            for mine, theirs in zip(getattr(on_milvus, batch)(queries, 5), getattr(on_faiss, batch)(queries, 5)):
                assert [h.chunk.chunk_id for h in mine] == [h.chunk.chunk_id for h in theirs]
                assert np.allclose([h.score for h in mine], [h.score for h in theirs], atol=1e-4)
        chunk = on_faiss.chunks[3]
        assert np.allclose(on_milvus.chunk_vectors_for([chunk]), on_faiss.chunk_vectors_for([chunk]), atol=1e-6)
    finally:
        on_faiss.close(), on_milvus.close()
    # An update reuses the vectors kept in Milvus, and the old build goes.
    old_build = active_build(milvus_dir)
    (seed_data / "new.txt").write_text("خبر تازه\nوزیران نیرو در کازان تفاهم‌نامه امضا کردند.", encoding="utf-8")
    update = build_index(seed_data, milvus_dir, tiny_embedder, vector_store=VectorStoreChoice("milvus"))
    assert update.added == 1 and 0 < update.embedded < first.chunks / 4
    assert not old_build.exists() and len(list(milvus_dir.glob("build-*"))) == 1
    # Moving to FAISS re-writes the vectors without embedding anything.
    moved = build_index(seed_data, milvus_dir, tiny_embedder)
    assert moved.embedded == 0 and load_index(milvus_dir).vector_store == "faiss"


def test_open_checks_size_and_time_verify_hashes(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    build = active_build(index_dir)
    ids = build / "chunks" / "ids.npy"
    status = ids.stat()
    # Copied without its time (cp without -p): same bytes, so it still opens.
    os.utime(ids, ns=(1, 1))
    load_index(index_dir)
    assert verify_index(index_dir) == []
    # Same size, same time, other bytes: only `qa index verify` can tell.
    data = bytearray(ids.read_bytes())
    data[-1] ^= 0xFF
    ids.write_bytes(bytes(data))
    os.utime(ids, ns=(status.st_atime_ns, status.st_mtime_ns))
    load_index(index_dir)
    assert verify_index(index_dir) == ["chunks/ids.npy"]
    result = subprocess.run([sys.executable, "-m", "qa", "index", "verify", "--index", str(index_dir)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "chunks/ids.npy" in result.stdout and "--full" in result.stdout
    # A file cut short is caught on open.
    ids.write_bytes(bytes(data[:-8]))
    with pytest.raises(IndexUnavailable, match="ids.npy is missing or damaged"):
        load_index(index_dir)


@pytest.mark.parametrize("failing, expected_drops", [
    # After its vectors were stored (checksumming the files): they are dropped.
    ("file_records", ["chunks.faiss", "sentences.faiss"]),
    # Before any vector was stored (BM25 is written first): nothing to drop.
    ("lexical", []),
])
def test_failed_build_drops_what_it_put_in_the_vector_store(seed_data, tmp_path, tiny_embedder, monkeypatch,
                                                            failing, expected_drops):
    """A build that fails after its vectors were stored drops them from the
    store (a Milvus server's collections); either way the old index is kept."""
    from qa import index_writer, lexical, vector_index
    from qa.vector_index import VectorStore

    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    before = active_build(index_dir)
    dropped = []
    faiss_store = vector_index.vector_store("faiss")
    monkeypatch.setitem(vector_index.VECTOR_STORES, "recording", lambda: VectorStore(
        "recording", faiss_store.create, faiss_store.open,
        lambda directory, description: dropped.append(description["file"]), "FAISS, drops recorded"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    if failing == "lexical":
        monkeypatch.setattr(lexical.LexicalIndex, "build", classmethod(lambda cls, token_lists, scratch=None: broken()))
    else:
        monkeypatch.setattr(index_writer, "file_records", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_index(seed_data, index_dir, tiny_embedder, full=True, vector_store=VectorStoreChoice("recording"))
    assert dropped == expected_drops
    assert active_build(index_dir) == before and list(index_dir.glob("build-*")) == [before]
    load_index(index_dir)


@pytest.mark.parametrize("recorded, choice, same", [
    ({"store": "faiss", "chunks": {"kind": "flat"}}, VectorStoreChoice(), True),
    ({"store": "faiss", "chunks": {"kind": "flat"}}, VectorStoreChoice(kind="hnsw"), False),
    ({"store": "milvus", "chunks": {"kind": "HNSW", "file": "milvus.db"}}, VectorStoreChoice("milvus"), True),
    ({"store": "milvus", "chunks": {"kind": "FLAT", "file": "milvus.db"}},
     VectorStoreChoice("milvus", "http://db:19530"), False),
    # From a server back to a Lite file: the vectors must move.
    ({"store": "milvus", "chunks": {"kind": "FLAT", "uri": "http://db:19530"}}, VectorStoreChoice("milvus"), False),
    ({"store": "milvus", "chunks": {"kind": "FLAT", "uri": "http://db:19530"}},
     VectorStoreChoice("milvus", "http://db:19530"), True),
])
def test_same_vector_store(recorded, choice, same):
    from types import SimpleNamespace

    from qa.indexing import _same_vector_store

    previous = SimpleNamespace(manifest=SimpleNamespace(vector_store=recorded))
    assert _same_vector_store(previous, choice) is same
