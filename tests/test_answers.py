"""End to end on the real model and the real articles: the development questions."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qa.conversation import Turn
from qa.text import search_key
from tests.conftest import ROOT, SHARED

pytestmark = pytest.mark.model

OWN_FILE = ROOT / "tests" / "questions.jsonl"
SHARED_FILE = SHARED / "eval" / "seed_questions.jsonl"


def read_questions(path: Path) -> list[dict]:
    """Questions of a JSON Lines file; none when the file is absent (the
    shared development set lives beside the repository, not in it)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# Our own questions over the seed articles: always present.
QUESTIONS = read_questions(OWN_FILE)
# The shared development questions: used when ../shared is beside the checkout.
SHARED_QUESTIONS = read_questions(SHARED_FILE)
needs_shared = pytest.mark.skipif(not SHARED_FILE.is_file(), reason="../shared/eval/seed_questions.jsonl is absent")


def cites_evidence(answer, question):
    evidence = search_key(question["evidence"])
    return any(c.doc_id == question["doc"] and evidence in search_key(c.text) for c in answer.citations)


def check_quotes_balance(answer):
    # A quoted name whole: «ولادیمیر پوتین» was shown without its ».
    if answer.short_answer is not None:
        assert answer.short_answer.text.count("«") == answer.short_answer.text.count("»")


def check_answerable(assistant, question):
    answer = assistant.ask(question["question"])
    assert not answer.abstained
    assert "[1]" in answer.answer
    assert cites_evidence(answer, question)
    for word in question["answer"]:
        assert search_key(word) in search_key(answer.answer)
    check_quotes_balance(answer)
    # The evidence is among the passages the answer was drawn from.
    hits = assistant.retriever().search(question["question"], assistant.settings.k)
    assert any(search_key(question["evidence"]) in search_key(h.chunk.text) for h in hits)


def check_short_answer_holds(answer, fact):
    assert answer.short_answer is not None, answer.answer
    assert search_key(fact) in search_key(answer.short_answer.text), answer.short_answer.text


def check_abstains(assistant, question):
    answer = assistant.ask(question["question"])
    assert answer.abstained
    assert all(not c.evidence for c in answer.citations) and answer.citations
    english = question["question"].isascii()
    assert ("do not contain" in answer.answer) == english


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q["answerable"]], ids=lambda q: q["id"])
def test_answerable_questions(seed_assistant, question):
    check_answerable(seed_assistant, question)


@pytest.mark.parametrize("question", [q for q in QUESTIONS if not q["answerable"]], ids=lambda q: q["id"])
def test_out_of_corpus_questions_abstain(seed_assistant, question):
    check_abstains(seed_assistant, question)


# Known misses, kept visible, by backend (None: every backend).
# (dev20, "What did Putin and Pezeshkian discuss about Iran's nuclear
# program?", was one until English questions were bridged to Persian words:
# "nuclear" → «هسته‌ای» ranks the sentence that says it first.)
# dev10 ("how did Pezeshkian describe the relation") was one under int8
# until a quoted clause saying what the relation is became the answer-type
# cue of "how did X describe Y" (its sentence scored 0.001 below another of
# the same speech). None is missed now.
KNOWN_MISSES: dict[str, set[str] | None] = {}


def check_shared_answerable(assistant, question):
    answer = assistant.ask(question["question"])
    assert not answer.abstained and "[1]" in answer.answer
    for word in question["answer"]:
        assert search_key(word) in search_key(answer.answer)
    check_quotes_balance(answer)
    hits = assistant.retriever().search(question["question"], assistant.settings.k)
    assert any(search_key(question["evidence"]) in search_key(h.chunk.text) for h in hits)


@needs_shared
@pytest.mark.parametrize("question", [q for q in SHARED_QUESTIONS if q["answerable"]], ids=lambda q: q["id"])
def test_shared_answerable_questions(seed_assistant, question):
    backend = seed_assistant.embedder.backend
    missed_on = KNOWN_MISSES.get(question["id"], set())
    if missed_on is None or backend in missed_on:
        try:
            check_shared_answerable(seed_assistant, question)
        except AssertionError:
            pytest.xfail(f"known miss on {backend}")
        pytest.fail(f"{question['id']} is a known miss on {backend} but passes now: update KNOWN_MISSES")
    check_shared_answerable(seed_assistant, question)


