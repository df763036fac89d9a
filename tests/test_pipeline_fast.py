"""Retrieval and answering without the real model: the deterministic
HashEmbedder of conftest (a text is the sum of its words' fixed random
vectors) over the seed articles. Fast; the real-model behaviour is in
test_answers.py."""

from __future__ import annotations

import re

import pytest

from qa.answer import (ScoredSentence, _cue, compose_answer, goes_on, put_dominant_first, question_cues,
                       shared_words)
from qa.parameters import AnswerParameters
from qa.conversation import Turn, rewrite_question
from qa.retrieval import fuse
from qa.types import Chunk, Hit, Span
from tests.conftest import DATA, open_hash_index

# The hash embedder's cosines are lower than e5's: its own threshold.
HASH_PARAMETERS = AnswerParameters(abstain_below={"hash": {"fa": 0.2, "en": 0.2}})


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory):
    opened = open_hash_index(DATA, tmp_path_factory.mktemp("hash-index"))
    yield opened
    opened[0].close()


def answer(hash_index, question, history=()):
    index, retriever, embedder = hash_index
    text = rewrite_question(question, [Turn(q) for q in history])
    hits = retriever.search(text, 10)
    return compose_answer(question, embedder.embed_query(text), hits, index, scoring_question=text,
                          parameters=HASH_PARAMETERS)


def hit(name: str) -> Hit:
    return Hit(Chunk(name, "doc", 0, 1, name), 0.0)


@pytest.mark.parametrize("rankings, expected", [
    ([["a", "b"], ["b", "c"]], ["b", "a", "c"]),          # found twice beats first once
    ([["a", "b", "c"], []], ["a", "b", "c"]),             # one ranking keeps its order
    ([["a"], ["b"]], ["a", "b"]),                          # equal scores: first ranking first
    ([[], []], []),
])
def test_fuse(rankings, expected):
    fused = fuse([[hit(name) for name in ranking] for ranking in rankings])
    assert [h.chunk.chunk_id for h in fused] == expected


def test_answer_cites_the_article_that_holds_it(hash_index):
    result = answer(hash_index, "اجلاس سران بریکس در کازان کی برگزار می‌شود؟")
    assert not result.abstained
    assert result.citations[0].doc_id == "003_71a1316be5b32065" and "آبان" in result.answer


def test_every_marker_has_its_citation_and_evidence_inside_it(hash_index):
    result = answer(hash_index, "پزشکیان در چه تاریخی وارد مسکو شد؟")
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
    assert numbers and numbers == {c.n for c in result.citations if c.evidence}
    for citation in result.citations:
        for span in citation.evidence:
            assert citation.start <= span.start < span.end <= citation.end


def test_follow_up_is_answered_as_its_rewrite(hash_index):
    alone = answer(hash_index, "و او کی به مسکو رسید؟")
    followed = answer(hash_index, "و او کی به مسکو رسید؟", ["پزشکیان در چه تاریخی وارد مسکو شد؟"])
    assert followed.rewritten_question == "پزشکیان کی به مسکو رسید؟"
    _, retriever, _ = hash_index
    assert retriever.search(followed.retrieval_query, 5)[0].chunk.doc_id == "000_579d1ee50203db0a"
    assert not followed.abstained
    assert alone.rewritten_question is None


@pytest.mark.parametrize("question, message", [
    ("بهترین دستور پخت قورمه‌سبزی چیست؟", "پاسخ این پرسش در مقاله‌ها نیامده است"),
    # Latin letters that hold no English word are no English: the page's Persian
    ("xqzv blorp", "پاسخ این پرسش در مقاله‌ها نیامده است"),
])
def test_questions_outside_the_articles_abstain(hash_index, question, message):
    result = answer(hash_index, question)
    assert result.abstained and message in result.answer
    assert result.citations and all(not c.evidence for c in result.citations)


def test_the_reader_s_verdict_decides_whether_persian_sentences_answer(hash_index):
    index, retriever, embedder = hash_index
    asked: list[tuple[str, list[str]]] = []

    def verdict(margin):
        def check(question, sentences):
            asked.append((question, list(sentences)))
            return margin
        return check

    def compose(question, margin):
        hits = retriever.search(question, 10)
        return compose_answer(question, embedder.embed_query(question), hits, index, parameters=HASH_PARAMETERS,
                              check_answerable=verdict(margin))

    question = "اجلاس سران بریکس در کازان کی برگزار می‌شود؟"
    threshold = HASH_PARAMETERS.min_reader_margin
    assert compose(question, threshold - 0.1).abstained
    assert asked[-1][0] == question and asked[-1][1]  # the chosen sentences were read
    kept = compose(question, threshold)
    assert not kept.abstained and "آبان" in kept.answer
    # An English question is not put to it (the reader reads its words poorly).
    asked.clear()
    compose("When will the BRICS summit in Kazan be held?", threshold - 10)
    assert not asked


_SPEECH = ("دکتر مسعود پزشکیان در دیدار آقای «ولادیمیر پوتین» گفت: ارتباط ما با روسیه صمیمانه و راهبردی است.")


