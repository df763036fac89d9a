"""Build or update the index of a data directory (``qa index build``).

Incremental: articles whose content hash and chunking are unchanged keep
their chunks, and every chunk or sentence whose text was embedded before by
the same embedder keeps its vector; only new text is embedded. The result is
written by :class:`qa.index_writer.IndexWriter` and made active atomically.

Articles are read twice, one file at a time: first for their hashes only
(enough to tell that the index is up to date), then to chunk and write them.
No step holds the corpus's texts together in memory.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .chunking import ChunkingSettings, chunk_article
from .corpus import DEFAULT_MAX_ARTICLE_BYTES, CorpusReader, log_skipped
from .embedding import Embedder
from .index_writer import IndexWriter, RowTexts, sentence_embedding_input
from .progress import Progress
from .memory import release_pages
from .store import (
    BuildLock, IndexUnavailable, LoadedIndex, VectorStoreChoice, active_build, load_index, read_manifest,
    remove_stale_builds,
)
from .types import BuildSummary, Chunk


def _same_vector_store(previous: LoadedIndex, choice: VectorStoreChoice) -> bool:
    """Tell whether the previous index already sits in the store and index kind asked for."""
    stores = previous.manifest.vector_store
    kind = str(stores["chunks"].get("kind", "")).lower()
    # A Lite file or FAISS records no URI: None matches None, a server only its own URI.
    return (stores["store"] == choice.store and choice.kind in ("auto", kind)
            and stores["chunks"].get("uri") == choice.uri)


class BuildError(RuntimeError):
    """The build cannot proceed (nothing to index); the old index is kept."""


# Texts embedded per call: bounds the fresh vectors held in memory at once.
_EMBED_BATCH = 2048
# Scratch directories of a build's vectors, beside the builds, under the lock.
_SCRATCH_PREFIX = ".vectors-"


_KEY_BYTES = 32


def _text_key(text: str) -> bytes:
    # The digest, not its hex form: a million keys are half the memory.
    return hashlib.sha256(text.encode()).digest()


def _text_keys(texts: Sequence[str]) -> np.ndarray:
    """Return the digest of every text in one array, reading one text at a time."""
    keys = np.empty(len(texts), dtype=f"V{_KEY_BYTES}")
    for row in range(len(texts)):
        keys[row] = _text_key(texts[row])
    return keys


def _reusable_index(index_dir: Path, embedder: Embedder, full: bool, notes: list[str]) -> LoadedIndex | None:
    if full:
        return None
    try:
        manifest = read_manifest(index_dir)
    except IndexUnavailable as error:
        if active_build(index_dir) is not None:
            notes.append(f"previous index unreadable ({error}); rebuilding all")
        return None
    if manifest.embedder_id != embedder.id:
        notes.append(f"index was built with {manifest.embedder_id}; rebuilding all")
        return None
    try:
        return load_index(index_dir, embedder.id)
    except IndexUnavailable as error:
        notes.append(f"previous index unreadable ({error}); rebuilding all")
        return None


class StoredTexts:
    """Digests of the texts a previous build embedded, with the row of each,
    sorted for lookup (32 bytes and a row per text; no text is kept).

    Args:
        texts: The previous build's texts, in table order.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        keys = _text_keys(texts)
        self._rows = np.argsort(keys, kind="stable")
        self._keys = keys[self._rows]

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Return the stored row of each key, -1 where the text was not stored."""
        if not len(self._keys):
            return np.full(len(keys), -1, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
        return np.where(self._keys[positions] == keys, self._rows[positions], -1)


def _embed_reusing(texts: Sequence[str], previous: StoredTexts | None, previous_vectors: Callable[[list[int]], np.ndarray],
                   embedder: Embedder, stage: str, progress: Progress | None, target: Path) -> tuple[np.ndarray, int]:
    """Return vectors for ``texts``, embedding only those not in ``previous``.

    The vectors are written, batch by batch, into a float32 ``.npy`` file and
    returned memory-mapped: a build holds one batch of fresh vectors in
    memory, not every vector of the corpus two or three times over (1M
    sentences are 1.5 GB each time). Texts are read one at a time and
    identified by their digests in one array, so the texts themselves need
    not all be in memory at once.

    Args:
        texts: Texts to embed, in table order.
        previous: The texts the previous build stored vectors for (None: no previous build).
        previous_vectors: Reads stored vectors by row.
        embedder: Embeds the rest.
        stage: Progress stage name.
        progress: Called with ``(stage, tokens done, tokens total)``.
        target: The ``.npy`` file to write.

    Returns:
        The vectors (``[len(texts), dimension]``, memory-mapped) and how many
        distinct texts were embedded.
    """
    if not len(texts):
        return np.zeros((0, embedder.dimension), np.float32), 0
    distinct, first_rows, inverse = np.unique(_text_keys(texts), return_index=True, return_inverse=True)
    # The rows holding each distinct text, grouped: rows_of(d) is a slice.
    grouped = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[grouped], np.arange(len(distinct) + 1))
    # Distinct texts in the order they first occur.
    in_order = np.argsort(first_rows, kind="stable")

    def rows_of(batch: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        # The table rows of each distinct text in ``batch``, and for each row its place in ``batch``.
        counts = bounds[np.asarray(batch) + 1] - bounds[np.asarray(batch)]
        rows = np.concatenate([grouped[bounds[d]:bounds[d + 1]] for d in batch])
        return rows, np.repeat(np.arange(len(batch)), counts)

    vectors = np.lib.format.open_memmap(target, mode="w+", dtype=np.float32, shape=(len(texts), embedder.dimension))
    stored_rows = previous.find(distinct) if previous is not None else np.full(len(distinct), -1)
    reused: list[int] = []
    missing: list[int] = []
    for d in in_order.tolist():
        (reused if stored_rows[d] >= 0 else missing).append(d)
    for start in range(0, len(reused), _EMBED_BATCH):
        batch = reused[start:start + _EMBED_BATCH]
        rows, place = rows_of(batch)
        vectors[rows] = previous_vectors([int(stored_rows[d]) for d in batch])[place]
        release_pages(vectors)
    # Progress counts tokens, not texts: embedding time grows with tokens, so
    # tokens/s and the time left stay steady while passage lengths vary.
    tokens: list[int] = []
    if progress:
        for start in range(0, len(missing), _EMBED_BATCH):
            tokens += embedder.count_tokens([texts[first_rows[d]] for d in missing[start:start + _EMBED_BATCH]])
    total = sum(tokens)
    done = 0
    if progress:
        progress(stage, 0, total)
    for start in range(0, len(missing), _EMBED_BATCH):
        batch = missing[start:start + _EMBED_BATCH]

        def advance(positions: list[int], offset: int = start) -> None:
            nonlocal done
            done += sum(tokens[offset + position] for position in positions)
            progress(stage, done, total)

        fresh = embedder.embed_documents([texts[first_rows[d]] for d in batch],
                                         progress=advance if progress else None)
        rows, place = rows_of(batch)
        vectors[rows] = np.asarray(fresh, dtype=np.float32)[place]
        release_pages(vectors)
    vectors.flush()
    return vectors, len(missing)


def _embed_chunks_and_sentences(writer: IndexWriter, previous: LoadedIndex | None, embedder: Embedder,
                                progress: Progress | None, scratch: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Embed (or reuse) the vectors of every chunk and sentence the writer holds, into ``scratch``.

    Returns:
        Chunk vectors, sentence vectors (both memory-mapped, in table order),
        and how many distinct passages were embedded.
    """
    stored_chunks = stored_sentences = None
    if previous is not None:
        chunks = previous.chunks
        stored_chunks = StoredTexts(RowTexts(len(chunks), chunks.text))
        rows, starts, ends = previous.sentence_table()
        articles = previous.articles
        stored_sentences = StoredTexts(RowTexts(len(rows), lambda row: sentence_embedding_input(
            articles.at(int(rows[row])), int(starts[row]), int(ends[row]))))
    chunk_vectors, embedded = _embed_reusing(
        writer.chunk_texts(), stored_chunks, previous.chunk_vectors_at if previous else _none,
        embedder, "embedding passages", progress, scratch / "chunks.npy")
    sentence_vectors, _ = _embed_reusing(
        writer.sentence_texts(), stored_sentences, previous.sentence_vectors_at if previous else _none,
        embedder, "embedding sentences", progress, scratch / "sentences.npy")
    return chunk_vectors, sentence_vectors, embedded


