"""The index on disk: FAISS vectors, BM25 index, chunk records and a manifest.

Layout of an index directory::

    index/
      CURRENT                 name of the active build directory (swapped atomically)
      .lock                   held while a build runs
      build-<time>-<pid>/
        manifest.json         format version, embedder, chunking, document hashes,
                              counts, build time, SHA-256 of every file below
        articles.jsonl        article records (text included: citations need it)
        chunks.jsonl          chunk records with offsets and sentence spans
        chunk_vectors.npy     float32 [chunks, dim], L2-normalized
        sentence_vectors.npy  float32 [sentences, dim] for answer composition
        dense.faiss           FAISS inner-product index over chunk_vectors
        lexical/              bm25s index over search-key tokens

Plain files only: JSON, ``.npy`` (saved and loaded with pickling disabled)
and FAISS's own format. A new build is written beside the active one and
``CURRENT`` is replaced only when it is complete, so a crash mid-build leaves
the previous index loadable. Raw FAISS ``(D, I)`` arrays never leave this
module: searches return :class:`~qa.types.Hit` lists.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .files import sha256_file
from .types import Article, Chunk, Hit, Span

# 2: sentence vectors embed the headline with the sentence.
FORMAT_VERSION = 2
POINTER_FILE = "CURRENT"
LOCK_FILE = ".lock"
MANIFEST_FILE = "manifest.json"
# Exact search is fast enough up to here on a laptop; above, HNSW.
HNSW_THRESHOLD = 50_000


@lru_cache(maxsize=1)
def _faiss():
    try:
        import faiss
    except ImportError:
        raise ImportError("The index needs FAISS: pip install faiss-cpu") from None
    return faiss


@lru_cache(maxsize=1)
def _bm25s():
    try:
        import bm25s
    except ImportError:
        raise ImportError("The lexical index needs bm25s: pip install bm25s") from None
    # bm25s sets its own logger to DEBUG on import; its messages are noise here.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class IndexUnavailable(RuntimeError):
    """No usable index: missing, damaged, or made by another embedder/format."""


class BuildLocked(RuntimeError):
    """Another build of the same index is running."""


@dataclass(frozen=True)
class SentenceRef:
    """A sentence of an article, by offsets."""

    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Manifest:
    """What an index holds and how it was made (``manifest.json``)."""

    format_version: int
    embedder: str
    embedder_id: str
    dimension: int
    chunking: dict
    documents: dict[str, str]
    articles: int
    chunks: int
    sentences: int
    built_at: str
    build_seconds: float
    data_dir: str
    dense_index: str
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return asdict(self)


@dataclass(frozen=True)
class IndexContents:
    """Everything a build writes (what :func:`write_index` takes)."""

    articles: tuple[Article, ...]
    chunks: tuple[Chunk, ...]
    chunk_vectors: np.ndarray
    chunk_tokens: tuple[tuple[str, ...], ...]
    sentences: tuple[SentenceRef, ...]
    sentence_vectors: np.ndarray
    embedder: str
    embedder_id: str
    chunking: dict
    data_dir: str
    build_seconds: float = 0.0


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _chunk_record(chunk: Chunk) -> dict:
    record = asdict(chunk)
    record["sentences"] = [[s.start, s.end] for s in chunk.sentences]
    return record


def _chunk_from_record(record: dict) -> Chunk:
    return Chunk(
        chunk_id=record["chunk_id"], doc_id=record["doc_id"], start=record["start"], end=record["end"],
        text=record["text"], sentences=tuple(Span(a, b) for a, b in record["sentences"]),
    )


def sentence_refs(chunks: Sequence[Chunk]) -> tuple[SentenceRef, ...]:
    """Return every distinct sentence of the chunks, in chunk order."""
    seen: dict[SentenceRef, None] = {}
    for chunk in chunks:
        for span in chunk.sentences:
            seen.setdefault(SentenceRef(chunk.doc_id, span.start, span.end), None)
    return tuple(seen)


def _build_dense_index(vectors: np.ndarray, kind: str):
    faiss = _faiss()
    dimension = vectors.shape[1]
    # Inner product over L2-normalized vectors is cosine similarity.
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def _build_lexical_index(chunk_tokens: Sequence[Sequence[str]]):
    retriever = _bm25s().BM25()
    # bm25s cannot index an empty document list or an empty vocabulary.
    corpus = [list(tokens) or ["\u0000"] for tokens in chunk_tokens]
    retriever.index(corpus, show_progress=False)
    return retriever


def write_index(index_dir: Path, contents: IndexContents, dense_kind: str = "auto") -> Manifest:
    """Write a complete index beside the active one and make it active.

    Args:
        index_dir: Index directory (created if missing).
        contents: What to write.
        dense_kind: ``flat``, ``hnsw`` or ``auto`` (HNSW above 50,000 chunks).

    Returns:
        The manifest written.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    target = index_dir / name
    target.mkdir()
    if dense_kind == "auto":
        dense_kind = "hnsw" if len(contents.chunks) > HNSW_THRESHOLD else "flat"
    _write_jsonl(target / "articles.jsonl", (asdict(article) for article in contents.articles))
    _write_jsonl(target / "chunks.jsonl", (_chunk_record(chunk) for chunk in contents.chunks))
    _write_jsonl(target / "sentences.jsonl", ([s.doc_id, s.start, s.end] for s in contents.sentences))
    np.save(target / "chunk_vectors.npy", contents.chunk_vectors.astype(np.float32), allow_pickle=False)
    np.save(target / "sentence_vectors.npy", contents.sentence_vectors.astype(np.float32), allow_pickle=False)
    _faiss().write_index(_build_dense_index(contents.chunk_vectors, dense_kind), str(target / "dense.faiss"))
    _build_lexical_index(contents.chunk_tokens).save(str(target / "lexical"))
    files = {str(path.relative_to(target)): sha256_file(path) for path in sorted(target.rglob("*")) if path.is_file()}
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        embedder=contents.embedder,
        embedder_id=contents.embedder_id,
        dimension=int(contents.chunk_vectors.shape[1]),
        chunking=contents.chunking,
        documents={article.doc_id: article.content_hash for article in contents.articles},
        articles=len(contents.articles),
        chunks=len(contents.chunks),
        sentences=len(contents.sentences),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(contents.build_seconds, 3),
        data_dir=contents.data_dir,
        dense_index=dense_kind,
        files=files,
    )
    (target / MANIFEST_FILE).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1))
    for path in target.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    pointer = index_dir / (POINTER_FILE + ".tmp")
    pointer.write_text(name)
    with pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / POINTER_FILE)
    remove_stale_builds(index_dir)
    return manifest


