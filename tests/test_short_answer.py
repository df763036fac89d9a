"""The short-answer extractor, table-driven: (question, sentence, expected span)."""

import pytest
from conftest import found_text

from qa.evaluation import exact_match, token_f1
from qa.short_answer import (asked_office_owner, asks_description, asks_who_is, beside_asked_office, best_span, clauses, holds_other_office,
                              office_fits, describing_complement, fits_kind, follows_place_preposition, follows_word,
                              office_owners, owner_noun, question_keys, question_shape, reader_question, repeats_question,
                              sentence_words, split_question_word, trim_to_kind)
from qa.text import search_key
from qa.yes_no import is_yes_no, yes_no_clause

CASES = [
    # date, the month written with «ماه» apart or together, Persian digits
    ("پزشکیان کی وارد مسکو شد؟", "مسعود پزشکیان امروز ۲۸ دی ماه ۱۴۰۳ وارد مسکو شد و با پوتین دیدار کرد.",
     "امروز ۲۸ دی ماه ۱۴۰۳"),
    ("پزشکیان چه تاریخی به مسکو رفت؟", "پزشکیان روز جمعه ۲۸ دیماه ۱۴۰۳ به مسکو رفت.", "روز جمعه ۲۸ دیماه ۱۴۰۳"),
    # place: after «در», aligned with the words around «کجا»
    ("اجلاس بریکس کجا برگزار شد؟", "اجلاس سران بریکس در سال ۲۰۲۴ در کازان برگزار شد.", "کازان"),
    # the noun after «کدام» names the kind, the answer follows it, in quotes
    ("بازی‌ها در کدام شهر برگزار شد؟", "بازی‌ها در شهر «ریو دو ژانیرو» در کشور برزیل برگزار شد.", "ریو دو ژانیرو"),
    # number with its unit; Latin digits in the text
    ("حجم مبادلات تجاری دو کشور چقدر است؟", "حجم مبادلات تجاری دو کشور به 4 میلیارد دلار رسید.", "4 میلیارد دلار"),
    # person after a title
    ("چه کسی ریاست هیئت ایرانی را بر عهده داشت؟", "ریاست هیئت ایرانی را دکتر علی احمدی بر عهده داشت.",
     "دکتر علی احمدی"),
    # Arabic ي/ك and no ZWNJ in the question still meet the sentence's words
    ("رئيس‌جمهور كي وارد مسكو شد؟", "رئیسجمهور دیروز ۲۸ دی ماه وارد مسکو شد.", "دیروز ۲۸ دی ماه"),
]


@pytest.mark.parametrize("question, sentence, expected", CASES)
def test_short_answer_spans(question, sentence, expected):
    found = best_span(question, [sentence])
    assert found is not None
    position, span = found
    assert position == 0 and sentence[span.start:span.end] == expected


@pytest.mark.parametrize("question, sentences", [
    ("", ["پزشکیان وارد مسکو شد."]),                        # empty question
    ("xyz qwerty", ["پزشکیان وارد مسکو شد."]),               # no question word shared with the sentence
    ("پزشکیان کی وارد مسکو شد؟", ["پزشکیان وارد مسکو شد."]),  # "when", and no date in the sentence
    ("پزشکیان کی وارد مسکو شد؟", []),
])
def test_no_short_answer(question, sentences):
    assert best_span(question, sentences) is None


def test_a_later_sentence_answers_when_the_first_cannot():
    found = best_span("پزشکیان کی وارد مسکو شد؟", ["پزشکیان وارد مسکو شد.", "پزشکیان ۲۸ دی ماه وارد مسکو شد."])
    assert found is not None and found[0] == 1


