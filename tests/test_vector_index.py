"""One contract, every vector store: FAISS (flat, HNSW) and Milvus Lite.

Each implementation of :class:`qa.vector_index.VectorIndex` must pass the same
tests; a new store joins by adding a line to ``STORES``.
"""

from __future__ import annotations

import numpy as np
import pytest

from qa.config import VECTOR_STORE_NAMES
from qa.parameters import VectorIndexParameters
from qa.vector_index import (
    VECTOR_STORES, VectorIndex, VectorMatches, VectorStoreError, create_vector_index, open_vector_index,
)

DIMENSION = 16
# Small graphs still search exhaustively enough to be exact on 60 vectors.
PARAMETERS = VectorIndexParameters(hnsw_neighbors=16, hnsw_ef_construction=64, hnsw_ef_search=64)
# FAISS in files of 25 vectors: the tests' 60 vectors fill three segments,
# and adds of 40 and 20 cross from one into the next.
SEGMENTED = VectorIndexParameters(hnsw_neighbors=16, hnsw_ef_construction=64, hnsw_ef_search=64,
                                  segment_vectors=25)
# (store, kind, parameters): every store, exact and approximate.
STORES = [("faiss", "flat", PARAMETERS), ("faiss", "hnsw", PARAMETERS),
          ("faiss", "flat", SEGMENTED), ("faiss", "hnsw", SEGMENTED),
          ("milvus", "flat", PARAMETERS), ("milvus", "hnsw", PARAMETERS)]


def unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture(params=STORES, ids=[f"{store}-{kind}" + ("-segments" if parameters is SEGMENTED else "")
                                    for store, kind, parameters in STORES])
def make_index(request, tmp_path):
    store, kind, parameters = request.param
    opened: list[VectorIndex] = []

    def make(name: str = "chunks", directory=None) -> VectorIndex:
        index = create_vector_index(store, directory or tmp_path, name, DIMENSION, 60, parameters, None, kind)
        opened.append(index)
        return index

    make.store = store
    make.kind = kind
    yield make
    for index in opened:
        index.close()


def test_registry_names_match_the_settings():
    assert tuple(VECTOR_STORES) == VECTOR_STORE_NAMES


def test_add_then_search_finds_each_vector_first(make_index):
    index = make_index()
    vectors = unit_vectors(60)
    assert list(index.add(vectors[:40])) == list(range(40))
    assert list(index.add(vectors[40:])) == list(range(40, 60))
    assert isinstance(index, VectorIndex) and index.store == make_index.store and len(index) == 60
    index.save()
    matches = index.search_batch(vectors[[3, 41, 59]], 5)
    assert [m.ids[0] for m in matches] == [3, 41, 59]
    for match in matches:
        assert isinstance(match, VectorMatches) and len(match) == 5
        assert match.scores[0] == pytest.approx(1.0, abs=1e-4)
        assert list(match.scores) == sorted(match.scores, reverse=True)


def test_scores_are_cosine_similarities(make_index):
    index = make_index()
    vectors = unit_vectors(60)
    index.add(vectors)
    index.save()
    query = unit_vectors(1, seed=7)[0]
    match = index.search(query, 10)
    expected = vectors @ query
    assert list(match.ids) == list(np.argsort(-expected)[:10])
    assert np.allclose(match.scores, expected[list(match.ids)], atol=1e-4)


def test_single_search_wraps_the_batch(make_index):
    index = make_index()
    vectors = unit_vectors(60)
    index.add(vectors)
    index.save()
    assert index.search(vectors[8], 4) == index.search_batch(vectors[8:9], 4)[0]


def test_k_beyond_the_size_and_empty_cases(make_index):
    index = make_index()
    assert index.search_batch(unit_vectors(2), 5) == [VectorMatches((), ()), VectorMatches((), ())]
    index.add(unit_vectors(3))
    index.save()
    assert len(index.search(unit_vectors(1, seed=3)[0], 50)) == 3
    assert index.search_batch(np.zeros((0, DIMENSION), np.float32), 5) == []
    assert index.vectors([]).shape == (0, DIMENSION)