def active_build(index_dir: Path) -> Path | None:
    """Return the active build directory of an index, or None if there is none."""
    pointer = index_dir / POINTER_FILE
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    return index_dir / name if name else None


def remove_stale_builds(index_dir: Path) -> None:
    """Delete build directories that are not active (left by crashed builds)."""
    active = active_build(index_dir)
    for path in index_dir.glob("build-*"):
        if path.is_dir() and path != active:
            shutil.rmtree(path, ignore_errors=True)


_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "format_version": int, "embedder": str, "embedder_id": str, "dimension": int, "chunking": dict,
    "documents": dict, "articles": int, "chunks": int, "sentences": int, "built_at": str,
    "build_seconds": (int, float), "data_dir": str, "dense_index": str, "files": dict,
}


def _manifest_problem(data: object) -> str | None:
    """Return what is wrong with a parsed manifest, or None when it has the right shape."""
    if not isinstance(data, dict):
        return f"manifest.json holds a {type(data).__name__}, not an object"
    for name, kind in _MANIFEST_TYPES.items():
        if name not in data:
            return f"manifest.json has no {name!r}"
        if not isinstance(data[name], kind) or isinstance(data[name], bool):
            return f"manifest.json field {name!r} is a {type(data[name]).__name__}"
    unknown = set(data) - set(_MANIFEST_TYPES)
    if unknown:
        return f"manifest.json has unknown fields {sorted(unknown)}"
    for name in ("documents", "files"):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data[name].items()):
            return f"manifest.json field {name!r} must map names to strings"
    return None