@pytest.mark.parametrize("question, kind, head", [
    ("سفیر ایران در روسیه کیست؟", "person", None),
    ("نورالدین کیانوری متولد چه سالی است؟", "date", "سال"),
    ("مسی مقابل کدام تیم هت‌تریک کرد؟", "other", "تیم"),
    ("ماسوله در چند کیلومتری رشت است؟", "number", None),
    ("When did Pezeshkian arrive in Moscow?", "date", None),
    ("In which city did Pezeshkian pay tribute?", "place", None),
    # a capital is a place: its event's place may be written in the next sentence
    ("پزشکیان و پوتین نخستین بار در کدام پایتخت دیدار کردند؟", "place", "پایتخت"),
    ("In which capital did Pezeshkian and Putin first meet?", "place", None),
    ("پزشکیان در مسکو", None, None),
    # Arabic questions, Arabic ي/ك and أ/ة as typed
    ("متى وصل بزشكيان إلى موسكو؟", "date", None),
    ("كم عدد الدول التي أكدت حضورها في قمة قازان؟", "number", None),
    ("أين تعقد قمة بريكس؟", "place", None),
    ("في أي مدينة تعقد قمة بريكس؟", "place", None),
    ("من هو سفير إيران في روسيا؟", "person", None),
    # As search keys, Arabic question words are Persian words («أين» → «این»,
    # «كم» → «کم», «من»): in a Persian question they ask nothing.
    ("این سفر کم هزینه بود", None, None),
    ("من و پزشکیان در مسکو بودیم", None, None),
    ("این کشور کجاست؟", "place", None),
    # the question word joined to the next by a ZWNJ, or to «در» without a space
    ("اولین قلعه ایران توسط چه\u200cکسی ساخته شد؟", "person", "کسی"),
    ("اولین قلعه ایران توسط چهکسی ساخته شد؟", "person", "کسی"),
    ("درچه تاریخی بهار وزیر فرهنگ شد؟", "date", "تاریخ"),
    ("رودخانه درکدام قسمت شهر مریوان است؟", "other", "قسمت"),
    # colloquial and variant question words
    ("موسس شرکت تویوتا کیه؟", "person", None),
    ("اکسید مغناطیسی آهن چیه؟", "other", None),
    ("مرودشت کجای ایران قرار دارد؟", "place", None),
    ("در کدامین سال منتشر شد؟", "date", "سال"),
    ("انواع جداسازی مواد کدام\u200cاند؟", "other", None),
    # words that only open like a question word ask nothing
    ("چهار نفر در چهره\u200cها", None, None),
    ("کیهان و کیان", None, None),
])
def test_question_shape(question, kind, head):
    shape = question_shape(question)
    assert (shape.kind, shape.head) == (kind, head)


@pytest.mark.parametrize("question, expected", [
    ("سفیر ایران کیست؟", ["سفیر", "ایران", "کیست"]),
    ("سفیر ایران کیه؟", ["سفیر", "ایران", "کیست"]),
    ("چه\u200cکسی گفت؟", ["چه", "کسی", "گفت"]),
    ("درچه سالی؟", ["در", "چه", "سالی"]),
    ("چهار چهره", ["چهار", "چهره"]),
    ("رئيس جمهور كيه", ["رییس", "جمهور", "کیست"]),
    ("", []),
])
def test_question_keys(question, expected):
    assert question_keys(question) == expected


@pytest.mark.parametrize("word, expected", [
    ("چه\u200cکسی", ["چه", "کسی"]),
    ("چهکسی", ["چه", "کسی"]),
    ("درچه", ["در", "چه"]),
    ("در\u200cکدام", ["در", "کدام"]),
    ("چهار", ["چهار"]),
    ("چهره", ["چهره"]),
    ("کیست", ["کیست"]),
    ("", [""]),
])
def test_split_question_word(word, expected):
    assert split_question_word(word) == expected


@pytest.mark.parametrize("question, expected", [
    ("أين تعقد قمة بريكس؟", "کجا أين تعقد قمة بريكس؟"),
    ("من هو سفير إيران لدى روسيا؟", "چه کسی من هو سفير إيران لدى روسيا؟"),
    ("كم عدد الدول التي حضرت؟", "چند كم عدد الدول التي حضرت؟"),
    # no kind to name, an English or a Persian question: as asked
    ("ما هو الاتحاد الاقتصادي؟", "ما هو الاتحاد الاقتصادي؟"),
    ("When did Pezeshkian arrive in Moscow?", "When did Pezeshkian arrive in Moscow?"),
    ("اجلاس بریکس کجا برگزار می‌شود؟", "اجلاس بریکس کجا برگزار می‌شود؟"),
    ("", ""),
])
def test_reader_question(question, expected):
    assert reader_question(question) == expected


@pytest.mark.parametrize("question, concepts, expected", [
    # an English question is read with its words as the articles write them
    ("Whom did Pezeshkian meet in China?", ("پزشکیان", "دیدار", "چین"),
     "Whom did Pezeshkian meet in China? پزشکیان دیدار چین"),
    ("Whom did Pezeshkian meet in China?", (), "Whom did Pezeshkian meet in China?"),
    # an Arabic one with its Persian question word only (the concepts measured no better)
    ("أين تعقد قمة بريكس؟", ("بریکس",), "کجا أين تعقد قمة بريكس؟"),
    # a Persian question has its own words
    ("پزشکیان در چین با چه کسی دیدار کرد؟", ("پزشکیان",), "پزشکیان در چین با چه کسی دیدار کرد؟"),
])
def test_reader_question_with_concepts(question, concepts, expected):
    assert reader_question(question, concepts) == expected


def test_words_keep_offsets_and_drop_edge_punctuation():
    text = "«ریو دو ژانیرو»، برزیل."
    assert [text[w.start:w.end] for w in sentence_words(text)] == ["ریو", "دو", "ژانیرو", "برزیل"]
    assert sentence_words("") == [] and sentence_words(" ؟! ") == []