def test_vectors_come_back_in_the_order_asked(make_index):
    index = make_index()
    vectors = unit_vectors(60)
    index.add(vectors)
    index.save()
    assert np.allclose(index.vectors([5, 2, 59, 2]), vectors[[5, 2, 59, 2]], atol=1e-6)
    with pytest.raises(KeyError):
        index.vectors([60])


def test_deleted_vectors_are_never_found(make_index):
    index = make_index()
    vectors = unit_vectors(60)
    index.add(vectors)
    index.delete([3, 4, 52])
    index.save()
    assert len(index) == 57
    for match in index.search_batch(vectors[[3, 4, 52]], 10):
        assert not {3, 4, 52} & set(match.ids) and len(match) == 10


def test_saved_index_opens_with_the_same_answers(make_index, tmp_path):
    index = make_index()
    vectors = unit_vectors(60)
    index.add(vectors)
    index.delete([7])
    description = index.save()
    before = index.search_batch(vectors[:6], 5)
    index.close()
    assert description["store"] == make_index.store and description["dimension"] == DIMENSION
    assert description["count"] == 59
    reopened = open_vector_index(tmp_path, description)
    try:
        assert reopened.search_batch(vectors[:6], 5) == before
        assert 7 not in reopened.search(vectors[7], 5).ids
        assert np.allclose(reopened.vectors([0, 59]), vectors[[0, 59]], atol=1e-6)
        assert reopened.describe()["store"] == make_index.store
    finally:
        reopened.close()


def test_two_indexes_side_by_side_stay_apart(make_index):
    chunks, sentences = make_index("chunks"), make_index("sentences")
    chunks.add(unit_vectors(10, seed=1))
    sentences.add(unit_vectors(20, seed=2))
    chunks.save(), sentences.save()
    assert (len(chunks), len(sentences)) == (10, 20)
    assert sentences.search(unit_vectors(20, seed=2)[15], 1).ids == (15,)


def test_unknown_store_names_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="faiss, milvus"):
        create_vector_index("annoy", tmp_path, "chunks", DIMENSION, 10)


def test_faiss_segments_are_files_of_their_own(tmp_path):
    """A FAISS index past ``segment_vectors`` is several files; a full segment
    is written when the next begins (so a build holds one in memory), and an
    index saved before segments existed (one ``file``) still opens."""
    vectors = unit_vectors(60)
    index = create_vector_index("faiss", tmp_path, "v", DIMENSION, 60, SEGMENTED, None, "hnsw")
    index.add(vectors[:30])
    assert (tmp_path / "v.faiss").is_file() and not (tmp_path / "v.1.faiss").exists()
    index.add(vectors[30:])
    description = index.save()
    index.close()
    assert description["segments"] == ["v.faiss", "v.1.faiss", "v.2.faiss"]
    assert all((tmp_path / name).is_file() for name in description["segments"])
    reopened = open_vector_index(tmp_path, description)
    assert [reopened.search(vectors[row], 1).ids[0] for row in (0, 24, 25, 49, 50, 59)] == [0, 24, 25, 49, 50, 59]
    assert np.allclose(reopened.vectors([59, 0, 30]), vectors[[59, 0, 30]], atol=1e-6)
    with pytest.raises(VectorStoreError, match="read-only"):
        reopened.add(vectors[:1])
    reopened.close()

    single = create_vector_index("faiss", tmp_path, "old", DIMENSION, 60, PARAMETERS, None, "flat")
    single.add(vectors)
    old_description = single.save()
    single.close()
    del old_description["segments"]
    old = open_vector_index(tmp_path, old_description)
    assert old.search(vectors[42], 1).ids == (42,) and len(old) == 60
    old.close()