def read_manifest(index_dir: Path) -> Manifest:
    """Read and check the manifest of the active build.

    Raises:
        IndexUnavailable: When there is no index or the manifest is damaged
            (not JSON, or JSON of the wrong shape).
    """
    build = active_build(index_dir)
    if build is None or not (build / MANIFEST_FILE).is_file():
        raise IndexUnavailable(f"No index in {index_dir}. Run `qa index build` to create it.")
    try:
        data = json.loads((build / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnavailable(f"The index in {index_dir} is damaged ({error}). Run `qa index build --full`.") from error
    problem = _manifest_problem(data)
    if problem:
        raise IndexUnavailable(f"The index in {index_dir} is damaged ({problem}). Run `qa index build --full`.")
    return Manifest(**data)


class BuildLock:
    """Exclusive lock on an index directory for the length of a build.

    Re-entrant within one thread, so that a caller can hold the lock across
    "change the articles, then build" (an upload is refused before it is
    saved when another build runs). Another thread or process gets
    :class:`BuildLocked` at once, never a wait.

    Raises:
        BuildLocked: On entry, when another process or thread holds the lock.
    """

    _held: dict[Path, tuple[int, int]] = {}
    _guard = threading.Lock()

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / LOCK_FILE
        self.handle = None
        self._key = self.path.absolute()

    def __enter__(self) -> "BuildLock":
        me = threading.get_ident()
        with self._guard:
            owner, depth = self._held.get(self._key, (None, 0))
            if owner == me:
                self._held[self._key] = (me, depth + 1)
                return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.path.open("a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.seek(0)
            owner_pid = self.handle.read().strip() or "unknown"
            self.handle.close()
            self.handle = None
            raise BuildLocked(
                f"Another build of {self.path.parent} is running (pid {owner_pid}); wait for it to finish."
            ) from None
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(str(os.getpid()))
        self.handle.flush()
        with self._guard:
            self._held[self._key] = (me, 1)
        return self

    def __exit__(self, *exc_info) -> None:
        with self._guard:
            owner, depth = self._held.get(self._key, (None, 0))
            if self.handle is None:  # an inner, re-entered use
                self._held[self._key] = (owner, depth - 1)
                return
            del self._held[self._key]
        self.handle.seek(0)
        self.handle.truncate()
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        self.handle = None


def build_running(index_dir: Path) -> bool:
    """Tell whether a build of ``index_dir`` holds its lock right now."""
    try:
        with BuildLock(index_dir):
            return False
    except BuildLocked:
        return True


class LoadedIndex:
    """An index read into memory, ready to search.

    Attributes:
        manifest: The manifest.
        articles: Articles by ``doc_id``.
        chunks: Chunks in index order.
        chunk_vectors: Their vectors.
        sentences: Distinct sentences, aligned with ``sentence_vectors``.
    """

    def __init__(self, path: Path, manifest: Manifest, articles: dict[str, Article], chunks: list[Chunk],
                 chunk_vectors: np.ndarray, sentences: list[SentenceRef], sentence_vectors: np.ndarray,
                 dense, lexical) -> None:
        self.path = path
        self.manifest = manifest
        self.articles = articles
        self.chunks = chunks
        self.chunk_vectors = chunk_vectors
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self.sentence_row = {ref: row for row, ref in enumerate(sentences)}
        self.chunk_row = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
        # Each sentence points to the first chunk that holds it.
        first_chunk: dict[SentenceRef, int] = {}
        for row, chunk in enumerate(chunks):
            for span in chunk.sentences:
                first_chunk.setdefault(SentenceRef(chunk.doc_id, span.start, span.end), row)
        self._sentence_chunk = np.array([first_chunk[ref] for ref in sentences], dtype=np.int64)
        self._sentence_dense = _build_dense_index(sentence_vectors, manifest.dense_index) if len(sentences) else None
        self._dense = dense
        self._lexical = lexical

    def dense_search_batch(self, query_vectors: np.ndarray, k: int) -> list[list[Hit]]:
        """Return the ``k`` chunks nearest each query vector (cosine)."""
        if not self.chunks or len(query_vectors) == 0:
            return [[] for _ in range(len(query_vectors))]
        k = min(k, len(self.chunks))
        scores, rows = self._dense.search(np.ascontiguousarray(query_vectors, dtype=np.float32), k)
        return [
            [Hit(self.chunks[row], float(score), dense_score=float(score))
             for score, row in zip(score_row, row_ids) if row >= 0]
            for score_row, row_ids in zip(scores, rows)
        ]

    def sentence_search_batch(self, query_vectors: np.ndarray, k: int) -> list[list[Hit]]:
        """Return, for each query vector, the chunks of the ``k`` nearest
        sentences (cosine of the sentence; each chunk once, best first)."""
        if self._sentence_dense is None or len(query_vectors) == 0:
            return [[] for _ in range(len(query_vectors))]
        depth = min(len(self.sentences), 3 * k)
        scores, rows = self._sentence_dense.search(np.ascontiguousarray(query_vectors, dtype=np.float32), depth)
        results = []
        for score_row, row_ids in zip(scores, rows):
            seen: dict[int, float] = {}
            for score, row in zip(score_row, row_ids):
                if row >= 0:
                    seen.setdefault(int(self._sentence_chunk[row]), float(score))
            results.append([Hit(self.chunks[row], score, dense_score=score) for row, score in seen.items()][:k])
        return results

    def lexical_search_batch(self, token_lists: Sequence[Sequence[str]], k: int) -> list[list[Hit]]:
        """Return the ``k`` best BM25 matches of each token list (score > 0 only)."""
        results: list[list[Hit]] = []
        k = min(k, len(self.chunks))
        for tokens in token_lists:
            known = [token for token in tokens if token in self._lexical.vocab_dict]
            if not known or k == 0:
                results.append([])
                continue
            rows, scores = self._lexical.retrieve([known], k=k, show_progress=False, n_threads=1)
            results.append([
                Hit(self.chunks[int(row)], float(score), lexical_score=float(score))
                for row, score in zip(rows[0], scores[0]) if score > 0
            ])
        return results

    def inverse_document_frequency(self, words: Sequence[str]) -> dict[str, float]:
        """Return the BM25 inverse document frequency of each word among the
        chunks (a word the corpus never uses gets the highest value)."""
        indptr = self._lexical.scores["indptr"]
        vocabulary = self._lexical.vocab_dict
        total = len(self.chunks)
        result = {}
        for word in words:
            row = vocabulary.get(word)
            frequency = int(indptr[row + 1] - indptr[row]) if row is not None else 0
            result[word] = float(np.log(1.0 + (total - frequency + 0.5) / (frequency + 0.5)))
        return result

    def known_words(self, words: Sequence[str]) -> set[str]:
        """Return the words (search tokens) that occur in some chunk."""
        vocabulary = self._lexical.vocab_dict
        return {word for word in words if word in vocabulary}

    def probe_passages(self, count: int = 2) -> tuple[list[str], np.ndarray]:
        """Return a few chunk texts and their stored vectors (first and last
        chunks), for checking that an embedder still gives the same vectors."""
        rows = sorted({0, len(self.chunks) - 1})[:count] if self.chunks else []
        return [self.chunks[row].text for row in rows], self.chunk_vectors[rows]

    def sentence_vectors_for(self, doc_id: str, spans: Sequence[Span]) -> np.ndarray:
        """Return the stored vectors of the given sentences of one article."""
        rows = [self.sentence_row[SentenceRef(doc_id, span.start, span.end)] for span in spans]
        return self.sentence_vectors[rows]


def load_index(index_dir: Path, embedder_id: str | None = None) -> LoadedIndex:
    """Load the active index of ``index_dir``.

    Args:
        index_dir: Index directory.
        embedder_id: When given, the index must have been made by this embedder.

    Returns:
        The loaded index.

    Raises:
        IndexUnavailable: Missing, damaged, other format or other embedder;
            the message says to run ``qa index build``.
    """
    manifest = read_manifest(index_dir)
    build = active_build(index_dir)
    assert build is not None
    if manifest.format_version != FORMAT_VERSION:
        raise IndexUnavailable(
            f"The index in {index_dir} has format {manifest.format_version}; this version reads format "
            f"{FORMAT_VERSION}. Run `qa index build` to rebuild it."
        )
    if embedder_id is not None and manifest.embedder_id != embedder_id:
        raise IndexUnavailable(
            f"The index in {index_dir} was built with embedder {manifest.embedder_id}, not {embedder_id}. "
            f"Run `qa index build` to rebuild it."
        )
    for name, digest in manifest.files.items():
        path = build / name
        if not path.is_file() or sha256_file(path) != digest:
            raise IndexUnavailable(
                f"The index file {path} is missing or damaged. Run `qa index build --full` to rebuild it."
            )
    try:
        articles = {row["doc_id"]: Article(**row) for row in _read_jsonl(build / "articles.jsonl")}
        chunks = [_chunk_from_record(row) for row in _read_jsonl(build / "chunks.jsonl")]
        sentences = [SentenceRef(*row) for row in _read_jsonl(build / "sentences.jsonl")]
        chunk_vectors = np.load(build / "chunk_vectors.npy", allow_pickle=False)
        sentence_vectors = np.load(build / "sentence_vectors.npy", allow_pickle=False)
        dense = _faiss().read_index(str(build / "dense.faiss"))
        lexical = _bm25s().BM25.load(str(build / "lexical"), load_corpus=False)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
        raise IndexUnavailable(
            f"The index in {index_dir} cannot be read ({error}). Run `qa index build --full` to rebuild it."
        ) from error
    return LoadedIndex(build, manifest, articles, chunks, chunk_vectors, sentences, sentence_vectors, dense, lexical)
