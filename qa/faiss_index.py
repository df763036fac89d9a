"""FAISS vector indexes in the build directory (the embedded default store).

An index is one or more segment files: ``<name>.faiss``, then
``<name>.1.faiss``, ``<name>.2.faiss``... of ``segment_vectors`` vectors
each. A build fills one segment in memory; when it is full it is written,
memory-mapped and the next one begun, so build memory does not grow with
the corpus. A search asks every segment for its ``k`` best and merges them
(segments hold disjoint rows, so the merge is as exact as each segment).

Up to ``hnsw_threshold`` vectors in all, segments are exact
(``IndexFlatIP``), above it HNSW (``IndexHNSWFlat``); both rank by inner
product, which over L2-normalized vectors is cosine. Opening maps the files
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
    """A FAISS index stored as segment files ``<directory>/<name>[.<n>].faiss``.

    Args:
        path: The first segment's file (the others are named after it).
        segments: The FAISS index of each segment, in row order; the last
            one is still being filled when the index was created, not opened.
        kind: ``flat`` or ``hnsw``.
        deleted: Tombstoned ids.
        parameters: Search parameters (HNSW beam) and segment size.
        expected_count: Vectors the build will add (room is made per segment).
        growing: Whether the last segment is in memory, not yet written.
    """

    store = "faiss"

    def __init__(self, path: Path, segments: Sequence, kind: str, deleted: Sequence[int] = (),
                 parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX, expected_count: int = 0,
                 growing: bool = False) -> None:
        self.path = path
        # A sealed segment of a build is None until something reads it: its
        # file is written, and even memory-mapped its HNSW graph would sit in
        # memory (26 MB a segment).
        self._segments: list = list(segments)
        self._counts = [int(segment.ntotal) for segment in self._segments]
        self.kind = kind
        self.dimension = int(self._segments[0].d)
        self.parameters = parameters
        self._deleted = set(int(i) for i in deleted)
        self._expected_count = expected_count
        self._growing = growing
        self._search_parameters_cache: list | None = None

    @classmethod
    def create(cls, directory: Path, name: str, dimension: int, expected_count: int,
               parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX, uri: str | None = None,
               kind: str = "auto") -> "FaissVectorIndex":
        """Create an empty index; ``kind`` ``auto`` is HNSW above ``hnsw_threshold`` vectors."""
        if uri:
            raise VectorStoreError("The faiss vector store keeps its files in the index directory; it takes no URI.")
        if kind == "auto":
            kind = "hnsw" if expected_count > parameters.hnsw_threshold else "flat"
        if kind not in ("flat", "hnsw"):
            raise ValueError(f"FAISS index kind must be auto, flat or hnsw, not {kind!r}")
        first = _new_segment(kind, dimension, parameters, min(expected_count, parameters.segment_vectors))
        return cls(Path(directory) / f"{name}.faiss", [first], kind, parameters=parameters,
                   expected_count=expected_count, growing=True)

    @classmethod
    def open(cls, directory: Path, description: dict,
             parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX) -> "FaissVectorIndex":
        """Open a saved index, memory-mapped (read-only use: searches and vectors)."""
        directory = Path(directory)
        # Indexes written before segments name one file only.
        files = description.get("segments") or [description["file"]]
        segments = [_read_mapped(directory / file) for file in files]
        deleted: Sequence[int] = ()
        if description.get("deleted_file"):
            deleted = np.load(directory / description["deleted_file"], allow_pickle=False).tolist()
        return cls(directory / files[0], segments, description["kind"], deleted, parameters)

    def _segment_path(self, number: int) -> Path:
        return self.path if number == 0 else self.path.with_name(f"{self.path.stem}.{number}.faiss")

    def _offsets(self) -> np.ndarray:
        # First row of each segment, and the total at the end.
        if self._growing:
            self._counts[-1] = int(self._segments[-1].ntotal)
        return np.cumsum([0] + self._counts)

    def _segment(self, number: int):
        """Return a segment's FAISS index, opening a sealed one's file when first needed."""
        if self._segments[number] is None:
            self._segments[number] = _read_mapped(self._segment_path(number))
        return self._segments[number]

    def __len__(self) -> int:
        return int(self._offsets()[-1]) - len(self._deleted)

    def _seal_last(self) -> None:
        """Write the full last segment and keep only its memory map."""
        number = len(self._segments) - 1
        _faiss().write_index(self._segments[number], str(self._segment_path(number)))
        self._counts[number] = int(self._segments[number].ntotal)
        self._segments[number] = None
        self._growing = False
        self._search_parameters_cache = None

    def add(self, vectors: np.ndarray) -> range:
        """Append vectors; returns their ids (the next rows)."""
        if not self._growing:
            raise VectorStoreError(f"{self.path} was opened read-only; vectors are added to a new index")
        first = int(self._offsets()[-1])
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        done = 0
        while done < len(vectors):
            room = self.parameters.segment_vectors - int(self._segments[-1].ntotal)
            if room <= 0:
                self._seal_last()
                remaining = self._expected_count - (first + done)
                self._segments.append(_new_segment(self.kind, self.dimension, self.parameters,
                                                   min(max(remaining, 0), self.parameters.segment_vectors)))
                self._counts.append(0)
                self._growing = True
                continue
            self._segments[-1].add(vectors[done:done + room])
            done += min(room, len(vectors) - done)
        self._search_parameters_cache = None
        return range(first, first + len(vectors))

    def delete(self, ids: Sequence[int]) -> None:
        """Tombstone ids (searches skip them; ``vectors`` still reads them)."""
        self._deleted.update(int(i) for i in ids)
        self._search_parameters_cache = None

    def _search_parameters(self) -> list:
        """Search parameters (beam, tombstone filter) per segment, made once per set of deletions."""
        if self._search_parameters_cache is None:
            faiss = _faiss()
            offsets = self._offsets()
            deleted = np.fromiter(self._deleted, dtype=np.int64)
            made = []
            for number in range(len(self._segments)):
                # Tombstones are rows of the whole index; each segment counts from 0.
                local = deleted[(deleted >= offsets[number]) & (deleted < offsets[number + 1])] - offsets[number]
                selectors: tuple = ()
                if len(local):
                    excluded = faiss.IDSelectorBatch(local)
                    # FAISS's parameter objects do not own their selectors: kept alive here.
                    selectors = (excluded, faiss.IDSelectorNot(excluded))
                selector = selectors[-1] if selectors else None
                if self.kind == "hnsw":
                    parameters = faiss.SearchParametersHNSW(efSearch=self.parameters.hnsw_ef_search, sel=selector)
                else:
                    parameters = faiss.SearchParameters(sel=selector) if selector is not None else None
                made.append((parameters, selectors))
            self._search_parameters_cache = made
        return [parameters for parameters, _ in self._search_parameters_cache]

    def search_batch(self, queries: np.ndarray, k: int) -> list[VectorMatches]:
        """Return the ``k`` nearest vectors of each query row (cosine, best first)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = min(k, len(self))
        if k <= 0 or len(queries) == 0:
            return [VectorMatches((), ()) for _ in range(len(queries))]
        offsets = self._offsets()
        all_scores, all_rows = [], []
        for number, parameters in enumerate(self._search_parameters()):
            count = int(offsets[number + 1] - offsets[number])
            if count == 0:
                continue
            scores, rows = self._segment(number).search(queries, min(k, count), params=parameters)
            all_scores.append(scores)
            all_rows.append(np.where(rows >= 0, rows + offsets[number], -1))
        scores, rows = np.hstack(all_scores), np.hstack(all_rows)
        if len(all_scores) > 1:
            # Missing results (-1) sort last; then the best k of all segments.
            order = np.argsort(np.where(rows >= 0, -scores, np.inf), axis=1, kind="stable")[:, :k]
            scores, rows = np.take_along_axis(scores, order, 1), np.take_along_axis(rows, order, 1)
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
        offsets = self._offsets()
        if ids.min() < 0 or ids.max() >= offsets[-1]:
            raise KeyError(f"vector ids out of range 0..{offsets[-1] - 1}")
        result = np.empty((len(ids), self.dimension), dtype=np.float32)
        segment_of = np.searchsorted(offsets, ids, side="right") - 1
        for number in np.unique(segment_of):
            where = segment_of == number
            result[where] = self._segment(int(number)).reconstruct_batch(ids[where] - offsets[number])
        return result

    def save(self) -> dict:
        """Write the last segment (and the tombstones); returns the description."""
        if self._growing:
            self._seal_last()
        description = self.describe()
        if self._deleted:
            deleted_path = self.path.with_suffix(".deleted.npy")
            np.save(deleted_path, np.fromiter(sorted(self._deleted), dtype=np.int64), allow_pickle=False)
            description["deleted_file"] = deleted_path.name
        return description

    def describe(self) -> dict:
        """Return ``{"store", "file", "segments", "kind", "dimension", "count"}``."""
        return {"store": self.store, "file": self.path.name,
                "segments": [self._segment_path(number).name for number in range(len(self._segments))],
                "kind": self.kind, "dimension": self.dimension, "count": len(self)}

    def close(self) -> None:
        """Drop the segments (their memory maps close with them)."""
        self._segments = []
        self._search_parameters_cache = None


def _new_segment(kind: str, dimension: int, parameters: VectorIndexParameters, room: int):
    """Return an empty FAISS index of ``kind`` with room for ``room`` vectors."""
    faiss = _faiss()
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, parameters.hnsw_neighbors, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = parameters.hnsw_ef_construction
    else:
        index = faiss.IndexFlatIP(dimension)
    _reserve_vectors(index, room)
    return index


def _read_mapped(path: Path):
    """Open one segment file memory-mapped, read-only."""
    faiss = _faiss()
    try:
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    except RuntimeError as error:
        raise VectorStoreError(f"Cannot read {path}: {str(error).splitlines()[0]}") from error