@pytest.mark.parametrize("prediction, gold, f1, exact", [
    ("۲۸ دی ماه ۱۴۰۳", "28 دی ماه 1403", 1.0, True),           # digit forms
    ("رئیس‌جمهور", "رئيسجمهور", 1.0, True),                   # ZWNJ and Arabic ي
    ("«ریو دو ژانیرو»", "ریو دو ژانیرو", 1.0, True),           # punctuation
    ("شهر ریو", "ریو دو ژانیرو", 0.4, False),
    ("", "کازان", 0.0, False),
    ("کازان", "", 0.0, False),
])
def test_token_f1_and_exact_match(prediction, gold, f1, exact):
    assert token_f1(prediction, gold) == pytest.approx(f1)
    assert exact_match(prediction, gold) == exact


@pytest.fixture(scope="module")
def hash_index(tmp_path_factory):
    from tests.conftest import DATA, open_hash_index

    index, _, _ = open_hash_index(DATA, tmp_path_factory.mktemp("substance"))
    yield index
    index.close()


@pytest.mark.parametrize("question, expected", [
    ("xyz", False),                                    # gibberish, one word
    ("asdfgh qwerty", False),                          # gibberish, two words
    ("😀😀😀", False),                                  # emoji only
    ("؟؟!! ...", False),                               # punctuation only
    ("", False),
    ("چیست؟", False),                                  # a question word and nothing to ask about
    ("کازان", True),                                   # a word of the articles
    ("رئیس‌جمهور", True),                              # with ZWNJ; the articles wrote it without
    ("When did Pezeshkian arrive in Moscow?", True),   # asks something; the evidence decides
    ("what is xyz?", True),                            # asks something; without its bridge, the evidence decides
    # English words that name no topic: nothing is asked (they were answered
    # with a cited sentence, evidence 0.79–0.82 over the 0.758 threshold)
    ("who said?", False),
    ("what is it?", False),
    ("who is he?", False),
    ("Who said that?", False),
])
def test_questions_without_substance(hash_index, question, expected):
    from qa.answer import has_substance

    assert has_substance(question, hash_index) is expected


@pytest.mark.parametrize("question, expected", [
    ("When did Pezeshkian arrive in Moscow?", True),
    ("Who is Putin?", True),
    ("what is xyz?", False),                           # names nothing the articles write
    ("Who is the president of France?", False),        # a name the articles never write
    ("How do I install Python on Windows?", False),    # "Python" sounds like «پوتین», Windows like nothing
    ("متى وصل بزشكيان إلى موسكو؟", True),
    ("ما هي أفضل وصفة للكبسة؟", False),
    # half of what it names («جمعیت», «ساخت») never written in the articles
    ("What is the population of Moscow?", False),
    ("When was the Kremlin built?", False),
    ("كم عدد سكان موسكو؟", False),
    # one glossary word the articles never write among several they do
    ("In which city did Pezeshkian pay tribute at the Tomb of the Unknown Soldier?", True),
    # "first" («نخستینبار») says in which order, not what about
    ("When did the first man land on the moon?", False),
    ("Where did Pezeshkian and Putin first meet?", True),
])
def test_english_and_arabic_questions_without_substance(hash_index, question, expected):
    from qa.answer import has_substance
    from qa.bridge import Bridge
    from qa.text import question_language

    bridged = Bridge(hash_index.vocabulary()).read(question, question_language(question))
    assert has_substance(question, hash_index, bridged) is expected


@pytest.mark.parametrize("kind, text, fits", [
    ("date", "روز جمعه ۲۸ دیماه", True),
    ("date", "۲۸ دی‌ماه ۱۴۰۳", True),
    ("date", "١٤٠٣", True),                        # Arabic-Indic digits
    ("date", "ولادیمیر پوتین", False),             # «کی» read as "who": not a date
    ("number", "۴ میلیارد دلار", True),
    ("number", "سی کشور", True),
    ("number", "کازان", False),
    ("person", "کاظم جلالی", True),
    ("person", "نخست وزیر این کشور", True),         # an ordinal in a title is no date
    ("person", "۲۸ دی ماه", False),
    ("person", "سال ۲۰۲۴", False),
    ("place", "در کازان", True),
    ("other", "پیمان مشارکت راهبردی", True),
    (None, "هر چیز", True),
    ("date", "", False),
    ("other", "، .", False),
])
def test_fits_kind(kind, text, fits):
    assert fits_kind(kind, text) is fits


@pytest.mark.parametrize("text, span, follows", [
    ("این دیدار در عشقآباد پایتخت ترکمنستان انجام شد.", "عشقآباد", True),
    # an apposition after a place word is not the place asked for
    ("این دیدار در عشقآباد پایتخت ترکمنستان انجام شد.", "ترکمنستان", False),
    ("این دیدار در حاشیه همایش بینالمللی انجام شد.", "بینالمللی", False),
    ("پزشکیان به مسکو سفر کرد.", "مسکو", True),
    # «در» joined to nothing, a ZWNJ'd word, Arabic ي/ك in the sentence
    ("سفر رسمي به كازان‌روسیه", "كازان‌روسیه", True),
    ("مسکو", "مسکو", False),                         # nothing before it
    # «به گفته ...», «به عنوان ...»: what follows «به» there is no place
    ("به گفته نایب رئیس شورای فدراسیون، عربستان تصمیم نگرفته است.", "گفته نایب رئیس", False),
    ("ایران به عنوان شریک کلیدی", "عنوان شریک", False),
    ("", "", False),
])
def test_follows_place_preposition(text, span, follows):
    assert follows_place_preposition(text, text.index(span)) is follows


