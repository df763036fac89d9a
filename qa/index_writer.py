"""Writing an index: a build directory filled piece by piece, then made active.

An :class:`IndexWriter` takes the articles one at a time, each with its
chunks: the article's line is written at once, and of its chunks and
sentences only their offsets and ids are kept (a few dozen bytes each). The
chunk and sentence tables and BM25 follow, with chunk texts read back from
the article file; then the vectors, a batch at a time, into the vector store
(FAISS fills one segment at a time). So a build holds one article, one batch
of vectors and one vector-index segment in memory, not the corpus.

The files are described in :mod:`qa.layout`; :mod:`qa.store` opens them.
"""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np

from .layout import FORMAT_VERSION, Manifest, commit_build, file_records, new_build_directory, remove_build_directory
from .lexical import LexicalIndex, index_tokens
from .memory import release_pages, return_freed_memory
from .store import UNCHECKED_FILES, VECTORS_DIR, ArticleTable, VectorStoreChoice, remove_stale_builds, sentence_key
from .types import Article, Chunk
from .vector_index import create_vector_index, vector_store

# Vectors handed to the store per call.
_ADD_BATCH = 8_192
# Articles kept parsed while texts are read back: they are read in row order,
# so a few suffice (an article may be megabytes).
_ARTICLE_CACHE = 4


def sentence_embedding_input(article: Article, start: int, end: int) -> str:
    """Return the text embedded for one sentence: the headline, then the sentence.

    A sentence alone often names its subject only by a pronoun ("وی افزود");
    the headline puts it back, so the sentence vector matches questions that
    name the subject.
    """
    return f"{article.title}: {article.text[start:end]}"


class RowTexts(Sequence[str]):
    """Texts made from table rows when asked for (read back from the article file).

    Args:
        count: Number of rows.
        make: Returns the text of one row.
    """

    def __init__(self, count: int, make: Callable[[int], str]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self._make(i) for i in range(*row.indices(self._count))]
        if not -self._count <= row < self._count:
            raise IndexError(row)
        return self._make(int(row) % self._count)