@needs_shared
@pytest.mark.parametrize("question", [q for q in SHARED_QUESTIONS if not q["answerable"]], ids=lambda q: q["id"])
def test_shared_out_of_corpus_questions_abstain(seed_assistant, question):
    check_abstains(seed_assistant, question)


# Questions on the articles' own topic that they do not answer (written
# before they were first run: 2 of 18 abstained). Those still answered are
# listed, kept visible; each fails once it abstains.
NEAR_QUESTIONS = read_questions(ROOT / "bench" / "out_of_corpus_near.jsonl")
NEAR_MISSES = {
    "oon04", "oon16",           # where was Pezeshkian born: «کرملین»
    "oon05", "oon11", "oon17",  # when did Putin first become president: the date he first met Pezeshkian
    "oon09", "oon15",           # the trade volume last year (English, Arabic)
}


@pytest.mark.parametrize("question", NEAR_QUESTIONS, ids=lambda q: q["id"])
def test_questions_on_the_topic_that_the_articles_do_not_answer_abstain(seed_assistant, question):
    answer = seed_assistant.ask(question["question"])
    if question["id"] in NEAR_MISSES:
        if not answer.abstained:
            pytest.xfail(f"known miss: answered {answer.short_answer.text if answer.short_answer else None!r}")
        pytest.fail(f"{question['id']} abstains now: remove it from NEAR_MISSES")
    assert answer.abstained and answer.short_answer is None
    assert answer.citations and all(not c.evidence for c in answer.citations)


def test_citations_point_into_the_articles(seed_assistant):
    answer = seed_assistant.ask("پزشکیان کی وارد مسکو شد؟")
    assert not answer.abstained and "۲۸ دی" in answer.answer
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for citation in answer.citations:
        article = seed_assistant.index.articles[citation.doc_id]
        assert article.text[citation.start:citation.end] == citation.text
        assert citation.evidence
        for span in citation.evidence:
            assert citation.start <= span.start < span.end <= citation.end
            assert article.text[span.start:span.end] in answer.answer
        assert f"[{citation.n}]" in answer.answer
    assert answer.answer.count("[") <= 3


def test_answer_never_repeats_a_sentence(seed_assistant):
    # Seed 002 repeats a sentence, once with "رئیس جمهوری", once with "رئیسجمهوری".
    answer = seed_assistant.ask("پوتین پزشکیان را برای شرکت در کدام اجلاس دعوت کرد؟")
    sentences = [part for part in re.split(r"\s*\[\d+\]\s*", answer.answer) if part]
    keys = [search_key(sentence).replace(" ", "") for sentence in sentences]
    assert len(keys) == len(set(keys)) and len(sentences) <= 3


def test_follow_up_uses_the_previous_question(seed_assistant):
    first = seed_assistant.ask("سفیر ایران در روسیه کیست؟")
    answer = seed_assistant.ask("او درباره توافقنامه جامع چه گفت؟", history=[Turn.of(first)])
    assert not answer.abstained and answer.rewritten_question
    assert "او" not in answer.rewritten_question.split()
    assert any(c.doc_id == "003_71a1316be5b32065" for c in answer.citations)


