"""The span reader: how scores become a span (fast, with made-up scores), the
shipped weights, the fallback to the rules, and the trained reader itself on
the seed articles (model)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.reader import (READER_WEIGHTS, balance_quotes, best_token_span, fit_length, gives_name, reader_available,
                       token_sentences, trim_span, widen_to_words)
from qa.text import search_key


def scores(values: dict[int, float], length: int) -> np.ndarray:
    row = np.full(length, -10.0, np.float32)  # tokens not named: unlikely
    for token, value in values.items():
        row[token] = value
    return row


# Tokens 0-2 are the question (-1), 3-5 sentence 0, 6-8 sentence 1.
SENTENCE_OF = np.array([-1, -1, -1, 0, 0, 0, 1, 1, 1])


@pytest.fixture(scope="module")
def trained_reader():
    """The shipped reader, prepared from the bundled model (exported once, then cached)."""
    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.reader import ReaderSettings, SpanReader, ensure_reader

    prepared = ensure_model(Settings.from_env().model_cache)
    return SpanReader(prepared, ensure_reader(prepared), ReaderSettings.for_weights(READER_WEIGHTS))


@pytest.mark.parametrize("starts, ends, max_tokens, expected", [
    ({4: 5.0}, {5: 5.0}, 30, (4, 5)),                    # plainly the best span
    ({4: 5.0}, {7: 9.0, 5: 1.0}, 30, (4, 5)),            # best end lies in the next sentence: not taken
    ({1: 9.0, 6: 1.0}, {2: 9.0, 8: 1.0}, 30, (6, 8)),    # question tokens are never the answer
    ({5: 5.0}, {3: 9.0, 5: 1.0}, 30, (5, 5)),            # an end before the start is not a span
    ({3: 5.0}, {5: 5.0, 3: 1.0}, 2, (3, 3)),             # longer than max_tokens: cut to what fits
])
def test_best_token_span(starts, ends, max_tokens, expected):
    length = len(SENTENCE_OF)
    assert best_token_span(scores(starts, length), scores(ends, length), SENTENCE_OF, max_tokens) == expected


def test_no_span_without_context_tokens():
    nothing = np.array([-1, -1])
    assert best_token_span(np.ones(2), np.ones(2), nothing, 30) is None


def test_token_sentences_maps_context_tokens_to_their_sentence():
    # "q? | aa bb. cc" : question token, markers, then context tokens by character offsets.
    sequence_ids = [None, 0, None, None, 1, 1, 1, None]
    offsets = [(0, 0), (0, 2), (0, 0), (0, 0), (0, 2), (3, 6), (7, 9), (0, 0)]
    bounds = [(0, 6), (7, 9)]
    assert token_sentences(sequence_ids, offsets, bounds).tolist() == [-1, -1, -1, -1, 0, 0, 1, -1]


# <s> question </s></s> passage </s>, as XLM-R pairs them: ids, sequence ids, offsets.
_PAIR = ([0, 11, 12, 2, 2, 21, 22, 23, 24, 2], [None, 0, 0, None, None, 1, 1, 1, 1, None],
         [(0, 0), (0, 3), (4, 7), (0, 0), (0, 0), (0, 2), (3, 5), (6, 8), (9, 11), (0, 0)])


@pytest.mark.parametrize("max_length, expected_ids, expected_sequences", [
    # Fits: unchanged.
    (10, [0, 11, 12, 2, 2, 21, 22, 23, 24, 2], [None, 0, 0, None, None, 1, 1, 1, 1, None]),
    (20, [0, 11, 12, 2, 2, 21, 22, 23, 24, 2], [None, 0, 0, None, None, 1, 1, 1, 1, None]),
    # The passage loses its last tokens; the closing marker stays.
    (8, [0, 11, 12, 2, 2, 21, 22, 2], [None, 0, 0, None, None, 1, 1, None]),
    (7, [0, 11, 12, 2, 2, 21, 2], [None, 0, 0, None, None, 1, None]),
    # Not even one passage token fits.
    (5, [0, 11, 12, 2, 2], [None, 0, 0, None, None]),
])
def test_fit_length_cuts_the_passage_end(max_length, expected_ids, expected_sequences):
    ids, sequences, offsets = fit_length(*_PAIR, max_length)
    assert ids == expected_ids and sequences == expected_sequences
    assert len(offsets) == len(ids) and offsets[-1] == (0, 0) and offsets[:len(ids) - 1] == _PAIR[2][:len(ids) - 1]


@pytest.mark.parametrize("text, expected", [
    ("کاظم جلالی", "کاظم جلالی"),
    (" کاظم جلالی، ", "کاظم جلالی"),                      # space and Persian comma at the edges
    ("\u200cمسکو.", "مسکو"),                              # ZWNJ and a full stop
    ("«پیمان مشارکت راهبردی»", "«پیمان مشارکت راهبردی»"),  # quotes belong to a title
    ("۲۸ دی‌ماه ۱۴۰۳؟", "۲۸ دی‌ماه ۱۴۰۳"),                  # digits stay, the question mark goes
    ("، .", ""),                                         # nothing left
    ("", ""),
])
def test_trim_span(text, expected):
    start, end = trim_span(text, 0, len(text))
    assert text[start:end] == expected


@pytest.mark.parametrize("text, span, expected", [
    ("نزدیک به پانصد سال فرمان راندند", "صد سال", "پانصد سال"),   # cut at the start
    ("به خواندن سرودهای مذهبی پرداخت", "سرود", "سرودهای"),          # cut at the end
    ("رئیس جمهوری اسلامی ایران گفت", "ان", "ایران"),
    ("به خواندن سرود‌های مذهبی پرداخت", "سرود", "سرود"),             # a ZWNJ ends a word part
    ("ماون در سال۲۰۱۴ به مدار مریخ رسید", "۲۰۱۴", "۲۰۱۴"),          # a digit run into a word
    ("در ۴۸ کیلومتری شهر", "۴۸ کیلومتر", "۴۸ کیلومتری"),
    ("کاظم جلالی گفت", "کاظم جلالی", "کاظم جلالی"),                 # whole words stay
    ("ایران", "ایران", "ایران"),
])
def test_widen_to_words(text, span, expected):
    start = text.index(span)
    widened = widen_to_words(text, start, start + len(span))
    assert text[widened[0]:widened[1]] == expected


FOUNDATION = "کارشناسان بنیاد آمریکایی «دفاع از دموکراسی‌ها» گفتند"


@pytest.mark.parametrize("text, span, expected", [
    # a quote opened in the span takes in its closing half...
    (FOUNDATION, "بنیاد آمریکایی «دفاع از دموکراسی‌ها", "بنیاد آمریکایی «دفاع از دموکراسی‌ها»"),
    (FOUNDATION, "«دفاع", "«دفاع از دموکراسی‌ها»"),
    # ...and a quote closed in it its opening half
    (FOUNDATION, "دموکراسی‌ها»", "«دفاع از دموکراسی‌ها»"),
    (FOUNDATION, "«دفاع از دموکراسی‌ها»", "«دفاع از دموکراسی‌ها»"),    # balanced: as it is
    (FOUNDATION, "بنیاد آمریکایی", "بنیاد آمریکایی"),
    # the other half past the end of the sentence: the span stops before the quote
    ("او گفت «ما آماده‌ایم. همه چیز» را", "گفت «ما آماده‌ایم", "گفت"),
    ("«ما آماده‌ایم. همه چیز» را گفت", "همه چیز» را", "را"),
    ("«ما", "«ما", "ما"),
    ("", "", ""),
])
def test_balance_quotes(text, span, expected):
    start = text.index(span)
    balanced = balance_quotes(text, start, start + len(span))
    assert text[balanced[0]:balanced[1]] == expected


def test_the_trained_reader_ships_with_its_record():
    assert reader_available(), "qa/models/reader-e5-small.safetensors is missing: run bench/train_reader.py"
    # The package may carry at most 30 MB of weights.
    assert READER_WEIGHTS.stat().st_size <= 30_000_000
    info = json.loads(READER_WEIGHTS.with_suffix(".json").read_text(encoding="utf-8"))
    assert info["split_seed"] == 13 and info["train_fraction"] == 0.8 and info["max_length"] > 0
    assert info["held_out_gold_paragraph"]["f1"] > 0.5


def test_without_trained_weights_the_rules_answer(seed_data, tmp_path, monkeypatch):
    import qa.reader
    from qa.assistant import Assistant
    from qa.config import Settings
    from qa.short_answer import best_span

    monkeypatch.setattr(qa.reader, "READER_WEIGHTS", tmp_path / "missing.safetensors")
    assistant = Assistant(Settings(data_dir=seed_data, index_dir=tmp_path / "index"))
    assert assistant.prepare_short_answers() == "rules (no trained reader)"
    assert assistant.span_finder is best_span


def test_rules_when_asked_for(seed_data, tmp_path):
    from qa.assistant import Assistant
    from qa.config import Settings
    from qa.short_answer import best_span

    assistant = Assistant(Settings(data_dir=seed_data, index_dir=tmp_path / "index", short_answer="rules"))
    assert assistant.prepare_short_answers() == "rules" and assistant.span_finder is best_span


@pytest.mark.parametrize("environment, expected", [
    ({}, "reader"),
    ({"QA_SHORT_ANSWER": "rules"}, "rules"),
    ({"QA_SHORT_ANSWER": "reader"}, "reader"),
])
def test_short_answer_setting(environment, expected):
    from qa.config import Settings

    assert Settings.from_env(environment).short_answer == expected


def test_unknown_short_answer_method_is_refused():
    from qa.config import Settings

    with pytest.raises(ValueError, match="QA_SHORT_ANSWER must be one of reader, rules"):
        Settings.from_env({"QA_SHORT_ANSWER": "llm"})


@pytest.mark.model
def test_reader_export_is_made_once_and_reused():
    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.reader import ensure_reader

    prepared = ensure_model(Settings.from_env().model_cache)
    first = ensure_reader(prepared)
    modified = first.stat().st_mtime_ns
    assert ensure_reader(prepared) == first and first.stat().st_mtime_ns == modified
    assert not list(prepared.root.glob("reader-*.tmp-*"))


@pytest.mark.model
@pytest.mark.parametrize("question, sentences, expected", [
    ("سفیر جمهوری اسلامی ایران در روسیه کیست؟",
     ["کاظم جلالی، سفیر جمهوری اسلامی ایران در روسیه، در این دیدار گفت که روابط دو کشور رو به گسترش است."],
     "کاظم جلالی"),
    ("پزشکیان چه روزی وارد مسکو شد؟",
     ["رئیس‌جمهور در سفر دو روزه خود با پوتین دیدار می‌کند.", "پزشکیان روز جمعه ۲۸ دی‌ماه وارد مسکو شد."],
     "۲۸ دی"),
    ("Who is Iran's ambassador to Russia?",
     ["کاظم جلالی، سفیر جمهوری اسلامی ایران در روسیه، در این دیدار گفت که روابط دو کشور رو به گسترش است."],
     "جلالی"),
    # Asked with whom the prime minister met, not the prime minister's own
    # name (which the reader rates first here).
    # (the sentences as the assistant gives them: the third sentence's
    # speaker, named in another, written before it).
    ("نخستوزیر روسیه با چه کسی دیدار کرد؟",
     ["نخستوزیر روسیه روز جمعه در دیدار با رئیس جمهوری اسلامی ایران که در سفری رسمی به مسکو سفر کرده "
      "است، خطاب به دکتر پزشکیان گفت: سفر شما به مسکو، تاریخی است.",
      "به گزارش ایکنا به نقل از پایگاه اطلاعرسانی دولت، مسعود پزشکیان، رئیس جمهور، عصر امروز دوشنبه در دیدار "
      "میخائیل میشوتسین، نخستوزیر روسیه تبادل هیئتهای دیپلماتیک میان ایران و روسیه را موجب توسعه تعاملات و "
      "ارتباطات دو کشور و همچنین تقویت همکاریها در راستای تسریع در اجرای توافقات عنوان کرد و افزود: معتقدیم "
      "اگر پروژههای مهم مشترک ایران و روسیه به مرحله اجرا برسند، ظرفیتهای بزرگی در زمینه مقابله با "
      "تحریمهای ظالمانه برای دو کشور ایجاد خواهند کرد.",
      "میخائیل میشوتسین، نخستوزیر روسیه همچنین بر ضرورت گسترش همکاریها میان ایران و روسیه در راستای تحقق "
      "نظم نوین جهانی به نفع همه کشورهای جهان تأکید کرد و خطاب به رئیسجمهور گفت: ما منتظر حضور شما در "
      "روسیه برای شرکت در اجلاس بریکس و همچنین امضای موافقتنامه جامع راهبردی میان دو کشور هستیم."],
     "رئیس جمهوری اسلامی ایران"),
])
def test_trained_reader_points_at_the_answer(question, sentences, expected, trained_reader):

    reader = trained_reader
    position, span = reader.find_span(question, sentences)
    text = sentences[position][span.start:span.end]
    assert expected in text and len(text.split()) <= 6, text


# The sentences the assistant gave "On what date did Pezeshkian meet Putin
# during his trip to China?", best first.
_CHINA_SENTENCES = [
    "به گزارش تابناک به نقل از پایگاه اطلاع رسانی ریاست جمهوری، مسعود پزشکیان شامگاه دوشنبه ۱۰ شهریور ۱۴۰۴، "
    "در ادامه برنامههای دومین روز سفر به چین، در دیدار آقای «ولادیمیر پوتین» رئیس جمهور روسیه، ضمن ابراز "
    "خرسندی از فرصت ایجاد شده برای این دیدار و رایزنی اظهار داشت: روند مستمر تعاملات با روسیه برای ما بسیار "
    "باارزش است.",
    "نخستوزیر روسیه روز جمعه در دیدار با رئیس جمهوری اسلامی ایران که در سفری رسمی به مسکو سفر کرده است، "
    "خطاب به دکتر پزشکیان گفت: سفر شما به مسکو، تاریخی است.",
    "مسعود پزشکیان امروز ۲۸ دی ماه ۱۴۰۳ پشت میزی در کرملین مینشیند که آن سوی دیگرش ولادیمیر پوتین قرار دارد.",
]


@pytest.mark.model
def test_the_reader_tells_sentences_that_answer_from_sentences_that_do_not(trained_reader):
    from qa.parameters import DEFAULT_ANSWER

    reader = trained_reader
    # the article's sentence on trade between the two: it gives no figure
    sentences = ["ولادیمیر پوتین با اشاره به افزایش قابل توجه حجم مبادله متقابل کالا میان دو کشور در ماههای "
                 "اخیر اظهار داشت: تداوم اجرای موافقتنامه تجارت آزاد میان ایران و اتحادیه اقتصادی اوراسیا، نقش "
                 "قابل توجهی در افزایش بیش از پیش حجم همکاریهای میان ایران و روسیه خواهد داشت."]
    unanswered = reader.no_answer_margin("حجم تجارت ایران و روسیه در سال گذشته چند میلیارد دلار بود؟", sentences)
    answered = reader.no_answer_margin("کدام موافقتنامه نقش قابل توجهی در افزایش همکاری‌ها خواهد داشت؟", sentences)
    assert unanswered < DEFAULT_ANSWER.min_reader_margin < answered
    assert reader.no_answer_margin("کی؟", []) == float("inf")  # nothing to read: no verdict


@pytest.mark.model
def test_a_name_the_question_gives_is_no_answer(trained_reader):
    from qa.types import BridgedQuestion

    reader = trained_reader
    sentences = ["به گزارش تابناک، مسعود پزشکیان شامگاه دوشنبه در ادامه برنامههای دومین روز سفر به چین، در "
                 "دیدار آقای «ولادیمیر پوتین» رئیس جمهور روسیه، اظهار داشت: روند مستمر تعاملات با روسیه برای ما "
                 "بسیار باارزش است."]
    question = "Whom did Pezeshkian meet in China?"
    concepts = ((search_key("پزشکیان"),), (search_key("دیدار"),), (search_key("چین"),))
    names = (search_key("پزشکیان"),)
    # without the names: the one the question names
    position, span = reader.find_span(question, sentences, bridged=BridgedQuestion(concepts))
    assert "پزشکیان" in sentences[position][span.start:span.end]
    position, span = reader.find_span(question, sentences, bridged=BridgedQuestion(concepts, names=names))
    assert "پوتین" in sentences[position][span.start:span.end]
    # Arabic: the reader saw nothing but Pezeshkian; no answer rather than him
    assert reader.find_span("من التقى بزشكيان في الصين؟", sentences,
                            bridged=BridgedQuestion(concepts, names=names)) is None


@pytest.mark.parametrize("text, start, end, expected", [
    ("مسعود پزشکیان گفت", 0, 13, True),    # holds the name
    ("مسعود پزشکیان گفت", 0, 5, True),     # the first name, right before it
    ("دکتر پزشکیان گفت", 0, 4, True),      # an honorific, right before it
    ("پزشکیان رئیس جمهور", 8, 18, False),  # after it: the title asked for
    ("پوتین، پزشکیان", 0, 5, False),       # a comma between: another name
    ("پوتین", 0, 5, False),
])
def test_gives_name(text, start, end, expected):
    assert gives_name(text, start, end, frozenset({search_key("پزشکیان")})) is expected


@pytest.mark.model
def test_an_english_question_prefers_the_reader_s_span_in_an_earlier_sentence():
    """The reader cannot align "China" with «چین» and rates the third
    sentence's date higher; the sentences' order (by meaning and the bridge)
    knows better unless the reader is much surer."""
    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.reader import ReaderSettings, SpanReader, ensure_reader

    prepared = ensure_model(Settings.from_env().model_cache)
    settings = ReaderSettings.for_weights(READER_WEIGHTS)
    question = "On what date did Pezeshkian meet Putin during his trip to China?"

    def answer(reader):
        position, span = reader.find_span(question, _CHINA_SENTENCES)
        return _CHINA_SENTENCES[position][span.start:span.end]

    assert "۱۰ شهریور" in answer(SpanReader(prepared, ensure_reader(prepared), settings))
    assert "۲۸ دی" in answer(SpanReader(prepared, ensure_reader(prepared), settings, later_sentence_penalty=0.0))


# Sentences the assistant gave "Who is Iran's ambassador to Russia?": neither
# names the ambassador, and the reader rated the president's name first.
_PRESIDENT_SENTENCES = [
    "دکتر مسعود پزشکیان روز گذشته در دیدار آقای «ولادیمیر پوتین» رئیسجمهوری فدراسیون روسیه، تاکید بر توسعه "
    "همکاریهای مشترک بین دو کشور گفت: ارتباط ما با روسیه صمیمانه و راهبردی است.",
    "به گزارش ایرنا، دکتر مسعود پزشکیان رئیس جمهوری اسلامی ایران و ولادیمیر پوتین رئیسجمهور روسیه روز جمعه "
    "۲۰ مهرماه ۱۴۰۳ برای نخستین بار با یکدیگر دیدار کردند.",
]


@pytest.mark.model
@pytest.mark.parametrize("question", [
    "Who is Iran's ambassador to Russia?",
    "من هو السفير الإيراني في روسيا؟",
    "سفیر ایران در روسیه کیست؟",
])
def test_trained_reader_names_no_holder_of_another_office(question, trained_reader):
    """A name given another office in any sentence read is no answer to who
    holds the asked office; with no other name, no short answer."""
    reader = trained_reader
    found = reader.find_span(question, _PRESIDENT_SENTENCES)
    assert found is None, _PRESIDENT_SENTENCES[found[0]][found[1].start:found[1].end]


@pytest.mark.model
def test_reader_shares_the_embedders_tokenizer_and_cuts_long_passages(bundled_embedder, trained_reader):
    """One copy of XLM-R's 250,000-piece tokenizer (290 MB) per process; a
    passage longer than the reader's input is cut at its end, not refused."""
    reader = trained_reader
    if bundled_embedder.backend.startswith("onnx"):
        assert reader._tokenizer is bundled_embedder._tokenizer
    answer = "کاظم جلالی، سفیر جمهوری اسلامی ایران در روسیه، در این دیدار گفت که روابط دو کشور رو به گسترش است."
    filler = "این جمله درباره موضوع دیگری است و پاسخ پرسش را در بر ندارد. " * 60
    position, span = reader.find_span("سفیر جمهوری اسلامی ایران در روسیه کیست؟", [answer, filler])
    assert position == 0 and "جلالی" in answer[span.start:span.end]
    # The tokenizer's own settings were never changed (the embedder counts full lengths).
    assert reader._tokenizer.truncation is None and reader._tokenizer.padding is None
