"""The lexical side of the index: BM25 (bm25s) over search-key tokens.

Saved as bm25s's own files (``lexical/``: sparse score matrix as ``.npy``,
vocabulary as JSON) and opened with ``mmap=True``, so a million passages open
without reading their score matrix into memory. Rows are the rows of the
build's chunk table.
"""

from __future__ import annotations

import logging
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np


@lru_cache(maxsize=1)
def _bm25s():
    try:
        import bm25s
    except ImportError:
        raise ImportError("The lexical index needs bm25s: pip install bm25s") from None
    # bm25s sets its own logger to DEBUG on import; its messages are noise here.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def index_tokens(texts: Iterable[str]) -> Iterator[list[str]]:
    """Yield the search tokens of each text, for :meth:`LexicalIndex.build`.

    One text at a time: the build turns each token list into integer ids
    before it reads the next, so the corpus's token strings are never all in
    memory together.
    """
    from .text import search_tokens

    for text in texts:
        yield search_tokens(text)


# bm25s's defaults (its "lucene" scoring), which its saved parameters record.
_K1 = 1.5
_B = 0.75
# bm25s cannot index an empty document or an empty vocabulary: such a
# document gets this one token instead, as bm25s's own users do.
_EMPTY = "\u0000"


def _score_matrix(token_lists: Iterable[Sequence[str]]) -> tuple[dict, dict[str, int], int]:
    """Return bm25s's score matrix (CSC: one column per token), its vocabulary
    and how many token lists were read.

    The same numbers bm25s's ``BM25.index`` computes ("lucene" BM25: idf
    ``log(1 + (N - df + 0.5) / (df + 0.5))``, tf part ``tf / (tf + k1 (1 - b
    + b len / mean len))``), made from integer arrays: bm25s builds them from
    Python lists of every token of every document and then sorts 64-bit
    keys, about 40 bytes per (document, token) pair (430 MB at 40,000
    passages); here it is about 12 bytes at the peak and the token strings
    are never all held.
    """
    vocabulary: dict[str, int] = {}
    token_ids = array("i")   # the distinct tokens of each document, in document order
    frequencies = array("i")  # how often each occurs in its document
    distinct = array("q")     # per document: how many distinct tokens
    lengths = array("q")      # per document: how many tokens
    for tokens in token_lists:
        tokens = list(tokens) or [_EMPTY]
        ids = np.fromiter((vocabulary.setdefault(token, len(vocabulary)) for token in tokens),
                          dtype=np.int32, count=len(tokens))
        unique, counts = np.unique(ids, return_counts=True)
        token_ids.frombytes(unique.astype(np.int32).tobytes())
        frequencies.frombytes(counts.astype(np.int32).tobytes())
        distinct.append(len(unique))
        lengths.append(len(tokens))
    if not lengths:
        matrix, vocabulary, _ = _score_matrix([[_EMPTY]])
        return matrix, vocabulary, 0
    documents = len(lengths)
    columns = np.frombuffer(token_ids, dtype=np.int32)
    document_frequency = np.bincount(columns, minlength=len(vocabulary))
    idf = np.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5)).astype(np.float32)
    document_lengths = np.frombuffer(lengths, dtype=np.int64)
    rows = np.repeat(np.arange(documents, dtype=np.int32), np.frombuffer(distinct, dtype=np.int64))
    # bm25s's arithmetic: float32 idf times a float64 tf part, stored as float32.
    tf = np.frombuffer(frequencies, dtype=np.int32).astype(np.float32)
    norm = _K1 * (1 - _B + _B * document_lengths / document_lengths.mean())
    scores = (idf[columns] * (tf / (tf + norm[rows]))).astype(np.float32)
    del tf
    # Rows are in document order, so a stable sort by token keeps each
    # column's documents ascending, as a CSC matrix wants.
    order = np.argsort(columns, kind="stable")
    matrix = {
        "data": scores[order],
        "indices": rows[order],
        "indptr": np.concatenate([[0], np.cumsum(document_frequency)]).astype(np.int64),
        "num_docs": documents,
    }
    if "" not in vocabulary:
        vocabulary[""] = len(vocabulary)  # bm25s's "empty token", scored nowhere
    return matrix, vocabulary, documents


class LexicalIndex:
    """BM25 over token lists, one per chunk row.

    Args:
        retriever: The bm25s retriever.
        documents: Number of indexed chunks.
    """

    def __init__(self, retriever, documents: int) -> None:
        self._retriever = retriever
        self.documents = documents

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]]) -> "LexicalIndex":
        """Index one token list per chunk (any iterable: it is read once, in order).

        The matrix is bm25s's (tested equal to ``BM25.index``), computed
        here with less memory and handed to a bm25s retriever, which saves,
        opens and searches it.
        """
        matrix, vocabulary, documents = _score_matrix(token_lists)
        retriever = _bm25s().BM25()
        # What bm25s's own index() sets.
        retriever.scores = matrix
        retriever.vocab_dict = vocabulary
        retriever.unique_token_ids_set = set(vocabulary.values())
        retriever.nonoccurrence_array = None  # used by BM25L and BM25+ only
        return cls(retriever, documents)

    @classmethod
    def open(cls, path: Path, documents: int) -> "LexicalIndex":
        """Open a saved index, its score matrix memory-mapped."""
        retriever = _bm25s().BM25.load(str(path), load_corpus=False, mmap=True, show_progress=False)
        return cls(retriever, documents)

    def save(self, path: Path) -> None:
        """Write the index files into ``path``."""
        self._retriever.save(str(path), show_progress=False)

    def search_batch(self, token_lists: Sequence[Sequence[str]], k: int) -> list[list[tuple[int, float]]]:
        """Return, for each token list, up to ``k`` ``(row, score)`` pairs with score > 0, best first."""
        vocabulary = self._retriever.vocab_dict
        k = min(k, self.documents)
        results: list[list[tuple[int, float]]] = []
        for tokens in token_lists:
            known = [token for token in tokens if token in vocabulary]
            if not known or k == 0:
                results.append([])
                continue
            rows, scores = self._retriever.retrieve([known], k=k, show_progress=False, n_threads=1)
            results.append([(int(row), float(score)) for row, score in zip(rows[0], scores[0]) if score > 0])
        return results

    def search(self, tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Return up to ``k`` ``(row, score)`` pairs for one token list (see :meth:`search_batch`)."""
        return self.search_batch([tokens], k)[0]

    def inverse_document_frequency(self, words: Sequence[str]) -> dict[str, float]:
        """Return the BM25 inverse document frequency of each word (a word no
        chunk uses gets the highest value)."""
        indptr = self._retriever.scores["indptr"]
        vocabulary = self._retriever.vocab_dict
        result = {}
        for word in words:
            row = vocabulary.get(word)
            frequency = int(indptr[row + 1] - indptr[row]) if row is not None else 0
            result[word] = float(np.log(1.0 + (self.documents - frequency + 0.5) / (frequency + 0.5)))
        return result

    def known_words(self, words: Sequence[str]) -> set[str]:
        """Return the words that occur in some chunk."""
        vocabulary = self._retriever.vocab_dict
        return {word for word in words if word in vocabulary}
