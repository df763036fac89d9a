"""The lexical side of the index: BM25 (bm25s) over search-key tokens.

Saved as bm25s's own files (``lexical/``: sparse score matrix as ``.npy``,
vocabulary as JSON) and opened with ``mmap=True``, so a million passages open
without reading their score matrix into memory. Rows are the rows of the
build's chunk table.
"""

from __future__ import annotations

import logging
import tempfile
from array import array
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from .memory import release_pages


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


# (document, token) pairs put in place per pass over the spilled pairs: the
# matrix is filled a block of columns at a time, so a build holds one block.
_BLOCK_PAIRS = 2_000_000
# Pairs read from the spilled files at once.
_READ_PAIRS = 1_000_000


def _score_matrix(token_lists: Iterable[Sequence[str]], scratch: Path) -> tuple[dict, dict[str, int], int]:
    """Return bm25s's score matrix (CSC: one column per token), its vocabulary
    and how many token lists were read.

    The same numbers bm25s's ``BM25.index`` computes ("lucene" BM25: idf
    ``log(1 + (N - df + 0.5) / (df + 0.5))``, tf part ``tf / (tf + k1 (1 - b
    + b len / mean len))``), made without holding the corpus: bm25s keeps
    every token of every document in Python lists and sorts 64-bit keys
    over all (document, token) pairs (about 40 bytes a pair, 430 MB at
    40,000 passages). Here each document's distinct token ids and counts are
    written to files in ``scratch`` as it is read; the matrix, memory-mapped
    there too, is then filled a block of columns at a time
    (:data:`_BLOCK_PAIRS` pairs). What stays in memory is the vocabulary and
    a few numbers per document and per token.
    """
    vocabulary: dict[str, int] = {}
    document_frequency = np.zeros(1024, dtype=np.int64)
    distinct = array("q")  # per document: how many distinct tokens
    lengths = array("q")   # per document: how many tokens
    with (scratch / "tokens.bin").open("wb") as token_file, (scratch / "counts.bin").open("wb") as count_file:
        for tokens in token_lists:
            tokens = list(tokens) or [_EMPTY]
            ids = np.fromiter((vocabulary.setdefault(token, len(vocabulary)) for token in tokens),
                              dtype=np.int32, count=len(tokens))
            unique, counts = np.unique(ids, return_counts=True)
            if len(vocabulary) > len(document_frequency):
                grown = np.zeros(max(2 * len(document_frequency), len(vocabulary)), dtype=np.int64)
                grown[:len(document_frequency)] = document_frequency
                document_frequency = grown
            document_frequency[unique] += 1
            token_file.write(unique.astype(np.int32).tobytes())
            count_file.write(counts.astype(np.int32).tobytes())
            distinct.append(len(unique))
            lengths.append(len(tokens))
    if not lengths:
        matrix, vocabulary, _ = _score_matrix([[_EMPTY]], scratch)
        return matrix, vocabulary, 0
    documents = len(lengths)
    vocabulary_size = len(vocabulary)
    document_frequency = document_frequency[:vocabulary_size]
    pairs = int(np.sum(np.frombuffer(distinct, dtype=np.int64)))
    columns = np.memmap(scratch / "tokens.bin", dtype=np.int32, mode="r", shape=(pairs,))
    frequencies = np.memmap(scratch / "counts.bin", dtype=np.int32, mode="r", shape=(pairs,))
    # The first pair of each document, to find a pair's document.
    first_pair = np.concatenate([[0], np.cumsum(np.frombuffer(distinct, dtype=np.int64))])
    idf = np.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5)).astype(np.float32)
    document_lengths = np.frombuffer(lengths, dtype=np.int64)
    norm = _K1 * (1 - _B + _B * document_lengths / document_lengths.mean())
    indptr = np.concatenate([[0], np.cumsum(document_frequency)]).astype(np.int64)
    data = np.lib.format.open_memmap(scratch / "data.npy", mode="w+", dtype=np.float32, shape=(pairs,))
    indices = np.lib.format.open_memmap(scratch / "indices.npy", mode="w+", dtype=np.int32, shape=(pairs,))
    first = 0
    while first < vocabulary_size:
        # The columns whose pairs fit in one block; at least one column.
        last = int(np.searchsorted(indptr, indptr[first] + _BLOCK_PAIRS, side="right")) - 1
        last = min(max(last, first + 1), vocabulary_size)
        block_scores, block_rows, block_columns = [], [], []
        for start in range(0, pairs, _READ_PAIRS):
            read = np.asarray(columns[start:start + _READ_PAIRS])
            picked = np.flatnonzero((read >= first) & (read < last))
            if not len(picked):
                continue
            rows = np.searchsorted(first_pair, picked + start, side="right") - 1
            tf = np.asarray(frequencies[start:start + _READ_PAIRS])[picked].astype(np.float32)
            in_block = read[picked]
            # bm25s's arithmetic: float32 idf times a float64 tf part, stored as float32.
            block_scores.append((idf[in_block] * (tf / (tf + norm[rows]))).astype(np.float32))
            block_rows.append(rows.astype(np.int32))
            block_columns.append(in_block)
            release_pages(columns)
            release_pages(frequencies)
        # Pairs come in document order, so a stable sort by token keeps each
        # column's documents ascending, as a CSC matrix wants.
        order = np.argsort(np.concatenate(block_columns), kind="stable")
        data[indptr[first]:indptr[last]] = np.concatenate(block_scores)[order]
        indices[indptr[first]:indptr[last]] = np.concatenate(block_rows)[order]
        release_pages(data)
        release_pages(indices)
        first = last
    matrix = {"data": data, "indices": indices, "indptr": indptr, "num_docs": documents}
    if "" not in vocabulary:
        vocabulary[""] = len(vocabulary)  # bm25s's "empty token", scored nowhere
    return matrix, vocabulary, documents