def run_cli(*args, index_dir: Path, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "qa", *args, "--index", str(index_dir)], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_json_contracts(seed_assistant):
    index_dir = seed_assistant.settings.index_dir
    result = run_cli("ask", "اجلاس سران بریکس در کازان در چه تاریخی برگزار می‌شود؟", "--json", index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "rewritten_question", "note", "short_answer", "answer", "abstained", "citations"}
    assert answer["rewritten_question"] is None and answer["note"] is None
    assert set(answer["short_answer"]) == {"text", "n", "start", "end"} and "آبان" in answer["short_answer"]["text"]
    citation = answer["citations"][0]
    assert set(citation) == {"n", "doc_id", "path", "title", "source", "date", "chunk_id", "text", "start", "end",
                             "score", "evidence"}
    assert "آبان" in answer["answer"] and citation["evidence"][0].keys() == {"start", "end"}

    batch = run_cli("ask", "--file", "-", "--json", index_dir=index_dir,
                    stdin="پوتین پزشکیان را به کدام اجلاس دعوت کرد؟\n\nWhat is the capital of Australia?\n")
    rows = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [row["abstained"] for row in rows] == [False, True]
    assert rows[1]["short_answer"] is None

    # JSON Lines conversations: the same id is one conversation, in file order.
    conversation = run_cli("ask", "--file", "-", "--json", index_dir=index_dir, stdin="\n".join([
        json.dumps({"conversation": "c1", "question": "پوتین پزشکیان را به کدام اجلاس دعوت کرد؟"}),
        json.dumps({"conversation": "c2", "question": "پایتخت استرالیا کجاست؟"}),
        json.dumps({"conversation": "c1", "question": "این اجلاس در کدام شهر برگزار می‌شود؟"}),
    ]) + "\n")
    assert conversation.returncode == 0, conversation.stderr
    rows = [json.loads(line) for line in conversation.stdout.splitlines()]
    assert [row["conversation"] for row in rows] == ["c1", "c2", "c1"]
    assert not rows[2]["abstained"] and "کازان" in rows[2]["answer"]
    bad = run_cli("ask", "--file", "-", index_dir=index_dir, stdin='پرسش\n{"conversation": 1}\n')
    assert bad.returncode == 1 and 'line 2: a JSON line needs "question"' in bad.stderr
    assert "بریکس" in rows[0]["answer"]

    info = run_cli("index", "info", "--json", index_dir=index_dir)
    manifest = json.loads(info.stdout)
    assert manifest["articles"] == 5 and manifest["embedder"] == "e5-small" and manifest["dimension"] == 384

    missing = run_cli("ask", "سلام", index_dir=index_dir / "nothing")
    assert missing.returncode == 1 and "qa index build" in missing.stderr


