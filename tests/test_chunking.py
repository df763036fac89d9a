"""Chunking: offsets point into the original text, budgets hold."""

from hypothesis import given, settings, strategies as st

from qa.chunking import ChunkingSettings, chunk_article
from qa.corpus import make_article


def count_words(texts):
    # A tokenizer stand-in for property tests: one token per word plus two
    # special tokens, as a real tokenizer adds <s> and </s>.
    return [len(text.split()) + 2 for text in texts]


PERSIAN_PIECES = ["رئیس", "جمهور", "\u200c", "ي", "ك", "۱۴۰۳", "4.5", "،", ".", "؟", "!", " ", " ", "\n", "«", "»",
                  "مسکو", "ایران", "و", "پزشکیان", "َ", "ـ", "\t"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PERSIAN_PIECES), max_size=300), st.integers(3, 40), st.integers(0, 2))
def test_offsets_and_budget(pieces, budget, overlap):
    text = "".join(pieces)
    article = make_article("doc", "doc.txt", text)
    chunks = chunk_article(article, count_words, ChunkingSettings(budget, overlap))
    for chunk in chunks:
        assert article.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
        for span in chunk.sentences:
            assert chunk.start <= span.start < span.end <= chunk.end
        # Pieces of one over-long word can exceed; anything else stays in budget.
        if len(chunk.sentences) > 1:
            assert count_words([chunk.text])[0] <= budget + 2 * len(chunk.sentences)
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_seed_article_chunks_overlap_by_one_sentence():
    from tests.conftest import DATA

    text = (DATA / "000_579d1ee50203db0a.txt").read_text(encoding="utf-8")
    article = make_article("000", "000.txt", text)
    chunks = chunk_article(article, count_words, ChunkingSettings(150, 1))
    assert len(chunks) > 3
    for first, second in zip(chunks, chunks[1:]):
        assert first.sentences[-1] == second.sentences[0]
