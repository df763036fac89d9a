"""The lexical side of the index: BM25 (bm25s) over search-key tokens.

Saved as bm25s's own files (``lexical/``: sparse score matrix as ``.npy``,
vocabulary as JSON) and opened with ``mmap=True``, so a million passages open
without reading their score matrix into memory. Rows are the rows of the
build's chunk table.
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import Sequence

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


def index_tokens(texts: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Return the search tokens of each text, for :meth:`LexicalIndex.build`.

    Tokens are interned: a corpus repeats the same few hundred thousand words
    millions of times, and one string object per occurrence was most of a
    large build's memory.
    """
    from .text import search_tokens

    return tuple(tuple(sys.intern(token) for token in search_tokens(text)) for text in texts)


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
    def build(cls, token_lists: Sequence[Sequence[str]]) -> "LexicalIndex":
        """Index one token list per chunk."""
        retriever = _bm25s().BM25()
        # bm25s cannot index an empty document list or an empty vocabulary.
        corpus = [list(tokens) or ["\u0000"] for tokens in token_lists] or [["\u0000"]]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, len(token_lists))

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
