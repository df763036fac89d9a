"""Milvus vector indexes: a Milvus Lite file, or a Milvus server or cluster.

The same code serves both through ``pymilvus.MilvusClient``: a URI that is a
file path is Milvus Lite (embedded, ``pip install pymilvus milvus-lite``), an
``http://host:19530`` URI is a server. Every build creates its own
collections (``qa_<build>_chunks``, ``qa_<build>_sentences``), so the atomic
build-then-swap holds: the old build's collections are dropped only after the
pointer moves to the new one. With Milvus Lite the file lives in the build
directory and goes with it.

Index type: FLAT (exact) up to ``hnsw_threshold`` vectors, HNSW above; IP
metric, since the vectors are L2-normalized.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .parameters import DEFAULT_VECTOR_INDEX, VectorIndexParameters
from .vector_index import VectorMatches, VectorStoreError, search_one

LITE_FILE = "milvus.db"
_ID = "id"
_VECTOR = "vector"


@lru_cache(maxsize=1)
def _pymilvus():
    try:
        import pymilvus
    except ImportError:
        raise VectorStoreError("The milvus vector store needs pymilvus: pip install pymilvus milvus-lite") from None
    return pymilvus


_clients: dict[str, list] = {}  # uri -> [client, lock, users]
_clients_guard = threading.Lock()


def _client(uri: str):
    """Return the client and lock of a URI, shared in the process: Milvus
    Lite allows one open handle per file, and calls on one client are
    serialized because it is not safe across threads. Pair with :func:`_release`."""
    with _clients_guard:
        if uri not in _clients:
            try:
                _clients[uri] = [_pymilvus().MilvusClient(uri), threading.Lock(), 0]
            except Exception as error:  # pymilvus raises its own MilvusException, or OSError for a Lite file
                hint = "" if _is_server(uri) else (
                    " (a Milvus Lite file is open to one process at a time: is the app or another qa "
                    "command using this index?)")
                raise VectorStoreError(f"Cannot open Milvus at {uri}: {error}{hint}") from error
        entry = _clients[uri]
        entry[2] += 1
        return entry[0], entry[1]


def _release(uri: str) -> None:
    with _clients_guard:
        entry = _clients.get(uri)
        if entry is None:
            return
        entry[2] -= 1
        if entry[2] > 0:
            return
        del _clients[uri]
    entry[0].close()
    if not _is_server(uri):
        # Milvus Lite keeps serving a file until the process ends, and a file
        # is open to one process at a time: stop it, so that another process
        # (the app after a CLI build, a benchmark's reader) can open it.
        try:
            from milvus_lite.server_manager import server_manager_instance
        except ImportError:
            return
        release = getattr(server_manager_instance, "release_server", None)
        if release is not None:
            release(uri)


def _is_server(uri: str) -> bool:
    return uri.startswith(("http://", "https://", "tcp://", "grpc://"))


def _collection_name(directory: Path, name: str) -> str:
    # Milvus allows letters, digits and underscores in collection names.
    return re.sub(r"[^0-9A-Za-z_]", "_", f"qa_{Path(directory).name}_{name}")


class MilvusVectorIndex:
    """A Milvus collection of ``(id, vector)`` rows.

    Args:
        uri: Milvus Lite file path or server URI.
        collection: Collection name.
        dimension: Vector size.
        kind: Milvus index type (``FLAT`` or ``HNSW``).
        count: Rows added so far.
        live: Rows searchable (added minus deleted).
        lite_file: Name of the Lite file inside the build directory, or None for a server.
        parameters: Index parameters.
    """

    store = "milvus"

    def __init__(self, uri: str, collection: str, dimension: int, kind: str, count: int, live: int,
                 lite_file: str | None, parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX) -> None:
        self.uri = uri
        self.collection = collection
        self.dimension = dimension
        self.kind = kind
        self.parameters = parameters
        self._count = count
        self._live = live
        self._lite_file = lite_file
        self._client, self._lock = _client(uri)

    @classmethod
    def create(cls, directory: Path, name: str, dimension: int, expected_count: int,
               parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX, uri: str | None = None,
               kind: str = "auto") -> "MilvusVectorIndex":
        """Create an empty collection for one build.

        Args:
            directory: The build directory (holds the Lite file when ``uri`` is None).
            name: ``chunks`` or ``sentences``.
            dimension: Vector size.
            expected_count: Vectors to come (FLAT up to ``hnsw_threshold``, HNSW above).
            parameters: Index parameters.
            uri: Server URI, or None for Milvus Lite in ``directory``.
            kind: ``auto``, ``flat`` or ``hnsw``.
        """
        pymilvus = _pymilvus()
        lite_file = None
        if uri is None or not _is_server(uri):
            lite_file = LITE_FILE if uri is None else None
            uri = str(Path(directory) / LITE_FILE) if uri is None else uri
        if kind == "auto":
            kind = "hnsw" if expected_count > parameters.hnsw_threshold else "flat"
        if kind not in ("flat", "hnsw"):
            raise ValueError(f"Milvus index kind must be auto, flat or hnsw, not {kind!r}")
        index = cls(uri, _collection_name(directory, name), dimension, kind.upper(), 0, 0, lite_file, parameters)
        schema = index._client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(_ID, pymilvus.DataType.INT64, is_primary=True)
        schema.add_field(_VECTOR, pymilvus.DataType.FLOAT_VECTOR, dim=dimension)
        index_parameters = index._client.prepare_index_params()
        options = ({"M": parameters.hnsw_neighbors, "efConstruction": parameters.hnsw_ef_construction}
                   if index.kind == "HNSW" else {})
        index_parameters.add_index(field_name=_VECTOR, index_type=index.kind, metric_type="IP", params=options)
        with index._lock:
            if index._client.has_collection(index.collection):
                index._client.drop_collection(index.collection)
            index._client.create_collection(index.collection, schema=schema, index_params=index_parameters)
        return index

    @classmethod
    def open(cls, directory: Path, description: dict,
             parameters: VectorIndexParameters = DEFAULT_VECTOR_INDEX) -> "MilvusVectorIndex":
        """Open a saved collection and load it for search."""
        lite_file = description.get("file")
        uri = str(Path(directory) / lite_file) if lite_file else description["uri"]
        index = cls(uri, description["collection"], description["dimension"], description["kind"],
                    description["added"], description["count"], lite_file, parameters)
        with index._lock:
            if not index._client.has_collection(index.collection):
                raise VectorStoreError(f"Milvus at {uri} has no collection {index.collection}.")
            index._client.load_collection(index.collection)
        return index

    @staticmethod
    def drop(directory: Path, description: dict) -> None:
        """Drop a build's collection on a server (a Lite file goes with its directory)."""
        if description.get("file"):
            return
        client, lock = _client(description["uri"])
        try:
            with lock:
                if client.has_collection(description["collection"]):
                    client.drop_collection(description["collection"])
        finally:
            _release(description["uri"])

    def __len__(self) -> int:
        return self._live

    def add(self, vectors: np.ndarray) -> range:
        """Insert vectors in batches; returns their ids."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        first = self._count
        batch = self.parameters.milvus_insert_batch
        with self._lock:
            for start in range(0, len(vectors), batch):
                rows = [{_ID: first + start + offset, _VECTOR: vector}
                        for offset, vector in enumerate(vectors[start:start + batch])]
                self._client.insert(self.collection, rows)
        self._count += len(vectors)
        self._live += len(vectors)
        return range(first, self._count)

    def delete(self, ids: Sequence[int]) -> None:
        """Delete rows by id."""
        ids = sorted({int(i) for i in ids})
        if not ids:
            return
        with self._lock:
            present = self._client.get(self.collection, ids=ids, output_fields=[_ID])
            self._client.delete(self.collection, ids=ids)
        self._live -= len(present)

    def search_batch(self, queries: np.ndarray, k: int) -> list[VectorMatches]:
        """Return the ``k`` nearest rows of each query (IP = cosine, best first)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dimension)
        k = min(k, self._live)
        if k <= 0 or len(queries) == 0:
            return [VectorMatches((), ()) for _ in range(len(queries))]
        search_parameters = {"metric_type": "IP", "params": {}}
        if self.kind == "HNSW":
            search_parameters["params"]["ef"] = max(self.parameters.hnsw_ef_search, k)
        with self._lock:
            results = self._client.search(self.collection, data=list(queries), limit=k,
                                          search_params=search_parameters, output_fields=[])
        return [VectorMatches(tuple(int(hit[_ID]) for hit in row), tuple(float(hit["distance"]) for hit in row))
                for row in results]

    def search(self, query: np.ndarray, k: int) -> VectorMatches:
        """Return the ``k`` nearest rows of one query."""
        return search_one(self, query, k)

    def vectors(self, ids: Sequence[int]) -> np.ndarray:
        """Return stored vectors by id, in the order asked."""
        ids = [int(i) for i in ids]
        if not ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            rows = self._client.get(self.collection, ids=sorted(set(ids)), output_fields=[_VECTOR])
        found = {int(row[_ID]): row[_VECTOR] for row in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise KeyError(f"no vectors with ids {missing[:5]} in {self.collection}")
        return np.asarray([found[i] for i in ids], dtype=np.float32)

    def save(self) -> dict:
        """Flush, build the index and load the collection; returns the description."""
        with self._lock:
            self._client.flush(self.collection)
            self._client.load_collection(self.collection)
        return self.describe()

    def describe(self) -> dict:
        """Return ``{"store", "uri" | "file", "collection", "kind", "dimension", "count", "added"}``."""
        where = {"file": self._lite_file} if self._lite_file else {"uri": self.uri}
        return {"store": self.store, **where, "collection": self.collection, "kind": self.kind,
                "dimension": self.dimension, "count": self._live, "added": self._count}

    def __del__(self) -> None:
        # An index replaced by a rebuild is closed when the last question
        # using it lets it go, not while one may still be searching it.
        try:
            self.close()
        except Exception:  # interpreter shutdown: modules may be gone already
            pass

    def close(self) -> None:
        """Let go of the client; the last user of a URI closes it (for Milvus
        Lite, the file's handle, so that its directory can go)."""
        if getattr(self, "_client", None) is not None:
            self._client = None
            _release(self.uri)