@pytest.mark.parametrize("kind, text, expected", [
    ("date", "مسعود پزشکیان رئیسجمهور جمعه ۲۸ دیماه ۱۴۰۳", "جمعه ۲۸ دیماه ۱۴۰۳"),
    ("date", "۵ تا ۲۱ اوت ۲۰۱۶ در ریو", "۵ تا ۲۱ اوت ۲۰۱۶"),
    ("number", "بیش از ۴ میلیارد دلار", "۴ میلیارد دلار"),
    ("number", "٣٠ کشور", "٣٠"),                  # Arabic-Indic digits; «کشور» is not a unit
    ("number", "سه سال کار", "سه سال"),            # a count keeps its time unit
    ("date", "هفته گذشته", "هفته گذشته"),          # no date word: kept whole
    ("person", "کاظم جلالی ۵۰ ساله", "کاظم جلالی ۵۰ ساله"),  # other kinds: kept whole
    ("date", "", ""),
])
def test_trim_to_kind(kind, text, expected):
    start, end = trim_to_kind(kind, text)
    assert text[start:end] == expected


@pytest.mark.parametrize("sentence, expected", [
    ("سفیر ایران گفت: این توافقنامه آماده امضا است که طبق نظر رؤسای جمهور دو کشور، زمان آن تعیین خواهد شد.",
     ["سفیر ایران گفت", "این توافقنامه آماده امضا است", "طبق نظر رؤسای جمهور دو کشور", "زمان آن تعیین خواهد شد"]),
    # list items (fewer than three words) stay with their neighbours
    ("ایران، روسیه، برزیل، چین و هند اعضای گروه بریکس هستند.", ["ایران، روسیه، برزیل، چین و هند اعضای گروه بریکس هستند"]),
    ("وی گفت: بله.", ["وی گفت", "بله"]),               # a quote starts after the colon
    ("سفر شما به مسکو، تاریخی است.", ["سفر شما به مسکو، تاریخی است"]),  # a short last piece joins the one before
    ("پزشکیان وارد مسکو شد؛ پوتین از او استقبال کرد.", ["پزشکیان وارد مسکو شد", "پوتین از او استقبال کرد"]),
    ("", []),
])
def test_clauses(sentence, expected):
    assert [sentence[span.start:span.end] for span in clauses(sentence)] == expected


@pytest.mark.parametrize("question, sentences, expected", [
    # the clause that restates the question («... اینکه آیا ...») asks; the one after «گفت:» answers
    ("آیا توافقنامه جامع همکاری‌های بلندمدت ایران و روسیه آماده امضا است؟",
     ["سفیر ایران در پاسخ به پرسشی مبنی بر اینکه آیا توافقنامه جامع همکاریهای بلندمدت دو کشور امضا خواهد شد، "
      "گفت: این توافقنامه آماده امضا است که زمان آن تعیین خواهد شد."],
     "این توافقنامه آماده امضا است"),
    # ZWNJ and Arabic ك in the question; the predicate («رشد») must be in the clause
    ("آيا تعداد سفرهای گردشگری رشد داشته است؟",
     ["پوتین گفت: حجم تجارت بالا رفته است، تعداد سفرهای گردشگری نیز رشد خوبی داشته است."],
     "تعداد سفرهای گردشگری نیز رشد خوبی داشته است"),
    # the first sentence is the better evidence: a later one must hold clearly more
    ("آیا پوتین پزشکیان را به اجلاس بریکس دعوت کرد؟",
     ["پوتین پزشکیان را به اجلاس بریکس دعوت کرد.", "پوتین گفت: پزشکیان به اجلاس بریکس دعوت شد."],
     "پوتین پزشکیان را به اجلاس بریکس دعوت کرد"),
    # asked without «آیا»: the first word counts too
    ("پزشکیان به مسکو رفت؟",
     ["وزیر خارجه به مسکو رفت، اما پزشکیان به مسکو رفت و با پوتین دیدار کرد."],
     "اما پزشکیان به مسکو رفت و با پوتین دیدار کرد"),
])
def test_yes_no_clause(question, sentences, expected):
    assert is_yes_no(question)
    position, span = yes_no_clause(question, sentences)
    assert sentences[position][span.start:span.end] == expected


