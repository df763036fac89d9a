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


def test_long_unpunctuated_line_is_split_in_linear_work():
    # 300,000 characters, no sentence punctuation, no line break: once took
    # minutes (every halving step re-tokenized the rest of the line).
    text = ("همکاری ایران و روسیه در زمینه انرژی و ترانزیت ادامه دارد " * 6000)[:300_000]
    article = make_article("long", "long.txt", text)
    tokenized_chars = 0

    def counting_tokenizer(texts):
        nonlocal tokenized_chars
        tokenized_chars += sum(len(t) for t in texts)
        return count_words(texts)

    chunks = chunk_article(article, counting_tokenizer, ChunkingSettings(200, 1))
    assert len(chunks) > 100
    assert all(article.text[c.start:c.end] == c.text for c in chunks)
    # Linear: each character is tokenized a bounded number of times.
    assert tokenized_chars < 20 * len(text), tokenized_chars


def test_space_free_run_is_cut():
    text = "ا" * 50_000
    chunks = chunk_article(make_article("run", "run.txt", text), lambda ts: [len(t) // 4 + 2 for t in ts],
                           ChunkingSettings(100, 0))
    assert len(chunks) > 10 and max(len(c.text) for c in chunks) <= 400
    assert "".join(c.text for c in chunks) == text
