"""The vector-store seam: one protocol, a registry of implementations.

An index build writes two vector indexes (passages and sentences) through a
:class:`VectorIndex`; retrieval, answering and incremental builds read them
only through it. Vectors are float32, L2-normalized, so the inner product the
stores rank by is cosine similarity.

Ids are the rows of the build's chunk (or sentence) table: ``add`` assigns
``0, 1, 2, ...`` in order, and the store maps them to chunk ids. Stores:

- ``faiss`` (:mod:`qa.faiss_index`): files in the build directory, memory-mapped
  on open; the embedded default.
- ``milvus`` (:mod:`qa.milvus_index`): a Milvus Lite file in the build
  directory, or a Milvus server or cluster by URI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from .parameters import DEFAULT_VECTOR_INDEX, VectorIndexParameters


@dataclass(frozen=True)
class VectorMatches:
    """The nearest stored vectors of one query, best first.

    Attributes:
        ids: Row ids of the matches.
        scores: Their inner product with the query (cosine similarity).
    """

    ids: tuple[int, ...]
    scores: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.ids)


@runtime_checkable
class VectorIndex(Protocol):
    """What every vector store offers (see the module docstring)."""

    store: str
    dimension: int

    def __len__(self) -> int:
        """Number of vectors that searches can return (deleted ones excluded)."""

    def add(self, vectors: np.ndarray) -> range:
        """Append vectors; returns the ids given to them."""

    def delete(self, ids: Sequence[int]) -> None:
        """Remove vectors by id; later searches never return them."""

    def search_batch(self, queries: np.ndarray, k: int) -> list[VectorMatches]:
        """Return the ``k`` nearest vectors of each query row."""

    def search(self, query: np.ndarray, k: int) -> VectorMatches:
        """Return the ``k`` nearest vectors of one query (``search_batch([q])[0]``)."""

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """Return the stored vectors of the ids, in the order asked, ``[len(ids), dimension]``."""

    def save(self) -> dict:
        """Make everything added durable; returns the description :func:`open_vector_index` takes."""

    def describe(self) -> dict:
        """Return what the store is, for ``qa index info`` and the manifest."""

    def close(self) -> None:
        """Release files and connections."""


class VectorStoreError(RuntimeError):
    """A vector store cannot be created or opened (missing package, unreachable server)."""


@dataclass(frozen=True)
class VectorStore:
    """A registered store.

    Attributes:
        name: Registry name, recorded in the manifest.
        create: ``create(directory, name, dimension, expected_count, parameters, uri, kind)``.
        open: ``open(directory, description)``.
        drop: Removes what a build left outside its directory (a server's
            collection), given the description; a no-op for file stores.
        summary: One line for ``--help`` and the README.
    """

    name: str
    create: Callable[..., VectorIndex]
    open: Callable[[Path, dict], VectorIndex]
    drop: Callable[[Path, dict], None]
    summary: str


def _faiss_store() -> VectorStore:
    from . import faiss_index

    return VectorStore("faiss", faiss_index.FaissVectorIndex.create, faiss_index.FaissVectorIndex.open,
                       lambda directory, description: None,
                       "FAISS files in the index directory, memory-mapped (the default)")


def _milvus_store() -> VectorStore:
    from . import milvus_index

    return VectorStore("milvus", milvus_index.MilvusVectorIndex.create, milvus_index.MilvusVectorIndex.open,
                       milvus_index.MilvusVectorIndex.drop,
                       "Milvus Lite file in the index directory, or a Milvus server by QA_MILVUS_URI")


# Factories, so that naming a store imports nothing heavy.
VECTOR_STORES: dict[str, Callable[[], VectorStore]] = {"faiss": _faiss_store, "milvus": _milvus_store}


def vector_store(name: str) -> VectorStore:
    """Return a registered store by name.

    Raises:
        ValueError: Unknown name (the message lists the known ones).
    """
    if name not in VECTOR_STORES:
        raise ValueError(f"Unknown vector store {name!r}; choose one of {', '.join(VECTOR_STORES)}.")
    return VECTOR_STORES[name]()


def create_vector_index(store: str, directory: Path, name: str, dimension: int, expected_count: int,
                        parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX,
                        uri: str | None = None, kind: str = "auto") -> VectorIndex:
    """Create an empty vector index.

    Args:
        store: Registry name (``faiss``, ``milvus``).
        directory: The build directory it belongs to.
        name: ``chunks`` or ``sentences``.
        dimension: Vector size.
        expected_count: How many vectors will be added (picks exact or HNSW search).
        parameters: Index parameters.
        uri: Milvus address; None for a Milvus Lite file in ``directory``.
        kind: ``auto`` (exact up to ``parameters.hnsw_threshold``), ``flat`` or ``hnsw``.

    Returns:
        The new, empty index.
    """
    return vector_store(store).create(directory, name, dimension, expected_count, parameters, uri, kind)


def open_vector_index(directory: Path, description: dict) -> VectorIndex:
    """Open a saved vector index from the description its ``save`` returned."""
    return vector_store(description["store"]).open(directory, description)


def search_one(index: VectorIndex, query: np.ndarray, k: int) -> VectorMatches:
    """``search(q)`` of every store: ``search_batch([q])[0]``."""
    return index.search_batch(np.asarray(query, dtype=np.float32).reshape(1, -1), k)[0]