def test_cli_build_json(tmp_path, seed_assistant):
    from tests.conftest import DATA

    result = subprocess.run([sys.executable, "-m", "qa", "index", "build", "--data", str(DATA), "--index",
                             str(tmp_path / "index"), "--json"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"articles", "chunks", "embedded", "reused", "removed", "skipped", "seconds", "index_dir"} <= set(summary)
    assert summary["articles"] == 5 and summary["embedded"] == summary["chunks"] and summary["skipped"] == []
    assert summary["warnings"] == []


def check_eval(assistant, path: Path, count: int) -> None:
    from qa.evaluation import evaluate

    result = evaluate(path, assistant.settings, modes=("hybrid",), assistant=assistant)
    hybrid = result["modes"]["hybrid"]
    assert result["questions"] == count
    assert hybrid["abstain_rate_unanswerable"] == 1.0 and hybrid["abstain_rate_answerable"] == 0.0
    assert hybrid["hit@5"] >= 0.9 and hybrid["answer_containment"] >= 0.85


def test_eval_on_our_questions(seed_assistant):
    check_eval(seed_assistant, OWN_FILE, len(QUESTIONS))


@needs_shared
def test_eval_on_shared_development_questions(seed_assistant):
    check_eval(seed_assistant, SHARED_FILE, len(SHARED_QUESTIONS))


def test_short_answer_is_a_span_of_a_cited_sentence(seed_assistant):
    answer = seed_assistant.ask("پزشکیان کی وارد مسکو شد؟")
    short = answer.short_answer
    assert short is not None and "۲۸ دی" in short.text
    citation = next(c for c in answer.citations if c.n == short.n)
    article = seed_assistant.index.articles[citation.doc_id]
    assert article.text[short.start:short.end] == short.text
    assert any(span.start <= short.start and short.end <= span.end for span in citation.evidence)
    assert answer.to_dict()["short_answer"] == {"text": short.text, "n": short.n, "start": short.start,
                                                "end": short.end}


def test_a_place_in_the_sentence_that_goes_on_about_the_event_is_cited_with_it(seed_assistant):
    # «... برای نخستین بار با یکدیگر دیدار کردند.» then «این دیدار در ... عشقآباد ...»
    answer = seed_assistant.ask("Where did Pezeshkian and Putin meet for the first time?")
    short = answer.short_answer
    assert short is not None and search_key("عشقآباد") in search_key(short.text)
    citation = next(c for c in answer.citations if c.n == short.n)
    text = seed_assistant.index.articles[citation.doc_id].text
    cited = [search_key(text[span.start:span.end]) for span in citation.evidence]
    assert any(search_key("برای نخستین بار") in sentence for sentence in cited)
    assert any(sentence.startswith(search_key("این دیدار")) for sentence in cited)
    assert any(span.start <= short.start and short.end <= span.end for span in citation.evidence)


def test_no_short_answer_when_abstaining(seed_assistant):
    answer = seed_assistant.ask("پایتخت استرالیا کجاست؟")
    assert answer.abstained and answer.short_answer is None and answer.to_dict()["short_answer"] is None


def test_milvus_lite_store_gives_the_same_answers(seed_assistant, tmp_path):
    """The same index moved into Milvus Lite (vectors reused, nothing embedded)
    answers every question as FAISS does: same first citation, same text."""
    import shutil

    from qa.assistant import Assistant

    index_dir = tmp_path / "index"
    shutil.copytree(seed_assistant.settings.index_dir, index_dir, ignore=shutil.ignore_patterns(".lock"))
    milvus = Assistant(seed_assistant.settings.with_overrides(index_dir=index_dir, vector_store="milvus"),
                       seed_assistant.embedder)
    summary = milvus.build()
    assert summary.embedded == 0 and milvus.index.vector_store == "milvus"
    questions = [q["question"] for q in QUESTIONS + SHARED_QUESTIONS]
    same = 0
    for question in questions:
        on_faiss, on_milvus = seed_assistant.ask(question), milvus.ask(question)
        assert on_milvus.abstained == on_faiss.abstained
        same += (on_faiss.citations[0].chunk_id, on_faiss.answer) == (on_milvus.citations[0].chunk_id, on_milvus.answer)
    assert same >= 0.9 * len(questions)
    milvus.index.close()


DIALOGS_FILE = ROOT / "tests" / "dialogs.jsonl"


def test_dialogs_follow_ups_find_their_evidence(seed_assistant):
    """Our development dialogs (11 conversations of 3 turns over the seed
    articles, pronoun and elliptic follow-ups): the issue's targets for
    follow-up turns, measured as `qa eval tests/dialogs.jsonl` does."""
    from qa.evaluation import evaluate

    result = evaluate(DIALOGS_FILE, seed_assistant.settings, modes=("hybrid",), assistant=seed_assistant)
    metrics = result["modes"]["hybrid"]
    assert metrics["follow_up_cited"] >= 0.70
    # The target; the trained reader reaches 0.45 here (the rules 0.23).
    assert metrics["follow_up_short_answer_f1"] >= 0.40
    assert metrics["abstain_rate_answerable"] == 0


# Our answerable questions whose short answer must hold the fact (their
# "answer" word). None is missed now; a miss would be listed here, kept
# visible. (own05 asks "how" and got another phrase of the same speech until
# quoted descriptions were read as such; own07, written with Arabic ي/ك, got
# «مسعود پزشکیان» until the reader read the letters unified.)
SHORT_ANSWER_MISSES: set[str] = set()


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q["answerable"]], ids=lambda q: q["id"])
def test_short_answer_holds_the_fact(seed_assistant, question):
    answer = seed_assistant.ask(question["question"])
    short = answer.short_answer.text if answer.short_answer else ""
    holds = any(search_key(word) in search_key(short) for word in question["answer"])
    if question["id"] in SHORT_ANSWER_MISSES:
        pytest.xfail(f"known miss: {short!r}") if not holds else None
        pytest.fail(f"{question['id']} now holds the fact: remove it from SHORT_ANSWER_MISSES")
    assert holds, f"short answer {short!r} lacks {question['answer']}"


