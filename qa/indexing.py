"""Build or update the index of a data directory (``qa index build``).

Incremental: articles whose content hash and chunking are unchanged keep
their chunks, and every chunk or sentence whose text was embedded before by
the same embedder keeps its vector; only new text is embedded. The result is
written by :func:`qa.store.write_index`, atomically.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from .chunking import ChunkingSettings, chunk_article
from .corpus import DEFAULT_MAX_ARTICLE_BYTES, load_corpus
from .embedding import Embedder
from .progress import Progress
from .store import (
    BuildLock, IndexContents, IndexUnavailable, LoadedIndex, SentenceRef, VectorStoreChoice, active_build,
    load_index, read_manifest, release_pages, remove_stale_builds, sentence_refs, write_index,
)
from .types import Article, BuildSummary, Chunk


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


def sentence_embedding_input(article: Article, start: int, end: int) -> str:
    """Return the text embedded for one sentence: the headline, then the sentence.

    A sentence alone often names its subject only by a pronoun ("وی افزود");
    the headline puts it back, so the sentence vector matches questions that
    name the subject.
    """
    return f"{article.title}: {article.text[start:end]}"


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


class _SentenceTexts(Sequence[str]):
    """The embedding input of each sentence, made when asked for: a list of
    them all (headline and sentence, for every sentence of the corpus) was
    one of the build's largest allocations."""

    def __init__(self, sentences: Sequence[SentenceRef], articles: Mapping[str, Article]) -> None:
        self._sentences = sentences
        self._articles = articles

    def __len__(self) -> int:
        return len(self._sentences)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        sentence = self._sentences[row]
        return sentence_embedding_input(self._articles[sentence.doc_id], sentence.start, sentence.end)


