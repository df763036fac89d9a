"""Opening an index: tables of articles, chunks and sentences, two vector
indexes (passages, sentences) behind :class:`~qa.vector_index.VectorIndex`,
and a BM25 index (:mod:`qa.index_writer` writes them).

The files are described in :mod:`qa.layout`. Opening reads no chunk text and
parses no per-chunk JSON: the chunk and sentence tables are ``.npy`` arrays,
memory-mapped; an article is parsed from its own line when first asked for;
vectors stay in the vector store, memory-mapped for FAISS. Searches return
:class:`~qa.types.Hit` lists: raw store results never leave this module.
"""

from __future__ import annotations

import json
import mmap
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from .layout import (
    FORMAT_VERSION, MANIFEST_FILE, IndexUnavailable, Manifest, active_build, check_files, read_manifest,
    remove_build_directory, stale_builds,
)
from .lexical import LexicalIndex
from .locking import BuildLock, BuildLocked, build_running
from .parameters import DEFAULT_VECTOR_INDEX, VectorIndexParameters
from .types import Article, Chunk, Hit, Span
from .vector_index import VectorIndex, VectorStoreError, open_vector_index, vector_store

__all__ = [
    "FORMAT_VERSION", "BuildLock", "BuildLocked", "IndexUnavailable", "LoadedIndex", "Manifest",
    "active_build", "build_running", "load_index", "read_manifest", "remove_stale_builds", "verify_index",
]

VECTORS_DIR = "vectors"
# Files a live database rewrites while it is open: not checksummed.
UNCHECKED_FILES = (f"{VECTORS_DIR}/milvus.db",)


@dataclass(frozen=True)
class VectorStoreChoice:
    """Where a build puts its vectors.

    Attributes:
        store: Registry name (``faiss``, ``milvus``).
        uri: Milvus server URI; None for files in the build directory.
        kind: ``auto``, ``flat`` or ``hnsw``.
        parameters: Index parameters.
    """

    store: str = "faiss"
    uri: str | None = None
    kind: str = "auto"
    parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX


def sentence_key(article_rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Return one sortable integer per sentence: article row, then start
    offset (an article's sentences never share a start)."""
    return (article_rows.astype(np.int64) << 32) | starts.astype(np.int64)


def _drop_vector_store(build: Path) -> None:
    """Drop what a build keeps outside its directory (a Milvus server's collections)."""
    try:
        data = json.loads((build / MANIFEST_FILE).read_text(encoding="utf-8"))
        stores = data["vector_store"]
        store = vector_store(stores["store"])
        for name in ("chunks", "sentences"):
            store.drop(build / VECTORS_DIR, stores[name])
    except (OSError, ValueError, KeyError, TypeError, VectorStoreError):
        pass  # no manifest yet, or an older format: nothing recorded outside the directory


def remove_stale_builds(index_dir: Path) -> None:
    """Delete build directories that are not active (older builds, crashed
    builds) and their collections on a Milvus server."""
    for build in stale_builds(index_dir):
        _drop_vector_store(build)
        remove_build_directory(build)


class ArticleTable(Mapping):
    """Articles by ``doc_id``, each parsed from its own line when asked for.

    Args:
        build: The build directory.
        cache_size: Articles kept parsed.
        mapped: Map the article file into memory (searching: the kernel
            shares and keeps the pages); False reads each line with
            ``pread`` (a build reading every article once, whose pages
            would otherwise all stay in the process).
    """

    def __init__(self, build: Path, cache_size: int = 512, mapped: bool = True) -> None:
        self._ids: list[str] = json.loads((build / "article_ids.json").read_text(encoding="utf-8"))
        self._rows = {doc_id: row for row, doc_id in enumerate(self._ids)}
        self._offsets = np.load(build / "articles.offsets.npy", allow_pickle=False)
        self._file = None
        if mapped:
            with (build / "articles.jsonl").open("rb") as handle:
                size = handle.seek(0, 2)
                self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        else:
            self._file = (build / "articles.jsonl").open("rb")
        self._read = lru_cache(maxsize=cache_size)(self._parse)

    def _parse(self, row: int) -> Article:
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        line = os.pread(self._file.fileno(), end - start, start) if self._file else self._data[start:end]
        return Article(**json.loads(line))

    def close(self) -> None:
        """Close the article file (an unmapped table; a mapped one closes with its map)."""
        if self._file is not None:
            self._file.close()

    @property
    def ids(self) -> list[str]:
        """The ``doc_id`` of every row, in row order."""
        return self._ids

    def row_of(self, doc_id: str) -> int:
        """Return the table row of an article (KeyError when absent)."""
        return self._rows[doc_id]

    def at(self, row: int) -> Article:
        """Return the article of a table row."""
        return self._read(row)

    def __getitem__(self, doc_id: str) -> Article:
        return self._read(self._rows[doc_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows


class ChunkTable(Sequence):
    """Chunks by row; a chunk's text is cut from its article when asked for."""

    def __init__(self, build: Path, articles: ArticleTable) -> None:
        folder = build / "chunks"
        load = lambda name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)  # noqa: E731
        self._articles = articles
        self._ids, self._sorted_ids, self._order = load("ids"), load("ids_sorted"), load("ids_order")
        self._article, self._start, self._end = load("article"), load("start"), load("end")
        self._span_offsets, self._spans = load("sentence_offsets"), load("sentence_spans")

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        article = self._articles.at(int(self._article[row]))
        start, end = int(self._start[row]), int(self._end[row])
        spans = self._spans[self._span_offsets[row]:self._span_offsets[row + 1]]
        return Chunk(chunk_id=self._ids[row].decode("ascii"), doc_id=article.doc_id, start=start, end=end,
                     text=article.text[start:end], sentences=tuple(Span(int(a), int(b)) for a, b in spans))

    def row_of(self, chunk_id: str) -> int:
        """Return the row of a chunk id (binary search over the sorted ids; KeyError when absent)."""
        key = chunk_id.encode("ascii")
        position = int(np.searchsorted(self._sorted_ids, key))
        if position >= len(self._sorted_ids) or self._sorted_ids[position] != key:
            raise KeyError(chunk_id)
        return int(self._order[position])

    def text(self, row: int) -> str:
        """Return the text of one chunk (no :class:`Chunk` made)."""
        return self._articles.at(int(self._article[row])).text[int(self._start[row]):int(self._end[row])]

    def rows_of_article(self, article_row: int) -> range:
        """Return the rows of an article's chunks (a build writes them together, in article order)."""
        return range(int(np.searchsorted(self._article, article_row, side="left")),
                     int(np.searchsorted(self._article, article_row, side="right")))

    def doc_ids(self) -> list[str]:
        """Return the ``doc_id`` of every chunk, in row order (cheap: no text is cut)."""
        names = self._articles.ids
        return [names[int(row)] for row in self._article]


class LoadedIndex:
    """An opened index, ready to search.

    Attributes:
        path: The build directory.
        manifest: The manifest.
        articles: Articles by ``doc_id`` (a lazy mapping).
        chunks: Chunks in row order (a lazy sequence).
    """

    def __init__(self, path: Path, manifest: Manifest, articles: ArticleTable, chunks: ChunkTable,
                 chunk_index: VectorIndex, sentence_index: VectorIndex, lexical: LexicalIndex) -> None:
        self.path = path
        self.manifest = manifest
        self.articles = articles
        self.chunks = chunks
        self._chunk_index = chunk_index
        self._sentence_index = sentence_index
        self._lexical = lexical
        folder = path / "sentences"
        self._sentence_keys = np.load(folder / "keys.npy", mmap_mode="r", allow_pickle=False)
        self._sentence_chunk = np.load(folder / "chunk.npy", mmap_mode="r", allow_pickle=False)
        self._closed = threading.Event()

    @property
    def embedder(self) -> str:
        """Name of the embedder that made the vectors."""
        return self.manifest.embedder

    @property
    def vector_store(self) -> str:
        """Name of the vector store holding the vectors."""
        return self.manifest.vector_store["store"]

    def dense_search_batch(self, query_vectors: np.ndarray, k: int) -> list[list[Hit]]:
        """Return the ``k`` chunks nearest each query vector (cosine)."""
        if len(query_vectors) == 0:
            return []
        return [[Hit(self.chunks[row], score, dense_score=score) for row, score in zip(match.ids, match.scores)]
                for match in self._chunk_index.search_batch(query_vectors, k)]

    def sentence_search_batch(self, query_vectors: np.ndarray, k: int) -> list[list[Hit]]:
        """Return, for each query vector, the chunks of the ``k`` nearest
        sentences (cosine of the sentence; each chunk once, best first)."""
        if len(query_vectors) == 0:
            return []
        results = []
        for match in self._sentence_index.search_batch(query_vectors, 3 * k):
            seen: dict[int, float] = {}
            for row, score in zip(match.ids, match.scores):
                seen.setdefault(int(self._sentence_chunk[row]), score)
            results.append([Hit(self.chunks[row], score, dense_score=score) for row, score in seen.items()][:k])
        return results

    def lexical_search_batch(self, token_lists: Sequence[Sequence[str]], k: int) -> list[list[Hit]]:
        """Return the ``k`` best BM25 matches of each token list (score > 0 only)."""
        return [[Hit(self.chunks[row], score, lexical_score=score) for row, score in pairs]
                for pairs in self._lexical.search_batch(token_lists, k)]

    def inverse_document_frequency(self, words: Sequence[str]) -> dict[str, float]:
        """Return the BM25 inverse document frequency of each word among the chunks."""
        return self._lexical.inverse_document_frequency(words)

    def known_words(self, words: Sequence[str]) -> set[str]:
        """Return the words (search tokens) that occur in some chunk."""
        return self._lexical.known_words(words)

    def vocabulary(self) -> list[str]:
        """Return every search token some chunk holds (words and joined pairs)."""
        return self._lexical.vocabulary()

    def chunk_vectors_for(self, chunks: Sequence[Chunk]) -> np.ndarray:
        """Return the stored vectors of chunks of this index."""
        return self._chunk_index.vectors([self.chunks.row_of(chunk.chunk_id) for chunk in chunks])

    def sentence_vectors_for(self, doc_id: str, spans: Sequence[Span]) -> np.ndarray:
        """Return the stored vectors of the given sentences of one article."""
        row = self.articles.row_of(doc_id)
        keys = sentence_key(np.full(len(spans), row, dtype=np.int64), np.array([s.start for s in spans], dtype=np.int64))
        positions = np.searchsorted(self._sentence_keys, keys)
        if len(spans) and (positions.max() >= len(self._sentence_keys)
                           or not np.array_equal(self._sentence_keys[positions], keys)):
            raise KeyError(f"sentences of {doc_id} not in the index")
        return self._sentence_index.vectors(positions)

    def probe_passages(self, count: int = 2) -> tuple[list[str], np.ndarray]:
        """Return a few chunk texts and their stored vectors (first and last
        chunks), for checking that an embedder still gives the same vectors."""
        rows = sorted({0, len(self.chunks) - 1})[:count] if len(self.chunks) else []
        return [self.chunks[row].text for row in rows], self._chunk_index.vectors(rows)

    def sentence_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every stored sentence in table order (the order of the sentence
        vectors): article rows, starts and ends, memory-mapped."""
        folder = self.path / "sentences"
        return tuple(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)  # type: ignore[return-value]
                     for name in ("article", "start", "end"))

    def chunk_vectors_at(self, rows: Sequence[int]) -> np.ndarray:
        """Stored vectors of chunk-table rows (what an incremental build reuses)."""
        return self._chunk_index.vectors(rows)

    def sentence_vectors_at(self, rows: Sequence[int]) -> np.ndarray:
        """Stored vectors of sentence-table rows (see :meth:`sentence_table`)."""
        return self._sentence_index.vectors(rows)

    def close(self) -> None:
        """Release the vector stores (a Milvus connection, FAISS memory maps)."""
        if not self._closed.is_set():
            self._closed.set()
            self._chunk_index.close()
            self._sentence_index.close()


def load_index(index_dir: Path, embedder_id: str | None = None) -> LoadedIndex:
    """Open the active index of ``index_dir``.

    Files are checked by size and modification time (a file copied without
    its time is hashed); ``qa index verify`` hashes every file.

    Args:
        index_dir: Index directory.
        embedder_id: When given, the index must have been made by this embedder.

    Returns:
        The opened index.

    Raises:
        IndexUnavailable: Missing, damaged, other format or other embedder;
            the message says to run ``qa index build``.
    """
    manifest = read_manifest(index_dir)
    build = active_build(index_dir)
    assert build is not None
    if embedder_id is not None and manifest.embedder_id != embedder_id:
        raise IndexUnavailable(
            f"The index in {index_dir} was built with embedder {manifest.embedder_id}, not {embedder_id}. "
            f"Run `qa index build` to rebuild it."
        )
    bad = check_files(build, manifest.files)
    if bad:
        raise IndexUnavailable(
            f"The index file {build / bad[0]} is missing or damaged. Run `qa index build --full` to rebuild it."
        )
    try:
        articles = ArticleTable(build)
        chunks = ChunkTable(build, articles)
        stores = manifest.vector_store
        chunk_index = open_vector_index(build / VECTORS_DIR, stores["chunks"])
        try:
            sentence_index = open_vector_index(build / VECTORS_DIR, stores["sentences"])
        except BaseException:
            chunk_index.close()
            raise
        lexical = LexicalIndex.open(build / "lexical", manifest.chunks)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
        raise IndexUnavailable(
            f"The index in {index_dir} cannot be read ({error}). Run `qa index build --full` to rebuild it."
        ) from error
    return LoadedIndex(build, manifest, articles, chunks, chunk_index, sentence_index, lexical)


def verify_index(index_dir: Path) -> list[str]:
    """Hash every file of the active index against its manifest.

    Returns:
        Relative paths of missing or damaged files (empty when all are good).

    Raises:
        IndexUnavailable: No index, or a damaged manifest.
    """
    manifest = read_manifest(index_dir)
    build = active_build(index_dir)
    assert build is not None
    return check_files(build, manifest.files, full=True)