@pytest.mark.parametrize("question, sentences", [
    ("آیا پزشکیان به پکن رفت؟", ["پزشکیان وارد مسکو شد."]),   # no clause holds the predicate
    ("آیا؟", ["پزشکیان وارد مسکو شد."]),                       # nothing asked
    ("آیا پزشکیان به مسکو رفت؟", []),
])
def test_no_yes_no_clause(question, sentences):
    assert yes_no_clause(question, sentences) is None


ASHGABAT = ("به گزارش ایرنا، پزشکیان و پوتین روز جمعه برای نخستین بار با یکدیگر دیدار کردند، این دیدار در "
            "حاشیه همایش بینالمللی در عشقآباد پایتخت ترکمنستان انجام شد.")


@pytest.mark.parametrize("concepts, sentences, expected", [
    # an English or Arabic question's concepts stand for its words; the last (the place) must be there
    ((("پزشکیان",), ("دیدار", "ملاقات"), ("پوتین",), ("عشقآباد",)), [ASHGABAT],
     "این دیدار در حاشیه همایش بینالمللی در عشقآباد پایتخت ترکمنستان انجام شد"),
    ((("پزشکیان",), ("دیدار", "ملاقات"), ("پوتین",), ("پکن",)), [ASHGABAT], None),
    ((), [ASHGABAT], None),
])
def test_yes_no_clause_of_a_bridged_question(concepts, sentences, expected):
    from qa.types import BridgedQuestion

    keys = tuple(tuple(search_key(word) for word in group) for group in concepts)
    found = yes_no_clause("Did Pezeshkian meet Putin in Ashgabat?", sentences, BridgedQuestion(keys))
    assert found_text(sentences, found) == expected


@pytest.mark.parametrize("question, expected", [
    ("آیا پزشکیان به مسکو رفت؟", True),
    ("آيا پزشكيان به مسكو رفت؟", True),         # Arabic ي/ك
    ("پزشکیان آیا به مسکو رفت؟", False),        # «آیا» opens the question
    # no question word at all: asked as a statement
    ("توافقنامه جامع آماده امضا است؟", True),
    ("پزشکیان به مسکو رفت?", True),
    ("پزشکیان کی به مسکو رفت؟", False),
    ("کشورهای عضو را نام ببرید؟", False),         # tells what to do
    ("باچی تنیس بازی می کنن؟", False),            # «چی» run into «با»
    ("انواع پروتئین‌های که در کبد ساخته می شود؟", False),  # a noun and its relative clause: a list
    ("چندتا کشور عضو بریکس هستند؟", False),
    ("هزینه ساخت سریال پیامبرچقدر بود؟", False),     # «چقدر» run into the word before
    ("شش زبان سازمان ملل چیستند؟", False),
    ("پزشکیان کجاست؟", False),
    ("توافقنامه جامع آماده امضا است", False),     # no question mark
    # English: an auxiliary first; Arabic: «هل» first
    ("Is the agreement ready?", True),
    ("Did Pezeshkian meet Putin in Ashgabat?", True),
    ("Where did Pezeshkian meet Putin?", False),
    ("هل التقى بزشكيان بوتين في عشق آباد؟", True),
    ("أين التقى بزشكيان بوتين؟", False),
    ("", False),
])
def test_is_yes_no(question, expected):
    assert is_yes_no(question) is expected


@pytest.mark.parametrize("question, sentences, expected", [
    ("به گفته پزشکیان ارتباط ایران با روسیه چگونه است؟",
     ["پزشکیان گفت: ارتباط ما با روسیه صمیمانه و راهبردی است."], "صمیمانه و راهبردی"),
    ("پزشکیان سازمان همکاری شانگهای را چگونه توصیف کرد؟",
     ["پزشکیان گفت: نهادهای بین‌المللی، چون شانگهای بستر مناسبی برای پیشبرد ایده چند جانبه‌گرایی هستند."],
     "بستر مناسبی برای پیشبرد ایده چند جانبه‌گرایی"),
    # a stopword at the complement's start is left out; the clause sharing more words wins
    ("وضعیت سفرهای گردشگری چطور است؟",
     ["پوتین گفت: وضعیت اقتصاد خوب است، اما تعداد سفرهای گردشگری نیز رشد خوبی داشته است."], "رشد خوبی داشته"),
    # a quote in a later sentence; «سفر کرده است» is a tense, not a description
    ("نخست‌وزیر روسیه سفر پزشکیان به مسکو را چگونه توصیف کرد؟",
     ["نخست‌وزیر روسیه که در سفری رسمی به مسکو سفر کرده است، گفت: سفر شما به مسکو، تاریخی است."], "تاریخی"),
])
def test_describing_complement(question, sentences, expected):
    position, span = describing_complement(question, sentences)
    assert sentences[position][span.start:span.end] == expected