def _none(rows: list[int]) -> np.ndarray:
    raise AssertionError("no previous index to reuse vectors from")


def _previous_chunks(previous: LoadedIndex, doc_id: str) -> list[Chunk]:
    """Return the chunks the previous build stored for an article."""
    rows = previous.chunks.rows_of_article(previous.articles.row_of(doc_id))
    return [previous.chunks[row] for row in rows]


def build_index(data_dir: Path, index_dir: Path, embedder: Embedder,
                chunking: ChunkingSettings = ChunkingSettings(), full: bool = False,
                progress: Progress | None = None, vector_store: VectorStoreChoice = VectorStoreChoice(),
                max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> BuildSummary:
    """Build or update the index of ``data_dir`` in ``index_dir``.

    Args:
        data_dir: Articles.
        index_dir: Index directory.
        embedder: Embedder for passages and sentences.
        chunking: Chunk budget and overlap (capped at the model's input size).
        full: Rebuild from scratch, reusing nothing.
        progress: Called with ``(stage, done, total)``.
        vector_store: Vector store (``faiss``, ``milvus``), its URI and index kind.
        max_article_bytes: Larger article files are skipped with a reason.

    Returns:
        What the build did.

    Raises:
        BuildLocked: Another build of this index is running.
        BuildError: The data directory holds no readable article.
        CorpusError: The data directory does not exist.
    """
    started = time.monotonic()
    chunking = ChunkingSettings(min(chunking.max_tokens, embedder.max_tokens), chunking.overlap_sentences)
    with BuildLock(index_dir):
        remove_stale_builds(index_dir)
        for stale in index_dir.glob(_SCRATCH_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)  # a killed build's vectors
        if progress:
            progress("reading articles", 0, 1)
        corpus = CorpusReader(data_dir, max_article_bytes)
        # First reading: the hashes alone tell whether anything changed.
        new_hashes = {article.doc_id: article.content_hash for article in corpus}
        skipped, warnings = tuple(corpus.skipped), tuple(corpus.warnings)
        log_skipped(skipped)
        if not new_hashes:
            _raise_nothing_to_index(data_dir, skipped)
        notes: list[str] = []
        previous = _reusable_index(index_dir, embedder, full, notes)
        chunking_record = asdict(chunking)
        same_chunking = previous is not None and previous.manifest.chunking == chunking_record
        old_hashes = previous.manifest.documents if previous else {}
        added = sum(1 for doc_id in new_hashes if doc_id not in old_hashes)
        changed = sum(1 for doc_id, h in new_hashes.items() if doc_id in old_hashes and old_hashes[doc_id] != h)
        removed = sum(1 for doc_id in old_hashes if doc_id not in new_hashes)
        same_store = previous is not None and _same_vector_store(previous, vector_store)
        if previous is not None and same_chunking and same_store and old_hashes == new_hashes:
            summary = BuildSummary(
                articles=len(new_hashes), chunks=len(previous.chunks), embedded=0,
                reused=len(previous.chunks), added=0, changed=0, removed=0, skipped=skipped,
                seconds=time.monotonic() - started, index_dir=str(index_dir), up_to_date=True,
                warnings=warnings,
            )
            previous.close()
            return summary

        scratch = Path(tempfile.mkdtemp(prefix=_SCRATCH_PREFIX, dir=index_dir))
        try:
            with IndexWriter(index_dir, vector_store) as writer:
                # Second reading: one article at a time, chunked and written.
                for number, article in enumerate(corpus):
                    if progress:
                        progress("chunking", number, len(new_hashes))
                    unchanged = (same_chunking and old_hashes.get(article.doc_id) == article.content_hash
                                 and article.doc_id in previous.articles)
                    pieces = _previous_chunks(previous, article.doc_id) if unchanged else []
                    writer.add_article(article, pieces or chunk_article(article, embedder.count_tokens, chunking))
                if writer.article_count == 0:  # the files went away since the first reading
                    _raise_nothing_to_index(data_dir, tuple(corpus.skipped))
                writer.write_tables(scratch)
                chunk_vectors, sentence_vectors, embedded = _embed_chunks_and_sentences(
                    writer, previous, embedder, progress, scratch)
                if previous is not None:
                    previous.close()  # before the commit removes its build directory
                if progress:
                    progress("writing index", 0, 1)
                writer.write_vectors(chunk_vectors, sentence_vectors)
                writer.commit(embedder.name, embedder.id, chunking_record, str(data_dir),
                              time.monotonic() - started)
                chunk_count = writer.chunk_count
        finally:
            if previous is not None:
                previous.close()
            # Open memory maps keep their pages after the unlink (POSIX).
            shutil.rmtree(scratch, ignore_errors=True)
        if progress:
            progress("writing index", 1, 1)
        return BuildSummary(
            articles=len(new_hashes), chunks=chunk_count, embedded=embedded, reused=chunk_count - embedded,
            added=added if previous is not None else len(new_hashes), changed=changed, removed=removed,
            skipped=skipped, seconds=time.monotonic() - started, index_dir=str(index_dir),
            full=previous is None, notes=tuple(notes), warnings=warnings,
        )


def _raise_nothing_to_index(data_dir: Path, skipped: tuple) -> None:
    reasons = "; ".join(f"{s.path}: {s.reason}" for s in skipped[:5])
    raise BuildError(f"No readable article in {data_dir}" + (f" ({reasons})" if reasons else "")
                     + ". The existing index, if any, is unchanged.")