def test_an_english_follow_up_on_what_was_said_takes_the_clause_on_its_topic(seed_assistant):
    """Iran and Russia name the ambassador's title, the agreement the topic:
    the clause «روابط ایران و روسیه ...» was taken before the concepts after
    "about" were told apart."""
    first = seed_assistant.ask("Who is Iran's ambassador to Russia?")
    answer = seed_assistant.ask("What did he say about the comprehensive agreement?", history=[Turn.of(first)])
    assert answer.short_answer is not None and "آماده امضا" in answer.short_answer.text


@pytest.mark.parametrize("history, question, expected_doc, evidence", [
    (["پیمان راهبردی ایران و روسیه چه زمانی امضا شد؟"], "او درباره تحریم‌ها چه گفت؟", None, "تحریم"),
    (["سفیر ایران در روسیه کیست؟"], "او درباره توافقنامه جامع چه گفت؟", "003_71a1316be5b32065", "آماده امضا"),
])
def test_follow_up_does_not_repeat_the_last_answer(seed_assistant, history, question, expected_doc, evidence):
    turns = []
    for earlier in history:
        turns.append(Turn.of(seed_assistant.ask(earlier, history=turns)))
    previous = seed_assistant.ask(history[-1])
    answer = seed_assistant.ask(question, history=turns)
    assert not answer.abstained and answer.answer != previous.answer
    assert search_key(evidence) in search_key(answer.answer)
    assert expected_doc is None or any(c.doc_id == expected_doc and c.evidence for c in answer.citations)


CROSS_LINGUAL = read_questions(ROOT / "bench" / "cross_lingual.jsonl")
# Written later, measured once before the thresholds were recalibrated with
# them (one false English abstention then); now development data too.
CROSS_LINGUAL_LATER = read_questions(ROOT / "bench" / "cross_lingual_held_out.jsonl")


def test_english_and_arabic_questions_are_answered_from_persian_articles(seed_assistant):
    """bench/cross_lingual.jsonl and cross_lingual_held_out.jsonl (10 English,
    10 Arabic questions over the seed articles; the abstention thresholds were
    calibrated on them, so this is a regression check, not a held-out
    measurement)."""
    from qa.answer import CROSS_LINGUAL_NOTE
    from qa.text import question_language

    cited = {}
    for question in CROSS_LINGUAL + CROSS_LINGUAL_LATER:
        answer = seed_assistant.ask(question["question"])
        language = question_language(question["question"])
        assert language in ("en", "ar")
        # No false abstention (an Arabic question once abstained: none of its
        # words is in the articles and «كم» was not known as a question word).
        assert not answer.abstained, question["id"]
        assert answer.note == CROSS_LINGUAL_NOTE[language]
        cited[question["id"]] = cites_evidence(answer, question)
    assert sum(cited[q["id"]] for q in CROSS_LINGUAL) >= 0.75 * len(CROSS_LINGUAL)
    # Measured 7 of 12: e5-small's English and Arabic vectors often rank
    # another sentence of the same meeting first.
    assert sum(cited[q["id"]] for q in CROSS_LINGUAL_LATER) >= 0.5 * len(CROSS_LINGUAL_LATER)
    for question in ("ما هي عاصمة أستراليا؟", "ما هي أفضل وصفة للكبسة؟"):
        answer = seed_assistant.ask(question)
        assert answer.abstained and "لا تتضمن المقالات" in answer.answer