@pytest.mark.parametrize("question, sentences", [
    ("پزشکیان چگونه به مسکو رفت؟", ["وی گفت: پزشکیان با هواپیما به مسکو رفت."]),  # "how" of manner: the reader's
    ("ارتباط ایران با روسیه چگونه است؟", ["وی گفت: ارتباط ما با روسیه است."]),  # nothing before the copula
    ("ارتباط ایران با روسیه چگونه است؟", ["پزشکیان گفت: هوا سرد است."]),  # no shared word
    ("ارتباط ایران با روسیه چگونه است؟", ["ارتباط ما با روسیه صمیمانه است."]),  # not in a quote: the reader's
    ("", []),
])
def test_no_describing_complement(question, sentences):
    assert describing_complement(question, sentences) is None


@pytest.mark.parametrize("question, text, expected", [
    ("چه کسی در دوشنبه از رئیس‌جمهور ایران استقبال کرد؟", "رئیسجمهور", True),   # ZWNJ dropped
    ("چه کسی در دوشنبه از رئیس‌جمهور ایران استقبال کرد؟", "جمهور", True),
    ("چه کسی در دوشنبه از رئیس جمهور ایران استقبال کرد؟", "رئیسجمهور", True),    # a space in the question
    ("چه کسی در دوشنبه از رئیس‌جمهور ایران استقبال کرد؟", "نخست وزیر", False),
    ("پزشكيان كجا رفت؟", "پزشکیان", True),                                        # Arabic ي/ك
    ("پزشکیان کجا رفت؟", "", False),
])
def test_repeats_question(question, text, expected):
    assert repeats_question(question, text) is expected


@pytest.mark.parametrize("question, expected", [
    ("ارتباط ایران با روسیه چگونه است؟", True),
    ("پزشکیان سازمان شانگهای را چگونه توصیف کرد؟", True),
    ("رابطه دو کشور چطور بود؟", True),
    ("پزشکیان چگونه به مسکو رفت؟", False),      # how of manner
    ("ارتباط ایران با روسیه چیست؟", False),
    ("", False),
])
def test_asks_description(question, expected):
    assert asks_description(question) is expected


@pytest.mark.parametrize("question, expected", [
    ("سفیر ایران در روسیه کیست؟", True),
    ("سفیر ایران در روسیه کیه؟", True),               # colloquial
    ("Who is Iran's ambassador to Russia?", True),
    ("من هو سفير إيران في روسيا؟", True),
    ("چه کسی با پزشکیان دیدار کرد؟", False),
    ("چه کسی گفت سفر شما به مسکو تاریخی است؟", False),
    ("", False),
])
def test_asks_who_is(question, expected):
    assert asks_who_is(question) is expected


_MEETING = "مسعود پزشکیان، رئیس جمهور، عصر امروز در دیدار میخائیل میشوتسین، نخستوزیر روسیه، گفت"


