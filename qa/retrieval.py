"""Find the passages for a question: dense (FAISS), lexical (BM25) and their fusion.

Modes: ``dense`` (passage vectors), ``lexical`` (BM25 over search keys) and
``hybrid``: reciprocal rank fusion of passage vectors, sentence vectors (a
passage ranked by its best sentence: a one-sentence answer inside a long
passage is diluted in the passage vector) and BM25. Near-duplicate passages do not take two places in the results.
BM25 reads an English or Arabic question through its bridge to the articles'
Persian words (:mod:`qa.bridge`). Follow-up questions arrive already
rewritten into standalone questions (:mod:`qa.conversation`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .bridge import Bridge
from .embedding import Embedder
from .store import LoadedIndex
from .text import question_language, search_tokens
from .parameters import DEFAULT_RETRIEVAL
from .types import BridgedQuestion, Hit

MODES = ("hybrid", "dense", "lexical")

def near_duplicates(first: frozenset[str], second: frozenset[str]) -> bool:
    """Tell whether two texts, given as word sets, say the same thing.

    Pass :func:`~qa.text.search_tokens` sets: they hold the joined word
    pairs, so "رئیس جمهوری" and "رئیسجمهوری" count as the same words.
    """
    union = len(first | second)
    return bool(union) and len(first & second) / union >= DEFAULT_RETRIEVAL.near_duplicate_jaccard


def fuse(rankings: Sequence[Sequence[Hit]], rrf_k: int = DEFAULT_RETRIEVAL.rrf_k,
         weights: Sequence[float] | None = None) -> list[Hit]:
    """Reciprocal rank fusion of several rankings of the same chunks.

    Args:
        rankings: Ranked hit lists (dense, lexical).
        rrf_k: Fusion constant.
        weights: Weight of each ranking's reciprocal ranks (all 1 when None).

    Returns:
        Hits ordered by fused score, carrying every retriever's own score.
    """
    fused: dict[str, float] = {}
    dense: dict[str, float] = {}
    lexical: dict[str, float] = {}
    chunks = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, hit in enumerate(ranking, start=1):
            key = hit.chunk.chunk_id
            chunks[key] = hit.chunk
            fused[key] = fused.get(key, 0.0) + weight / (rrf_k + rank)
            if hit.dense_score is not None:
                dense[key] = hit.dense_score
            if hit.lexical_score is not None:
                lexical[key] = hit.lexical_score
    order = sorted(fused, key=lambda key: -fused[key])
    return [Hit(chunks[key], fused[key], dense.get(key), lexical.get(key)) for key in order]


class Retriever:
    """Searches one loaded index with one embedder.

    Args:
        index: The loaded index.
        embedder: The embedder the index was built with.
    """

    def __init__(self, index: LoadedIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        self._word_sets: dict[str, frozenset[str]] = {}
        # Built on the first English or Arabic question (it reads the vocabulary).
        self._bridge: Bridge | None = None

    def bridged(self, query: str) -> BridgedQuestion | None:
        """An English or Arabic query written in the index's Persian words
        (:meth:`qa.bridge.Bridge.read`); None for a Persian query."""
        language = question_language(query)
        if language == "fa":
            return None
        if self._bridge is None:
            self._bridge = Bridge(self.index.vocabulary())
        return self._bridge.read(query, language)

    def knows_any(self, words: Sequence[str]) -> bool:
        """Tell whether the articles write any of ``words``: as they are
        (ZWNJ, Arabic letters and digit forms aside), or, for English or
        Arabic words, in the Persian the bridge writes them in ("Russia" →
        «روسیه»).

        Args:
            words: Words as the user wrote them (a capital tells the bridge
                an English word is a name).

        Returns:
            True when some word is known (or there are none).
        """
        text = " ".join(words)
        if not words or self.index.known_words(search_tokens(text)):
            return True
        bridged = self.bridged(text)
        return bridged is not None and bool(bridged.concepts)

    def _words(self, hit: Hit) -> frozenset[str]:
        key = hit.chunk.chunk_id
        if key not in self._word_sets:
            self._word_sets[key] = frozenset(search_tokens(hit.chunk.text))
        return self._word_sets[key]

    def _without_near_duplicates(self, hits: Sequence[Hit], k: int) -> list[Hit]:
        kept: list[Hit] = []
        for hit in hits:
            if not any(near_duplicates(self._words(hit), self._words(other)) for other in kept):
                kept.append(hit)
            if len(kept) == k:
                break
        return kept

    def search_batch(self, queries: Sequence[str], k: int = 5, mode: str = "hybrid",
                     query_vectors: np.ndarray | None = None,
                     bridged: Sequence[BridgedQuestion | None] | None = None) -> list[list[Hit]]:
        """Retrieve passages for several queries.

        Args:
            queries: Retrieval texts.
            k: Passages per query.
            mode: ``hybrid``, ``dense`` or ``lexical``.
            query_vectors: Precomputed query embeddings (computed when None).
            bridged: Each query's :meth:`bridged` form, when already
                computed (the answer reads it too).

        Returns:
            For each query, up to ``k`` hits, best first. Every hit carries its
            cosine similarity to the query (``dense_score``), whatever the mode.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if query_vectors is None:
            query_vectors = self.embedder.embed_queries(queries)
        depth = max(DEFAULT_RETRIEVAL.depth_factor * k, DEFAULT_RETRIEVAL.min_depth)
        dense = self.index.dense_search_batch(query_vectors, depth) if mode != "lexical" else None
        sentence = self.index.sentence_search_batch(query_vectors, depth) if mode == "hybrid" else None
        if bridged is None:
            bridged = [self.bridged(query) for query in queries]
        # BM25 reads an English or Arabic question's bridge, a Persian one's own words.
        lexical = (self.index.lexical_search_batch(
            [search_tokens(query) if written is None else written.tokens for query, written in zip(queries, bridged)],
            depth) if mode != "dense" else None)
        results = []
        for number, vector in enumerate(query_vectors):
            if mode == "dense":
                ranked = dense[number]
            elif mode == "lexical":
                ranked = lexical[number]
            elif bridged[number] is not None:
                ranked = fuse([dense[number], sentence[number], lexical[number]],
                              weights=DEFAULT_RETRIEVAL.bridge_fusion_weights)
            else:
                ranked = fuse([dense[number], sentence[number], lexical[number]],
                              weights=DEFAULT_RETRIEVAL.fusion_weights)
            hits = self._without_near_duplicates(ranked, k)
            cosines = self.index.chunk_vectors_for([hit.chunk for hit in hits]) @ vector if hits else []
            results.append([Hit(hit.chunk, hit.score, float(cos), hit.lexical_score)
                            for hit, cos in zip(hits, cosines)])
        return results

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        """Retrieve passages for one query (see :meth:`search_batch`)."""
        return self.search_batch([query], k, mode)[0]