class IndexWriter:
    """Writes one build directory beside the active index, then makes it active.

    Use: :meth:`add_article` for every article, in the order the article
    table should have; :meth:`write_tables`; embed :meth:`chunk_texts` and
    :meth:`sentence_texts`; :meth:`write_vectors`; :meth:`commit`. As a
    context manager it removes the unfinished build (and what it put on a
    Milvus server) when anything fails or :meth:`commit` was not reached.

    Args:
        index_dir: Index directory (created if missing).
        choice: Vector store, its URI and index kind.
    """

    def __init__(self, index_dir: Path, choice: VectorStoreChoice = VectorStoreChoice()) -> None:
        self.index_dir = Path(index_dir)
        self.choice = choice
        self.target = new_build_directory(self.index_dir)
        self._articles_file = (self.target / "articles.jsonl").open("wb")
        self._article_offsets = array("q", [0])
        # doc_id -> content hash, in row order (the article table's ids).
        self.documents: dict[str, str] = {}
        self._seen_chunks: set[str] = set()
        self._chunk_ids: list[bytes] = []
        self._chunk_article = array("i")
        self._chunk_start = array("q")
        self._chunk_end = array("q")
        self._span_counts = array("q")
        self._spans = array("q")  # start, end of each chunk's sentences, flattened
        self._sentence_article = array("i")
        self._sentence_start = array("q")
        self._sentence_end = array("q")
        self._sentence_chunk = array("q")
        self._articles: ArticleTable | None = None
        self._created: list[dict] = []
        self._descriptions: dict[str, dict] = {}
        self._dimension = 0
        self._committed = False

    def __enter__(self) -> "IndexWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        if not self._committed:
            self.abort()

    @property
    def article_count(self) -> int:
        """Articles added so far."""
        return len(self.documents)

    @property
    def chunk_count(self) -> int:
        """Chunks recorded so far (a passage repeated in two articles counts once)."""
        return len(self._chunk_article)

    @property
    def sentence_count(self) -> int:
        """Sentences recorded so far."""
        return len(self._sentence_start)

    def add_article(self, article: Article, chunks: Sequence[Chunk]) -> None:
        """Write an article and record its chunks and their sentences.

        A chunk whose id an earlier article already gave (the same passage
        in two articles) is stored once, with the first.

        Args:
            article: The article.
            chunks: Its chunks, in article order.
        """
        if self._articles is not None:
            raise RuntimeError("the tables are written: no article can be added")
        if article.doc_id in self.documents:
            raise ValueError(f"article {article.doc_id!r} was added already")
        row = len(self.documents)
        line = (json.dumps(asdict(article), ensure_ascii=False) + "\n").encode("utf-8")
        self._articles_file.write(line)
        self._article_offsets.append(self._article_offsets[-1] + len(line))
        self.documents[article.doc_id] = article.content_hash
        first_chunk: dict[tuple[int, int], int] = {}
        for chunk in chunks:
            if chunk.chunk_id in self._seen_chunks:
                continue
            self._seen_chunks.add(chunk.chunk_id)
            chunk_row = len(self._chunk_ids)
            self._chunk_ids.append(chunk.chunk_id.encode("ascii"))
            self._chunk_article.append(row)
            self._chunk_start.append(chunk.start)
            self._chunk_end.append(chunk.end)
            self._span_counts.append(len(chunk.sentences))
            for span in chunk.sentences:
                self._spans.extend((span.start, span.end))
                first_chunk.setdefault((span.start, span.end), chunk_row)
        # The sentence table is sorted by (article row, start): rows come in
        # order, so sorting each article's sentences is enough.
        for (start, end), chunk_row in sorted(first_chunk.items()):
            self._sentence_article.append(row)
            self._sentence_start.append(start)
            self._sentence_end.append(end)
            self._sentence_chunk.append(chunk_row)

    def write_tables(self, scratch: Path | None = None) -> None:
        """Write the article, chunk and sentence tables and the BM25 index.

        Args:
            scratch: Where BM25's temporary files go (None: the system's
                temporary directory).
        """
        self._articles_file.close()
        target = self.target
        _save(target / "articles.offsets.npy", np.frombuffer(self._article_offsets, dtype=np.int64))
        (target / "article_ids.json").write_text(json.dumps(list(self.documents), ensure_ascii=False), encoding="utf-8")
        folder = target / "chunks"
        folder.mkdir()
        ids = np.array(self._chunk_ids, dtype="S") if self._chunk_ids else np.zeros(0, "S16")
        self._chunk_ids = []
        self._seen_chunks = set()
        order = np.argsort(ids, kind="stable")
        _save(folder / "ids.npy", ids)
        _save(folder / "ids_sorted.npy", ids[order])
        _save(folder / "ids_order.npy", order.astype(np.int64))
        del ids, order
        _save(folder / "article.npy", np.frombuffer(self._chunk_article, dtype=np.int32))
        _save(folder / "start.npy", np.frombuffer(self._chunk_start, dtype=np.int64))
        _save(folder / "end.npy", np.frombuffer(self._chunk_end, dtype=np.int64))
        counts = np.frombuffer(self._span_counts, dtype=np.int64)
        _save(folder / "sentence_offsets.npy", np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
        _save(folder / "sentence_spans.npy", np.frombuffer(self._spans, dtype=np.int64).reshape(-1, 2))
        self._spans = array("q")
        folder = target / "sentences"
        folder.mkdir()
        rows = np.frombuffer(self._sentence_article, dtype=np.int32)
        starts = np.frombuffer(self._sentence_start, dtype=np.int64)
        for name, values in (("article", rows), ("start", starts),
                             ("end", np.frombuffer(self._sentence_end, dtype=np.int64)),
                             ("keys", sentence_key(rows, starts)),
                             ("chunk", np.frombuffer(self._sentence_chunk, dtype=np.int64))):
            _save(folder / f"{name}.npy", values)
        self._sentence_chunk = array("q")
        self._articles = ArticleTable(target, cache_size=_ARTICLE_CACHE, mapped=False)
        LexicalIndex.build(index_tokens(self.chunk_texts()), scratch).save(target / "lexical")
        # The C heap keeps what BM25's Python objects freed; the vector
        # indexes filled next allocate elsewhere.
        return_freed_memory()

    def _written_articles(self) -> ArticleTable:
        if self._articles is None:
            raise RuntimeError("write_tables() first")
        return self._articles

    def chunk_texts(self) -> RowTexts:
        """The text of every chunk, in table order (read back when asked for)."""
        articles = self._written_articles()
        rows, starts, ends = self._chunk_article, self._chunk_start, self._chunk_end
        return RowTexts(len(rows), lambda row: articles.at(rows[row]).text[starts[row]:ends[row]])

    def sentence_texts(self) -> RowTexts:
        """What is embedded for every sentence (headline and sentence), in table order."""
        articles = self._written_articles()
        rows, starts, ends = self._sentence_article, self._sentence_start, self._sentence_end
        return RowTexts(len(rows), lambda row: sentence_embedding_input(articles.at(rows[row]), starts[row], ends[row]))

    def write_vectors(self, chunk_vectors: np.ndarray, sentence_vectors: np.ndarray) -> None:
        """Fill the two vector indexes, a batch at a time, in table order.

        Args:
            chunk_vectors: One row per chunk (memory-mapped or in memory).
            sentence_vectors: One row per sentence.
        """
        self._dimension = int(chunk_vectors.shape[1])
        (self.target / VECTORS_DIR).mkdir()
        for name, vectors in (("chunks", chunk_vectors), ("sentences", sentence_vectors)):
            index = create_vector_index(self.choice.store, self.target / VECTORS_DIR, name, self._dimension,
                                        len(vectors), self.choice.parameters, self.choice.uri, self.choice.kind)
            self._created.append(index.describe())
            try:
                for start in range(0, len(vectors), _ADD_BATCH):
                    index.add(vectors[start:start + _ADD_BATCH])
                    release_pages(vectors)
                self._descriptions[name] = index.save()
            finally:
                index.close()

    def commit(self, embedder: str, embedder_id: str, chunking: dict, data_dir: str,
               build_seconds: float) -> Manifest:
        """Write the manifest and make this build the active index.

        Returns:
            The manifest written.
        """
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            embedder=embedder,
            embedder_id=embedder_id,
            dimension=self._dimension,
            chunking=chunking,
            documents=self.documents,
            articles=self.article_count,
            chunks=self.chunk_count,
            sentences=self.sentence_count,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            build_seconds=round(build_seconds, 3),
            data_dir=data_dir,
            vector_store={"store": self.choice.store, **self._descriptions},
            files=file_records(self.target, skip=UNCHECKED_FILES),
        )
        self._close_articles()
        commit_build(self.index_dir, self.target, manifest)
        self._committed = True
        remove_stale_builds(self.index_dir)
        return manifest

    def abort(self) -> None:
        """Remove the unfinished build and what it put on a Milvus server."""
        self._articles_file.close()
        self._close_articles()
        store = vector_store(self.choice.store)
        for description in self._created:
            store.drop(self.target / VECTORS_DIR, description)
        self._created = []
        remove_build_directory(self.target)

    def _close_articles(self) -> None:
        if self._articles is not None:
            self._articles.close()
            self._articles = None


def _save(path: Path, array_: np.ndarray) -> None:
    np.save(path, array_, allow_pickle=False)
