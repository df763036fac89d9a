"""FAISS vector indexes in the build directory (the embedded default store).

``<name>.faiss`` holds the index. Up to ``hnsw_threshold`` vectors it is exact
(``IndexFlatIP``), above it is HNSW (``IndexHNSWFlat``); both rank by inner
product, which over L2-normalized vectors is cosine. Opening maps the file
into memory (``IO_FLAG_MMAP_IFC``): an index of a million vectors opens in
milliseconds, and an HNSW search touches only the pages its graph walk
visits. Deleted ids are kept as a tombstone list (``<name>.deleted.npy``)
and filtered inside the search, because HNSW cannot remove vectors.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .parameters import DEFAULT_VECTOR_INDEX, VectorIndexParameters
from .vector_index import VectorMatches, VectorStoreError, search_one


@lru_cache(maxsize=1)
def _faiss():
    try:
        import faiss
    except ImportError:
        raise VectorStoreError("The faiss vector store needs FAISS: pip install faiss-cpu") from None
    return faiss


def _reserve_vectors(index, count: int) -> None:
    """Make room for ``count`` vectors at once.

    FAISS keeps the vectors in one growing array, which doubles when full,
    so a build briefly held the old and the new array together (165 MB over
    the index's own size at 140,000 sentences). Resizing the array to its final size and back to empty
    keeps the capacity (a C++ vector never shrinks on resize), so the adds
    that follow fill it in place.
    """
    faiss = _faiss()
    storage = faiss.downcast_index(index.storage) if hasattr(index, "hnsw") else index
    codes = getattr(storage, "codes", None)
    if codes is None or count <= 0 or not hasattr(codes, "resize"):
        return
    codes.resize(count * storage.code_size)
    codes.resize(0)


class FaissVectorIndex:
    """A FAISS index stored as ``<directory>/<name>.faiss``.

    Args:
        path: The index file.
        index: The FAISS index.
        kind: ``flat`` or ``hnsw``.
        deleted: Tombstoned ids.
        parameters: Search parameters (HNSW beam).
    """

    store = "faiss"

    def __init__(self, path: Path, index, kind: str, deleted: Sequence[int] = (),
                 parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX) -> None:
        self.path = path
        self._index = index
        self.kind = kind
        self.dimension = int(index.d)
        self.parameters = parameters
        self._deleted = set(int(i) for i in deleted)
        self._search_parameters_cache = None

    @classmethod
    def create(cls, directory: Path, name: str, dimension: int, expected_count: int,
               parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX, uri: str | None = None,
               kind: str = "auto") -> "FaissVectorIndex":
        """Create an empty index; ``kind`` ``auto`` is HNSW above ``hnsw_threshold`` vectors."""
        if uri:
            raise VectorStoreError("The faiss vector store keeps its files in the index directory; it takes no URI.")
        faiss = _faiss()
        if kind == "auto":
            kind = "hnsw" if expected_count > parameters.hnsw_threshold else "flat"
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dimension, parameters.hnsw_neighbors, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = parameters.hnsw_ef_construction
        elif kind == "flat":
            index = faiss.IndexFlatIP(dimension)
        else:
            raise ValueError(f"FAISS index kind must be auto, flat or hnsw, not {kind!r}")
        _reserve_vectors(index, expected_count)
        return cls(Path(directory) / f"{name}.faiss", index, kind, parameters=parameters)

    @classmethod
    def open(cls, directory: Path, description: dict,
             parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX) -> "FaissVectorIndex":
        """Open a saved index, memory-mapped (read-only use: searches and vectors)."""
        faiss = _faiss()
        path = Path(directory) / description["file"]
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
        except RuntimeError as error:
            raise VectorStoreError(f"Cannot read {path}: {str(error).splitlines()[0]}") from error
        deleted: Sequence[int] = ()
        if description.get("deleted_file"):
            deleted = np.load(Path(directory) / description["deleted_file"], allow_pickle=False).tolist()
        return cls(path, index, description["kind"], deleted, parameters)

    def __len__(self) -> int:
        return int(self._index.ntotal) - len(self._deleted)

    def add(self, vectors: np.ndarray) -> range:
        """Append vectors; returns their ids (the next rows)."""
        first = int(self._index.ntotal)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        if len(vectors):
            self._index.add(vectors)
        return range(first, first + len(vectors))

    def delete(self, ids: Sequence[int]) -> None:
        """Tombstone ids (searches skip them; ``vectors`` still reads them)."""
        self._deleted.update(int(i) for i in ids)
        self._search_parameters_cache = None

    def _search_parameters(self):
        """Search parameters (beam, tombstone filter), made once per set of deletions."""
        if self._search_parameters_cache is None:
            faiss = _faiss()
            selectors: tuple = ()
            if self._deleted:
                excluded = faiss.IDSelectorBatch(np.fromiter(self._deleted, dtype=np.int64))
                # FAISS's parameter objects do not own their selectors: kept alive here.
                selectors = (excluded, faiss.IDSelectorNot(excluded))
            selector = selectors[-1] if selectors else None
            if self.kind == "hnsw":
                made = faiss.SearchParametersHNSW(efSearch=self.parameters.hnsw_ef_search, sel=selector)
            else:
                made = faiss.SearchParameters(sel=selector) if selector is not None else None
            self._search_parameters_cache = (made, selectors)
        return self._search_parameters_cache[0]

    def search_batch(self, queries: np.ndarray, k: int) -> list[VectorMatches]:
        """Return the ``k`` nearest vectors of each query row (cosine, best first)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = min(k, len(self))
        if k <= 0 or len(queries) == 0:
            return [VectorMatches((), ()) for _ in range(len(queries))]
        scores, rows = self._index.search(queries, k, params=self._search_parameters())
        return [
            VectorMatches(tuple(int(r) for r in row_ids if r >= 0),
                          tuple(float(s) for s, r in zip(score_row, row_ids) if r >= 0))
            for score_row, row_ids in zip(scores, rows)
        ]

    def search(self, query: np.ndarray, k: int) -> VectorMatches:
        """Return the ``k`` nearest vectors of one query."""
        return search_one(self, query, k)

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """Return stored vectors by id, in the order asked."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(ids) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if ids.min() < 0 or ids.max() >= self._index.ntotal:
            raise KeyError(f"vector ids out of range 0..{self._index.ntotal - 1}")
        return self._index.reconstruct_batch(ids)

    def save(self) -> dict:
        """Write ``<name>.faiss`` (and the tombstones); returns the description."""
        _faiss().write_index(self._index, str(self.path))
        description = self.describe()
        if self._deleted:
            deleted_path = self.path.with_suffix(".deleted.npy")
            np.save(deleted_path, np.fromiter(sorted(self._deleted), dtype=np.int64), allow_pickle=False)
            description["deleted_file"] = deleted_path.name
        return description

    def describe(self) -> dict:
        """Return ``{"store", "file", "kind", "dimension", "count"}``."""
        return {"store": self.store, "file": self.path.name, "kind": self.kind, "dimension": self.dimension,
                "count": len(self)}

    def close(self) -> None:
        """Drop the index (the memory map closes with it)."""
        self._index = None