@pytest.mark.parametrize("question, sentence, cues, cue", [
    ("پزشکیان کی وارد مسکو شد؟", "پزشکیان جمعه ۲۸ دی وارد مسکو شد.", ["date"], 1.0),
    ("پزشکیان کی وارد مسکو شد؟", "پزشکیان وارد مسکو شد.", ["date"], 0.0),
    # "how did X describe Y": a quoted clause saying what Y is
    ("پزشکیان رابطه ایران با روسیه را چگونه توصیف کرد؟", _SPEECH, ["description"], 1.0),
    ("پزشکیان رابطه ایران با روسیه را چگونه توصیف کرد؟",
     "پزشکیان گفت که ارتباط ما با روسیه صمیمانه و راهبردی است.", ["description"], 0.0),  # no quote
    ("پزشکیان درباره روسیه چه گفت؟", _SPEECH, [], 0.0),
    ("", _SPEECH, [], 0.0),
])
def test_answer_type_cues(question, sentence, cues, cue):
    assert question_cues(question) == cues
    assert _cue(question_cues(question), sentence, question=question) == cue


def test_thresholds_by_embedder_and_language():
    parameters = AnswerParameters(abstain_below={"e5-small": {"fa": 0.8, "en": 0.7}, "other": {"fa": 0.5}})
    assert parameters.threshold("other", "fa") == 0.5
    assert parameters.threshold("other", "ar") == 0.5          # a language not calibrated: the Persian value
    assert parameters.threshold("never-calibrated", "en") == 0.7  # an embedder not calibrated: e5-small's
    from qa.parameters import read_thresholds

    assert set(read_thresholds()["e5-small"]) == {"fa", "en", "ar"}


@pytest.mark.parametrize("question, sentence, expected", [
    # the seed articles lost their ZWNJs: typed apart or with one, the words meet
    ("مراد صادیق زاد کیست؟", "«مراد صادیقزاد»، رئیس مرکز مطالعات", {"مراد", "صادیق", "زاد"}),
    ("رئیس‌جمهور روسیه کیست؟", "پوتین رئیس جمهور روسیه گفت", {"رییسجمهور", "روسیه"}),
    ("رئیس جمهور روسیه کیست؟", "پوتین رئیسجمهور روسیه گفت", {"رییس", "جمهور", "روسیه"}),
    ("نخستوزیر روسیه کیست؟", "میشوتسین نخست وزیر روسیه", {"نخستوزیر", "روسیه"}),
    ("رئيس جمهور روسيه كيست؟", "پوتین رئیسجمهور روسیه گفت", {"رییس", "جمهور", "روسیه"}),  # Arabic ي/ك
    # an ending typed apart is no word of its own
    ("کتاب های پوتین کدامند؟", "کتابهای او", set()),
    ("", "پوتین رئیسجمهور روسیه", set()),
])
def test_shared_words(question, sentence, expected):
    assert shared_words(question, sentence) == expected


def sentence(text: str, similarity: float, overlap: float) -> ScoredSentence:
    return ScoredSentence(0, Span(0, len(text)), text, similarity, overlap, 0.0)


@pytest.mark.parametrize("candidates, expected", [
    # «وضعیت سفرهای گردشگری ...»: the sentence naming the tourist trips
    # holds most of the question's rare words, topical ones score higher
    ([("دیدار رئیس جمهور", 0.86, 0.04), ("تجارت دو کشور", 0.85, 0.04), ("سفرهای گردشگری رشد", 0.82, 0.58)],
     ["سفرهای گردشگری رشد", "دیدار رئیس جمهور", "تجارت دو کشور"]),
    # already first: order kept
    ([("سفرهای گردشگری رشد", 0.86, 0.58), ("دیدار", 0.85, 0.04)], ["سفرهای گردشگری رشد", "دیدار"]),
    # ahead but under the share that makes it dominant
    ([("الف", 0.86, 0.04), ("ب", 0.82, 0.30)], ["الف", "ب"]),
    # high, but another sentence holds nearly as much: similarity decides
    ([("الف", 0.86, 0.50), ("ب", 0.82, 0.52)], ["الف", "ب"]),
    ([("الف", 0.86, 0.0)], ["الف"]),
    ([], []),
])
def test_put_dominant_first(candidates, expected):
    scored = [sentence(*candidate) for candidate in candidates]
    assert [chosen.text for chosen in put_dominant_first(scored)] == expected


@pytest.mark.parametrize("sentence, following, expected", [
    # news writes the event, then its place: «این دیدار در ...»
    ("پزشکیان و پوتین برای نخستین بار با یکدیگر دیدار کردند.", "این دیدار در عشقآباد انجام شد.", True),
    ("پزشکیان و پوتین دیدار كردند.", "آن ديدار در عشق‌آباد بود.", True),   # Arabic ی/ک, ZWNJ
    # a demonstrative before a noun the sentence does not have: another thing
    ("پزشکیان و پوتین دیدار کردند.", "این همایش در عشقآباد برگزار شد.", False),
    ("پزشکیان و پوتین دیدار کردند.", "همایش در عشقآباد برگزار شد.", False),
    ("پزشکیان و پوتین دیدار کردند.", "این", False),
    ("", "", False),
])
def test_goes_on(sentence, following, expected):
    assert goes_on(sentence, following) is expected
