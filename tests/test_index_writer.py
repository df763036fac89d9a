"""The streamed build: articles read one file at a time, written as they come."""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np
import pytest

from qa.corpus import CorpusReader, load_corpus
from qa.index_writer import IndexWriter
from qa.indexing import build_index
from qa.store import active_build, load_index
from qa.types import Article, Chunk, Span


def article(doc_id: str, text: str) -> Article:
    return Article(doc_id=doc_id, path=f"{doc_id}.txt", title=text[:10], text=text, content_hash=doc_id)


def chunk(doc: Article, start: int, end: int, spans: list[tuple[int, int]], chunk_id: str) -> Chunk:
    return Chunk(chunk_id, doc.doc_id, start, end, doc.text[start:end], tuple(Span(*span) for span in spans))


def test_writer_tables_round_trip(tmp_path):
    """Chunks and sentences are recorded as the articles come: a passage
    repeated in a later article is stored once, with the first; sentences
    are sorted by (article, start), each with the first chunk holding it;
    texts read back from the article file equal the articles' own."""
    first = article("a", "جمله یک. جمله دو. جمله سه.")
    second = article("b", "جمله دو. جمله چهار.")
    vectors = np.eye(8, dtype=np.float32)
    with IndexWriter(tmp_path / "index") as writer:
        writer.add_article(first, [chunk(first, 9, 26, [(9, 17), (18, 26)], "c2"),
                                   chunk(first, 0, 17, [(0, 8), (9, 17)], "c1")])
        writer.add_article(second, [chunk(second, 0, 19, [(0, 8), (9, 19)], "c2"),
                                    chunk(second, 9, 19, [(9, 19)], "c3")])
        writer.write_tables()
        assert list(writer.chunk_texts()) == [first.text[9:26], first.text[0:17], second.text[9:19]]
        assert writer.sentence_texts()[0] == f"{first.title}: {first.text[0:8]}"
        assert (writer.chunk_count, writer.sentence_count) == (3, 4)
        writer.write_vectors(vectors[:3], vectors[3:7])
        manifest = writer.commit("hash", "hash:1", {}, "data", 0.0)
    assert (manifest.articles, manifest.chunks, manifest.sentences) == (2, 3, 4)
    index = load_index(tmp_path / "index")
    try:
        assert [index.chunks[row].chunk_id for row in range(3)] == ["c2", "c1", "c3"]
        assert index.chunks[2].doc_id == "b" and index.chunks.rows_of_article(0) == range(0, 2)
        rows, starts, ends = index.sentence_table()
        assert list(zip(rows, starts, ends)) == [(0, 0, 8), (0, 9, 17), (0, 18, 26), (1, 9, 19)]
        chunk_of = np.load(index.path / "sentences" / "chunk.npy")
        assert chunk_of.tolist() == [1, 0, 0, 2]  # the first chunk (in table order) holding each sentence
        assert np.allclose(index.sentence_vectors_at([3]), vectors[6:7])
    finally:
        index.close()


def test_unfinished_writer_leaves_the_active_index(seed_data, tmp_path, tiny_embedder):
    index_dir = tmp_path / "index"
    build_index(seed_data, index_dir, tiny_embedder)
    before = active_build(index_dir)
    with pytest.raises(RuntimeError, match="stopped"):
        with IndexWriter(index_dir) as writer:
            writer.add_article(article("x", "متن"), [])
            raise RuntimeError("stopped")
    assert active_build(index_dir) == before and list(index_dir.glob("build-*")) == [before]
    with IndexWriter(index_dir) as writer:
        writer.write_tables()
    # Never committed: removed on leaving, the active index untouched.
    assert list(index_dir.glob("build-*")) == [before]


def test_corpus_reader_streams_in_doc_id_order(tmp_path):
    """Files are read in the order of their articles' ids (a JSON Lines
    file's records sorted too), as load_corpus sorts them; every pass reads
    the directory afresh and reports its skipped files again."""
    (tmp_path / "a.txt").write_text("متن الف", encoding="utf-8")
    (tmp_path / "a-b.txt").write_text("متن ب", encoding="utf-8")
    (tmp_path / "list.jsonl").write_text(
        "\n".join(json.dumps({"text": f"خبر {n}"}, ensure_ascii=False) for n in range(1, 12)), encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    # Two files of one stem are told apart by their extensions.
    (tmp_path / "dup.txt").write_text("متن یک", encoding="utf-8")
    (tmp_path / "dup.md").write_text("متن دو", encoding="utf-8")
    reader = CorpusReader(tmp_path)
    first = [doc.doc_id for doc in reader]
    assert first == [doc.doc_id for doc in load_corpus(tmp_path).articles] == sorted(first)
    assert {"a", "a-b", "dup.md", "dup.txt", "list#2"} <= set(first)
    assert len(first) == 15 and [s.code for s in reader.skipped] == ["unsupported_type"]
    assert [doc.doc_id for doc in reader] == first and len(reader.skipped) == 1


def test_build_holds_one_article_at_a_time(tmp_path, monkeypatch):
    """The build reads articles one file at a time and keeps none of them:
    while an article is chunked, no earlier one is still alive."""
    import qa.corpus
    import qa.indexing
    from tests.conftest import HashEmbedder

    data = tmp_path / "data"
    data.mkdir()
    for number in range(30):
        (data / f"{number:03d}.txt").write_text(
            f"خبر شماره {number}\n" + " ".join(f"جمله {number} و {word}." for word in range(40)), encoding="utf-8")
    alive: list[weakref.ref] = []
    most_alive = 0
    make_article, chunk_article = qa.corpus.make_article, qa.indexing.chunk_article

    def tracked_article(*args, **kwargs):
        made = make_article(*args, **kwargs)
        alive.append(weakref.ref(made))
        return made

    def counting_chunk_article(*args, **kwargs):
        nonlocal most_alive
        gc.collect()
        most_alive = max(most_alive, sum(ref() is not None for ref in alive))
        return chunk_article(*args, **kwargs)

    monkeypatch.setattr(qa.corpus, "make_article", tracked_article)
    monkeypatch.setattr(qa.indexing, "chunk_article", counting_chunk_article)
    summary = build_index(data, tmp_path / "index", HashEmbedder())
    assert summary.articles == 30 and len(alive) == 60  # read twice: hashes, then chunks
    assert 1 <= most_alive <= 2


def test_a_skipped_file_is_reported_once_per_build(seed_data, tmp_path, caplog):
    """The build reads the corpus twice; the skipped file is logged once."""
    from tests.conftest import HashEmbedder

    (seed_data / "image.png").write_bytes(b"\x89PNG")
    with caplog.at_level("WARNING", logger="qa.corpus"):
        summary = build_index(seed_data, tmp_path / "index", HashEmbedder())
    assert [s.path for s in summary.skipped] == ["image.png"]
    assert [r.getMessage() for r in caplog.records if "image.png" in r.getMessage()] == [
        "skipped image.png: unsupported file type .png"]