@pytest.mark.parametrize("question, text, span, expected", [
    # the office the question names is set beside the name, after a comma ...
    ("نخستوزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "میخائیل میشوتسین", True),
    ("نخست وزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "میخائیل میشوتسین", True),     # a space in the office
    ("نخست‌وزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "میخائیل میشوتسین", True),     # ZWNJ
    ("چه کسی با رئیس‌جمهور دیدار کرد؟", _MEETING, "مسعود پزشکیان", True),
    # ... or written right before it
    ("نخست وزیر روسیه با چه کسی دیدار کرد؟", "نخستوزیر روسیه میخائیل میشوتسین گفت", "میخائیل میشوتسین", True),
    ("نخست وزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "مسعود پزشکیان", False),       # another office
    ("چه کسی با نخست وزیر روسیه دیدار کرد؟", _MEETING, "مسعود پزشکیان", False),
    ("چه کسی با وزیر دیدار کرد؟", _MEETING, "مسعود پزشکیان", False),               # «وزیر» is not «نخستوزیر»
    # the holder of the office is what these ask for
    ("نخست وزیر روسیه کیست؟", _MEETING, "میخائیل میشوتسین", False),
    ("چه کسی نخست وزیر روسیه است؟", _MEETING, "میخائیل میشوتسین", False),
    # offices named in English and Arabic are the Persian offices
    ("Who met the prime minister of Russia?", _MEETING, "میخائیل میشوتسین", True),
    ("Whom did the Russian prime minister meet?", _MEETING, "میخائیل میشوتسین", True),
    ("من التقى رئيس الوزراء الروسي؟", _MEETING, "میخائیل میشوتسین", True),
    ("Who met the prime minister of Russia?", _MEETING, "مسعود پزشکیان", False),
    ("", _MEETING, "میخائیل میشوتسین", False),
])
def test_beside_asked_office(question, text, span, expected):
    start = text.index(span)
    assert beside_asked_office(question, text, start, start + len(span)) is expected


_DEPUTY = "به گفته سرگئی ریابکوف معاون وزیر امور خارجه روسیه، سران بیش از ۳۰ کشور حضور خود را تأیید کرده‌اند."


@pytest.mark.parametrize("question, text, span, expected", [
    ("وزیر خارجه روسیه کیست؟", _DEPUTY, "سرگئی ریابکوف", True),              # the deputy, not the minister
    ("وزیر خارجه روسیه کیست؟", _DEPUTY, "سرگئی ریابکوف معاون وزیر امور", True),  # the other office inside the span
    ("معاون وزیر امور خارجه روسیه کیست؟", _DEPUTY, "سرگئی ریابکوف", False),
    ("رئیس جمهور روسیه کیست؟", "ولادیمیر پوتین رئیسجمهور روسیه گفت", "ولادیمیر پوتین", False),
    ("سفیر ایران در روسیه کیه؟", "مسعود پزشکیان رئیس جمهوری اسلامی ایران گفت", "مسعود پزشکیان", True),
    ("سفیر ایران در روسیه کیست؟", "مسعود پزشکیان و ولادیمیر پوتین دیدار کردند", "مسعود پزشکیان", False),
    ("چه کسی با وزیر دیدار کرد؟", _DEPUTY, "سرگئی ریابکوف", False),           # not a who-is question
    ("Who is the foreign minister of Russia?", _DEPUTY, "سرگئی ریابکوف", True),
    ("Who is the deputy foreign minister of Russia?", _DEPUTY, "سرگئی ریابکوف", False),
    ("Who is Iran's ambassador to Russia?", "مسعود پزشکیان رئیس جمهوری اسلامی ایران گفت", "مسعود پزشکیان", True),
    ("من هو السفير الإيراني في روسيا؟", "مسعود پزشکیان رئیس جمهوری اسلامی ایران گفت", "مسعود پزشکیان", True),
    ("من هو رئيس وزراء روسيا؟", "مسعود پزشکیان رئیس جمهوری اسلامی ایران گفت", "مسعود پزشکیان", True),
    ("من هو رئيس وزراء روسيا؟", _MEETING, "میخائیل میشوتسین", False),
    ("Who is the president of Russia?", "ولادیمیر پوتین رئیسجمهور روسیه گفت", "ولادیمیر پوتین", False),
    # a span that is an office itself: another one, or the one asked about
    ("Who is the Russian prime minister?", "مسعود پزشکیان و ولادیمیر پوتین رؤسای جمهور دو کشور گفتند",
     "رؤسای جمهور", True),
    ("سفیر ایران در روسیه کیست؟", "سفیر ایران کاظم جلالی گفت", "سفیر ایران کاظم جلالی", False),
    # a plural office: two presidents, not the ambassador
    ("سفیر ایران در روسیه کیست؟", "دکتر مسعود پزشکیان و ولادیمیر پوتین رؤسای جمهور دو کشور گفتند",
     "مسعود پزشکیان", True),
])
def test_holds_other_office(question, text, span, expected):
    start = text.index(span)
    assert holds_other_office(question, text, start, start + len(span)) is expected


@pytest.mark.parametrize("question, expected", [
    ("سفیر روسیه در تهران کیست؟", "روسیه"),
    ("سفیر ایران در روسیه کیست؟", "ایران"),
    ("سفیر جمهوری اسلامی ایران در روسیه کیست؟", "ایران"),  # the state's full name between
    ("رئیس‌جمهور روسیه کیست؟", "روسیه"),
    ("Who is Russia's ambassador to Iran?", "روسیه"),
    ("Who is the ambassador of Iran to Russia?", "ایران"),
    ("Who is the president of Russia?", "روسیه"),
    ("من هو سفير روسيا لدى إيران؟", "روسیه"),
    ("من هو سفير إيران لدى روسيا؟", "ایران"),
    ("رئیس مرکز مطالعات خاورمیانه روسیه کیست؟", None),  # a centre's head: no country's office
    ("سفیر کیست؟", None),                                # no country named
    ("پزشکیان با سفیر روسیه دیدار کرد؟", None),          # no who-is question
    ("", None),
])
def test_asked_office_owner(question, expected):
    assert asked_office_owner(question) == expected


@pytest.mark.parametrize("office, sentence, expected", [
    ("سفیر", "مسکو- ایرنا- سفیر جمهوری اسلامی ایران در فدراسیون روسیه گفت", ["ایران"]),
    ("رییس", "ولادیمیر پوتین رئیسجمهور روسیه و مسعود پزشکیان رئیس جمهوری اسلامی ایران", ["روسیه", "ایران"]),
    ("نخستوزیر", "میخائیل میشوتسین نخست وزیر روسیه گفت", ["روسیه"]),  # spaced or joined
    ("وزیر", "سرگئی ریابکوف معاون وزیر امور خارجه روسیه گفت", []),       # the deputy's office
    ("سفیر", "سفیر گفت: این سفر تاریخی است", []),                      # no country after it
    ("سفیر", "", []),
])
def test_office_owners(office, sentence, expected):
    assert office_owners(office, sentence) == expected


_TRIPS = "معاون اجرایی رئیس جمهوری از استان خوزستان به عنوان مقصد سفر استانی بعدی دولت نام برد."


@pytest.mark.parametrize("question, sentence, span, expected", [
    # who holds the office: the name before the office, right after it, or in a sentence without it
    ("سفیر ایران در روسیه کیست؟", "کاظم جلالی، مسکو- ایرنا- سفیر ایران در روسیه گفت", "کاظم جلالی", True),
    ("سفیر ایران در روسیه کیست؟", "سفیر ایران در روسیه کاظم جلالی گفت", "کاظم جلالی", True),
    ("رهبر حزب کیست؟", "هیتلر در سال ۱۹۲۱ رهبر حزب شد", "هیتلر", True),
    ("سفیر ایران در روسیه کیست؟", "کاظم جلالی روز جمعه افزود", "کاظم جلالی", True),
    ("معاون اجرایی رئیس جمهوری کیست؟", _TRIPS, "خوزستان", False),           # a place after the office
    ("معاون اجرایی رئیس جمهوری کیست؟", _TRIPS, "استان خوزستان", False),
    ("معاون اجرایی رئیس جمهوری کیست؟", _TRIPS, "رئیس جمهوری از استان خوزستان", False),
    ("وزیر خارجه روسیه کیست؟", _DEPUTY, "سرگئی ریابکوف", False),             # another office
    ("نخستوزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "میخائیل میشوتسین", False),  # the one who met
    ("نخستوزیر روسیه با چه کسی دیدار کرد؟", _MEETING, "مسعود پزشکیان", True),
    ("چه کسی گفت این توافق آماده است؟", _TRIPS, "خوزستان", True),            # no office asked about
])
def test_office_fits(question, sentence, span, expected):
    start = sentence.index(span)
    assert office_fits(question, sentence, start, start + len(span)) is expected


@pytest.mark.parametrize("question, others, expected", [
    # another sentence read with it gives the name another office
    ("سفیر ایران در روسیه کیست؟", ["دکتر مسعود پزشکیان رئیس جمهوری اسلامی ایران به مسکو رفت"], False),
    ("Who is Iran's ambassador to Russia?", ["دکتر مسعود پزشکیان رئیس جمهوری اسلامی ایران به مسکو رفت"], False),
    # the same office, no office, or no other sentence
    ("رئیس جمهور ایران کیست؟", ["دکتر مسعود پزشکیان رئیس جمهوری اسلامی ایران به مسکو رفت"], True),
    ("سفیر ایران در روسیه کیست؟", ["پزشکیان به مسکو رفت"], True),
    ("سفیر ایران در روسیه کیست؟", [], True),
])
def test_office_fits_reads_the_other_sentences(question, others, expected):
    sentence = "دکتر مسعود پزشکیان روز گذشته در دیدار آقای پوتین گفت"
    start = sentence.index("مسعود پزشکیان")
    assert office_fits(question, sentence, start, start + len("مسعود پزشکیان"), others=others) is expected


@pytest.mark.parametrize("question, noun", [
    # «چه کسی» where the owner's name goes, after a noun after a preposition
    ("پزشکیان در مسکو به یادبود چه کسانی ادای احترام کرد؟", "یادبود"),
    ("پزشکیان به دعوت چه‌کسی به مسکو رفت؟", "دعوت"),               # typed joined
    ("این شاعر تحت تاثیر چه کسي شعر سرود؟", "تاثیر"),                  # Arabic ي
    # the subject, a title asked about, an object, a date: no owner
    ("برنابا چه کسی را به همراه خود برد؟", None),
    ("پزشکیان در سفر چه کسی را دید؟", None),                         # «چه کسی را»: the object
    ("رئیس‌جمهور برزیل چه کسی است؟", None),
    ("در سال ۱۹۳۱ چه کسی طرحی ریخت؟", None),
    ("پزشکیان با چه کسی دیدار کرد؟", None),                          # the preposition itself
    ("به یادبود چه کسانی است؟", None),
    ("چه کسی؟", None),
    ("", None),
])
def test_owner_noun(question, noun):
    assert owner_noun(question) == (search_key(noun) if noun else None)


@pytest.mark.parametrize("text, span, key, follows", [
    ("با حضور در محل بنای یادبود سرباز گمنام روسیه", "سرباز گمنام", "یادبود", True),
    ("به خاطره سربازان روس", "سربازان روس", "یادبود", False),
    ("بنای یادبود، سرباز گمنام", "سرباز گمنام", "یادبود", False),      # a comma between
    ("یادبود‌سرباز", "سرباز", "یادبود", True),                           # ZWNJ
    ("سرباز", "سرباز", "یادبود", False),
    # more than 40 characters before the noun: the word's offsets are the text's
    ("مسعود پزشکیان رئیس جمهوری اسلامی ایران روز جمعه در آغاز سفر رسمی خود به مسکو با حضور در محل بنای یادبود "
     "سرباز گمنام روسیه", "سرباز گمنام", "یادبود", True),
])
def test_follows_word(text, span, key, follows):
    assert follows_word(text, text.index(span), search_key(key)) is follows