@pytest.mark.parametrize("question, fact", [
    # «أين» reads as the Persian «این» ("this"): the reader answered a name
    # until it read the question with «کجا» before it.
    ("أين تعقد قمة بريكس؟", "کازان"),
    ("Where will the BRICS summit be held?", "کازان"),
    ("متى التقى بزشكيان وبوتين لأول مرة؟", "۲۰ مهرماه"),
    # found by the name's sound: «پوتین»; the reader answered with the other
    # president's title, «رئیس جمهوری اسلامی ایران»
    ("Who is Putin?", "روسیه"),
    # «رئیس جمهور پزشکیان»: a title before the name, no comma (was «صادیقزاد»)
    ("Who is Pezeshkian?", "جمهور"),
    # the reader rated a date of the third sentence higher (the Moscow trip's
    # «۲۸ دی»); the first sentence, on the trip to China, holds the answer
    ("On what date did Pezeshkian meet Putin during his trip to China?", "۱۰ شهریور"),
    # what was said about the nuclear programme: the clause holding «هسته‌ای»
    ("What did Putin and Pezeshkian discuss about Iran's nuclear program?", "هسته‌ای"),
    # "which X": the name after the noun (the reader answered «پزشکیان»,
    # «مسعود پزشکیان» and «بیناللملی»)
    ("Which American foundation's experts assessed Pezeshkian's trip to Moscow?", "دفاع از دموکراسی"),
    ("في أي مطار وصل بزشكيان إلى طهران بعد زيارته إلى تركمانستان؟", "مهرآباد"),
    ("ما هو الاتحاد الاقتصادي الذي قال بزشكيان إنه سيسرع التعاون بين البلدين؟", "اوراسیا"),
    # the first meeting's place is in the next sentence, «این دیدار در ...
    # عشقآباد ...» (the reader answered «کرملین», where they met later)
    ("Where did Pezeshkian and Putin meet for the first time?", "عشقآباد"),
    # "which city" where the sentence writes no «شهر»: «... سفر رسمی خود به
    # مسکو ...»; a city of the glossary's places (the reader answered
    # «تاجیکستان», a country, from the next sentence)
    ("In which city did the Iranian president honour the Unknown Soldier?", "مسکو"),
    ("في أي مدينة وضع بزشكيان الزهور على نصب الجندي المجهول؟", "مسکو"),
    ("In which country did Pezeshkian pay tribute to the statue of Samani?", "تاجیکستان"),
    # the reader, given the English question alone, answered with the one
    # it names, «مسعود پزشکیان»; with «پزشکیان ... چین» after it, «ولادیمیر پوتین»
    ("Whom did Pezeshkian meet on Monday evening on the second day of his trip to China?", "پوتین"),
    # "Besides" opening the question was an absent name: it abstained
    ("Besides Iran and Russia, which independent country did Pezeshkian mention?", "چین"),
    # the owner's noun («خبرگزاری») is never written: the name after the
    # owned noun, «خبرنگار ایرنا» (was «کاظم جلالی»)
    ("Which news agency's reporter did Kazem Jalali talk to in Moscow?", "ایرنا"),
    # «جنایات و تنشزایی رژیم صهیونیستی»: the name after the second noun (was «پزشکیان»)
    ("Whose crimes did Pezeshkian call a common threat to the countries of the region?", "صهیونیستی"),
    # «كم» was not known as Arabic: read as Persian, no short answer
    ("كم مذكرة تفاهم وقعت بين إيران وطاجيكستان؟", "۲۳"),
    # Arabic words with endings of case and number, and news words the
    # glossary lacked: «محادثة» sounded like «معاهده» (answered with a date),
    # «دقيقة», "field" (answered with another sentence's words)
    ("كم استغرقت محادثة بزشكيان مع الرئيس الروسي؟", "یک ساعت"),
    ("كم دقيقة تحدث كل رئيس في اجتماع تركمانستان؟", "۱۰"),
    ("In which field is Iran ready to exchange cooperation with Tajikistan?", "پزشکی"),
    # a plural noun («بخشهای») names the whole list, not its first item
    ("In which sectors did Mishustin want to expand exchanges with Iran?", "انرژی، صنعت، حمل و نقل"),
    # "shared" describes the element asked for: «عنصر همسایگی» (was the clause after it)
    ("What shared element between Tehran and Moscow did the ambassador mention?", "همسایگی"),
])
def test_cross_lingual_short_answers(seed_assistant, question, fact):
    answer = seed_assistant.ask(question)
    check_short_answer_holds(answer, fact)