# bm25s's file of each matrix array (BM25.save's defaults, which BM25.load reads).
_MATRIX_FILES = {"data": "data.csc.index.npy", "indices": "indices.csc.index.npy", "indptr": "indptr.csc.index.npy"}


def _copy_in_blocks(source: np.ndarray, target: Path) -> None:
    """Write ``source`` as a ``.npy`` file a block at a time, handing pages back as it goes."""
    copy = np.lib.format.open_memmap(target, mode="w+", dtype=source.dtype, shape=source.shape)
    for start in range(0, len(source), _READ_PAIRS):
        copy[start:start + _READ_PAIRS] = source[start:start + _READ_PAIRS]
        release_pages(copy)
        release_pages(source)
    copy.flush()
    del copy


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
    def build(cls, token_lists: Iterable[Sequence[str]], scratch: Path | None = None) -> "LexicalIndex":
        """Index one token list per chunk (any iterable: it is read once, in order).

        The matrix is bm25s's (tested equal to ``BM25.index``), computed
        here with less memory and handed to a bm25s retriever, which saves,
        opens and searches it.

        Args:
            token_lists: One token list per chunk.
            scratch: Where the build's temporary files go (a temporary
                directory inside it, removed before returning); None: the
                system's temporary directory.
        """
        with tempfile.TemporaryDirectory(prefix="lexical-", dir=scratch) as folder:
            # The matrix stays memory-mapped from files unlinked here (POSIX
            # keeps them while mapped) until it is saved or dropped.
            matrix, vocabulary, documents = _score_matrix(token_lists, Path(folder))
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
        """Write the index files into ``path`` (bm25s's files and names)."""
        scores = self._retriever.scores
        if not isinstance(scores["data"], np.memmap):
            self._retriever.save(str(path), show_progress=False)
            return
        # A matrix built here lives in scratch files. bm25s would np.save
        # them whole, reading every page into the process at once; bm25s
        # writes the vocabulary and parameters, the arrays are copied in blocks.
        self._retriever.scores = {**scores, **{name: scores[name][:0] for name in _MATRIX_FILES}}
        try:
            self._retriever.save(str(path), show_progress=False)
        finally:
            self._retriever.scores = scores
        for name, file_name in _MATRIX_FILES.items():
            _copy_in_blocks(scores[name], Path(path) / file_name)

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

    def vocabulary(self) -> list[str]:
        """Return every indexed token (words and joined word pairs)."""
        return list(self._retriever.vocab_dict)
