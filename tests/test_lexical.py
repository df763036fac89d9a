"""The lexical index: our BM25 build gives bm25s's own matrix, with less memory."""

from __future__ import annotations

import pytest

from conftest import DATA
from qa.lexical import LexicalIndex, _bm25s, index_tokens


def seed_passages() -> list[str]:
    # Overlapping windows of the seed articles, and one empty passage.
    texts = [path.read_text(encoding="utf-8") for path in sorted(DATA.glob("*.txt"))]
    return [text[start:start + 400] for text in texts for start in range(0, len(text), 300)] + [""]


def matrix_entries(retriever) -> dict[tuple[str, int], float]:
    """(token, document) -> score, whatever ids the vocabulary gave the tokens."""
    scores = retriever.scores
    token_of = {row: token for token, row in retriever.vocab_dict.items()}
    return {(token_of[column], int(scores["indices"][place])): float(scores["data"][place])
            for column in range(len(scores["indptr"]) - 1)
            for place in range(scores["indptr"][column], scores["indptr"][column + 1])}


@pytest.mark.parametrize("block_pairs, read_pairs", [(2_000_000, 1_000_000), (300, 70)])
def test_score_matrix_equals_bm25s_own(monkeypatch, block_pairs, read_pairs):
    """Equal to bm25s's, whether the matrix is filled in one block or, as in
    a large build, a block of columns at a time from pairs read in pieces."""
    import qa.lexical

    monkeypatch.setattr(qa.lexical, "_BLOCK_PAIRS", block_pairs)
    monkeypatch.setattr(qa.lexical, "_READ_PAIRS", read_pairs)
    passages = seed_passages()
    ours = LexicalIndex.build(index_tokens(passages))
    reference = _bm25s().BM25()
    reference.index([tokens or ["\u0000"] for tokens in index_tokens(passages)], show_progress=False)
    ours_entries, reference_entries = matrix_entries(ours._retriever), matrix_entries(reference)
    assert len(ours_entries) > 5000 and ours_entries.keys() == reference_entries.keys()
    assert all(ours_entries[key] == pytest.approx(reference_entries[key], rel=1e-6) for key in ours_entries)
    assert set(ours._retriever.vocab_dict) == set(reference.vocab_dict)
    for name in ("data", "indices", "indptr"):
        assert ours._retriever.scores[name].dtype == reference.scores[name].dtype
    assert ours.documents == ours._retriever.scores["num_docs"] == len(passages)


def test_saved_index_searches_like_bm25s(tmp_path):
    passages = seed_passages()
    LexicalIndex.build(index_tokens(passages)).save(tmp_path / "ours")
    reference = _bm25s().BM25()
    reference.index([tokens or ["\u0000"] for tokens in index_tokens(passages)], show_progress=False)
    reference.save(str(tmp_path / "reference"), show_progress=False)
    ours = LexicalIndex.open(tmp_path / "ours", len(passages))
    theirs = LexicalIndex.open(tmp_path / "reference", len(passages))
    questions = ["پیمان راهبردی ایران و روسیه", "رئیس‌جمهور پزشکیان در مسکو", "اجلاس بریکس کازان", "واژه‌ای ناموجود"]
    token_lists = [list(tokens) for tokens in index_tokens(questions)]
    found = ours.search_batch(token_lists, 5)
    assert found == theirs.search_batch(token_lists, 5)
    assert all(found[:3]) and found[3] == []
    assert ours.inverse_document_frequency(["روسیه"]) == theirs.inverse_document_frequency(["روسیه"])


def test_empty_corpus_and_a_single_pass_over_a_generator():
    empty = LexicalIndex.build(iter([]))
    assert empty.documents == 0 and empty.search(["روسیه"], 5) == []
    read = []

    def token_lists():
        for tokens in (["روسیه", "ایران"], [], ["ایران"]):
            read.append(tokens)
            yield tokens

    index = LexicalIndex.build(token_lists())
    assert len(read) == 3 and index.documents == 3
    assert [row for row, _ in index.search(["روسیه"], 5)] == [0]
    assert sorted(row for row, _ in index.search(["ایران"], 5)) == [0, 2]