def _embed_reusing(texts: Sequence[str], previous: Mapping[bytes, int], previous_vectors: Callable[[list[int]], np.ndarray],
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
        previous: Text key -> row of a vector the previous build stored.
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
    keys = np.empty(len(texts), dtype=f"V{_KEY_BYTES}")
    for row in range(len(texts)):
        keys[row] = _text_key(texts[row])
    distinct, first_rows, inverse = np.unique(keys, return_index=True, return_inverse=True)
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
    reused: list[int] = []
    missing: list[int] = []
    for d in in_order.tolist():
        (reused if bytes(distinct[d]) in previous else missing).append(d)
    for start in range(0, len(reused), _EMBED_BATCH):
        batch = reused[start:start + _EMBED_BATCH]
        rows, place = rows_of(batch)
        vectors[rows] = previous_vectors([previous[bytes(distinct[d])] for d in batch])[place]
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


def _embed_chunks_and_sentences(chunks: list[Chunk], articles_in_order: tuple[Article, ...] | list[Article],
                                previous: LoadedIndex | None, embedder: Embedder, progress: Progress | None,
                                scratch: Path) -> tuple[np.ndarray, np.ndarray, tuple, int]:
    """Embed (or reuse) the vectors of every chunk and sentence, into ``scratch``.

    Returns:
        Chunk vectors, sentence vectors (both memory-mapped), the sentences,
        and how many distinct passages were embedded.
    """
    reusable: dict[bytes, int] = {}
    reusable_sentences: dict[bytes, int] = {}
    if previous is not None:
        for row, chunk in enumerate(previous.chunks):
            reusable[_text_key(chunk.text)] = row
        for row, ref in enumerate(previous.sentence_refs()):
            text = sentence_embedding_input(previous.articles[ref.doc_id], ref.start, ref.end)
            reusable_sentences[_text_key(text)] = row
    try:
        articles = {article.doc_id: article for article in articles_in_order}
        chunk_vectors, embedded = _embed_reusing(
            [chunk.text for chunk in chunks], reusable, previous.chunk_vectors_at if previous else _none,
            embedder, "embedding passages", progress, scratch / "chunks.npy")
        sentences = sentence_refs(chunks)
        sentence_vectors, _ = _embed_reusing(
            _SentenceTexts(sentences, articles), reusable_sentences, previous.sentence_vectors_at if previous else _none,
            embedder, "embedding sentences", progress, scratch / "sentences.npy")
    finally:
        if previous is not None:
            previous.close()
    return chunk_vectors, sentence_vectors, sentences, embedded


def _none(rows: list[int]) -> np.ndarray:
    raise AssertionError("no previous index to reuse vectors from")


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
        corpus = load_corpus(data_dir, max_article_bytes)
        if not corpus.articles:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in corpus.skipped[:5])
            raise BuildError(f"No readable article in {data_dir}" + (f" ({reasons})" if reasons else "")
                             + ". The existing index, if any, is unchanged.")
        notes: list[str] = []
        previous = _reusable_index(index_dir, embedder, full, notes)
        chunking_record = asdict(chunking)
        same_chunking = previous is not None and previous.manifest.chunking == chunking_record
        old_hashes = previous.manifest.documents if previous else {}
        new_hashes = {article.doc_id: article.content_hash for article in corpus.articles}
        added = sum(1 for doc_id in new_hashes if doc_id not in old_hashes)
        changed = sum(1 for doc_id, h in new_hashes.items() if doc_id in old_hashes and old_hashes[doc_id] != h)
        removed = sum(1 for doc_id in old_hashes if doc_id not in new_hashes)
        same_store = previous is not None and _same_vector_store(previous, vector_store)
        if previous is not None and same_chunking and same_store and old_hashes == new_hashes:
            summary = BuildSummary(
                articles=len(corpus.articles), chunks=len(previous.chunks), embedded=0,
                reused=len(previous.chunks), added=0, changed=0, removed=0, skipped=corpus.skipped,
                seconds=time.monotonic() - started, index_dir=str(index_dir), up_to_date=True,
                warnings=corpus.warnings,
            )
            previous.close()
            return summary

        old_chunks: dict[str, list[Chunk]] = {}
        if previous is not None and same_chunking:
            for chunk in previous.chunks:
                old_chunks.setdefault(chunk.doc_id, []).append(chunk)
        chunks: list[Chunk] = []
        seen: set[str] = set()
        for number, article in enumerate(corpus.articles):
            if progress:
                progress("chunking", number, len(corpus.articles))
            unchanged = old_hashes.get(article.doc_id) == article.content_hash and article.doc_id in old_chunks
            pieces = old_chunks[article.doc_id] if unchanged else chunk_article(article, embedder.count_tokens, chunking)
            for chunk in pieces:
                # The same passage in two articles is stored once.
                if chunk.chunk_id not in seen:
                    seen.add(chunk.chunk_id)
                    chunks.append(chunk)

        scratch = Path(tempfile.mkdtemp(prefix=_SCRATCH_PREFIX, dir=index_dir))
        try:
            chunk_vectors, sentence_vectors, sentences, embedded = _embed_chunks_and_sentences(
                chunks, corpus.articles, previous, embedder, progress, scratch)
            if progress:
                progress("writing index", 0, 1)
            write_index(index_dir, IndexContents(
                articles=corpus.articles, chunks=tuple(chunks), chunk_vectors=chunk_vectors,
                sentences=sentences, sentence_vectors=sentence_vectors, embedder=embedder.name,
                embedder_id=embedder.id, chunking=chunking_record, data_dir=str(data_dir),
                build_seconds=time.monotonic() - started,
            ), vector_store)
        finally:
            # Open memory maps keep their pages after the unlink (POSIX).
            shutil.rmtree(scratch, ignore_errors=True)
        if progress:
            progress("writing index", 1, 1)
        return BuildSummary(
            articles=len(corpus.articles), chunks=len(chunks), embedded=embedded, reused=len(chunks) - embedded,
            added=added if previous is not None else len(corpus.articles), changed=changed, removed=removed,
            skipped=corpus.skipped, seconds=time.monotonic() - started, index_dir=str(index_dir),
            full=previous is None, notes=tuple(notes), warnings=corpus.warnings,
        )