@pytest.mark.parametrize("question", [
    # Bridged to «نخست‌وزیر روسیه ... پزشکیان» for BM25 and the sentence
    # ranking: the naming sentence was ninth by e5-small's meaning alone,
    # and the answer had no short answer.
    "Who is the prime minister of Russia that met Pezeshkian?",
    "من هو رئيس وزراء روسيا الذي التقى بزشكيان؟",
])
def test_bridged_questions_find_the_naming_sentence(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert not answer.abstained
    check_short_answer_holds(answer, "میشوتسین")


@pytest.mark.parametrize("question", [
    # France is a name the articles never write (it was answered «روسیه»).
    "Who is the president of France?",
    # nothing the articles write (it was answered with a deputy's title)
    "Who is xyz?",
    # «جمعیت», «ساخت» are never written; «مسکو», «کرملین» alone found
    # sentences at 0.79 and 0.77, above answerable English questions
    "What is the population of Moscow?",
    "When was the Kremlin built?",
])
def test_english_questions_about_what_the_articles_never_name_abstain(seed_assistant, question):
    check_abstains(seed_assistant, {"question": question})


@pytest.mark.parametrize("question", [
    # The article gives the ambassador by title in one sentence («سفیر ...
    # گفت:») and by name in the next («کاظم جلالی ... افزود:»); the reader,
    # trained on Persian questions, found no span for these (the issue's
    # example; it had been answered «مسعود پزشکیان», then nothing).
    "Who is Iran's ambassador to Russia?",
    "من هو سفير إيران لدى روسيا؟",
])
def test_office_asked_in_english_or_arabic_is_answered_by_the_speakers_name(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.short_answer is not None and answer.short_answer.text == "کاظم جلالی"
    # the sentence that names him is cited beside the one that gives his title
    assert "کاظم جلالی" in answer.answer and "سفیر" in answer.answer


def test_an_english_follow_up_keeps_the_earlier_answers_persian_name(seed_assistant):
    from qa.conversation import Turn

    first = seed_assistant.ask("Who is Iran's ambassador to Russia?")
    answer = seed_assistant.ask("And where did he say it?", history=[Turn.of(first)])
    assert "کاظم جلالی" in answer.retrieval_query
    # the bridge reads the Persian name in the English question
    assert answer.short_answer is not None and answer.short_answer.text == "مسکو"


def test_what_someone_said_is_a_quote_or_nothing(seed_assistant):
    # The articles quote the president on sanctions, never the prime minister:
    # his sentence of the meeting is no answer, nor is a name (the reader's
    # «رئیسجمهور» before quotes alone answered such questions).
    answer = seed_assistant.ask("نخست وزیر روسیه درباره تحریم‌ها چه گفت؟")
    assert answer.short_answer is None
    answer = seed_assistant.ask("پزشکیان در مورد تحریم‌ها چه گفت؟")
    assert answer.short_answer is not None and "تحریم" in answer.short_answer.text


@pytest.mark.parametrize("question", [
    # The articles name the office holder's trips but never the holder: the
    # reader answered «خوزستان».
    "معاون اجرایی رئیس جمهوری کیست؟",
    # Only the deputy foreign minister is named: the reader answered with him.
    "وزیر خارجه روسیه کیست؟",
])
def test_no_name_for_an_office_the_articles_name_no_holder_of(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.short_answer is None, answer.short_answer


@pytest.mark.parametrize("question", [
    "آیا توافقنامه جامع آماده امضا است؟",
    # asked as a statement, without «آیا»: the reader had answered «جمهوری اسلامی ایران»
    "توافقنامه جامع آماده امضا است؟",
])
def test_yes_no_questions_are_answered_by_the_clause_that_says_it(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.short_answer is not None and "آماده امضا است" in answer.short_answer.text


@pytest.mark.parametrize("first, follow_up", [
    # Put in front of the earlier subject, these were answered with the
    # subject's sentences («پزشکیان xyz؟», "When did xyz arrive in Moscow?").
    ("پزشکیان کی وارد مسکو شد؟", "xyz"),
    ("پزشکیان کی وارد مسکو شد؟", "او xyz؟"),
    ("پزشکیان کی وارد مسکو شد؟", "چه xyz؟"),
    ("When did Pezeshkian arrive in Moscow?", "And xyz?"),
    ("When did Pezeshkian arrive in Moscow?", "What about blorf?"),
    ("Which American foundation's experts assessed Pezeshkian's trip to Moscow?", "xyz"),
    # «أي» is the Arabic "which", not the Persian «ای»
    ("پزشکیان کی وارد مسکو شد؟", "أي أي أي"),
])
def test_gibberish_follow_ups_abstain(seed_assistant, first, follow_up):
    earlier = seed_assistant.ask(first)
    assert not earlier.abstained
    answer = seed_assistant.ask(follow_up, history=[Turn.of(earlier)])
    assert answer.abstained and answer.short_answer is None
    assert answer.rewritten_question is None


@pytest.mark.parametrize("first, follow_up, fact", [
    ("پزشکیان کی وارد مسکو شد؟", "او درباره تحریم‌ها چه گفت؟", "تحریم"),
    ("When did Pezeshkian arrive in Moscow?", "What did he say about sanctions?", "تحریم"),
])
def test_follow_ups_with_known_words_are_still_rewritten(seed_assistant, first, follow_up, fact):
    earlier = seed_assistant.ask(first)
    answer = seed_assistant.ask(follow_up, history=[Turn.of(earlier)])
    assert answer.rewritten_question and not answer.abstained
    check_short_answer_holds(answer, fact)


@pytest.mark.parametrize("question", [
    # The first meeting's sentence has no place; the next one, «این دیدار در
    # حاشیه همایش ... در عشقآباد ...», has: it ranks first for that, and its
    # place is the answer (it was «کرملین», where they met later, and in
    # Arabic «کرملین» even with the right sentence first).
    "پزشکیان و پوتین برای نخستین بار کجا دیدار کردند؟",
    "نخستین دیدار پزشکیان و پوتین کجا بود؟",
    "Where was the first meeting between Pezeshkian and Putin held?",
])
def test_the_place_of_an_event_is_read_in_the_sentence_that_goes_on(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.short_answer is not None and search_key(answer.short_answer.text) == search_key("عشقآباد")
    # both sentences cited: the event's and its place's
    assert search_key("نخستین بار") in search_key(answer.answer) and "این دیدار" in answer.answer


@pytest.mark.parametrize("question, name", [
    # «به یادبود چه کسی»: the owner's name is written after «یادبود»
    # («بنای یادبود سرباز گمنام»); the reader took «سربازان روس» from
    # another phrase, and offered no span after «یادبود» at all
    ("رئیس‌جمهور ایران در مسکو به یادبود چه کسی گل نثار کرد؟", "سرباز گمنام"),
    # the reader's own span when it follows the noun
    ("پزشکیان در دوشنبه به تندیس چه کسی ادای احترام کرد؟", "شاهاسماعیل سامانی"),
])
def test_whose_is_answered_by_the_name_after_the_noun(seed_assistant, question, name):
    answer = seed_assistant.ask(question)
    check_short_answer_holds(answer, name)


@pytest.mark.parametrize("question, message", [
    # nonsense abstains; in Latin letters with no English word, in Persian
    ("xyz", "پاسخ این پرسش در مقاله‌ها نیامده است"),
    ("asdfgh qwerty", "پاسخ این پرسش در مقاله‌ها نیامده است"),
    ("😀", "پاسخ این پرسش در مقاله‌ها نیامده است"),
    ("؟!", "پاسخ این پرسش در مقاله‌ها نیامده است"),
    ("Who is xyz?", "do not contain an answer"),
    ("أي أي أي", "لا تتضمن المقالات إجابة"),
])
def test_nonsense_abstains_in_the_language_it_can_be_read_in(seed_assistant, question, message):
    answer = seed_assistant.ask(question)
    assert answer.abstained and message in answer.answer and answer.short_answer is None
