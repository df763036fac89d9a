"""The bridge from English and Arabic questions to the articles' Persian words (qa/bridge.py)."""

import pytest

from qa.bridge import GLOSSARY_FILE, Bridge, glossary, places
from qa.text import search_key, search_tokens
from qa.types import BridgedQuestion

# An index's vocabulary as BM25 holds it: search keys of the articles'
# words (ZWNJs lost, as in the seed articles) and joined pairs («پزشکیانو»).
ARTICLE = ("مسعود پزشکیان و ولادیمیر پوتین در مسکو دیدار کردند. میخائیل میشوتسین نخستوزیر روسیه "
           "از تحریمهای آمریکا و همکاریهای ایران گفت. کاظم جلالی سفیر ایران در فرودگاه مهرآباد بود. "
           "تفاهم نامه اقتصادی امضا شد و اتحادیه اقتصادی اوراسیا. خبرنگار ایرنا از عنصر مشترک گفت.")
VOCABULARY = set(search_tokens(ARTICLE))


@pytest.fixture(scope="module")
def bridge():
    return Bridge(VOCABULARY)


def keys(text):
    return tuple(search_key(word) for word in text.split())


@pytest.mark.parametrize("question, expected", [
    # glossary words, a plural taken off, a phrase before its words
    ("Which airport?", [keys("فرودگاه")]),
    ("What about the sanctions?", [keys("تحریمهای")]),
    ("Who is the prime minister of Russia?", [keys("نخستوزیر"), keys("روسیه")]),
    # names by their sound: exact for three consonants, one swap allowed from five
    ("When did Putin arrive?", [keys("پوتین")]),
    ("Who is Mishustin?", [keys("میشوتسین")]),
    ("Pezeshkian met Putin in Moscow", [keys("پزشکیان"), keys("دیدار"), keys("پوتین"), keys("مسکو")]),
    # Persian words in an English question (a follow-up rewritten with the
    # earlier answer's name) are the articles' own
    ("What did کاظم جلالی say?", [keys("کاظم"), keys("جلالی"), keys("کاظمجلالی")]),
    # lower-case words no glossary holds are not names
    ("what is xyz and python?", []),
    ("", []),
])
def test_english_concepts(bridge, question, expected):
    assert list(bridge.read(question, "en").concepts) == expected


@pytest.mark.parametrize("question, absent", [
    ("Who is the president of France?", ("France",)),
    ("How do I install Windows?", ("Windows",)),
    # two consonants say too little to call a name absent
    ("What did Jalali say?", ()),
    ("Who is Putin?", ()),
    # a preposition opening a question has a capital, and names no one
    ("Besides Iran and Russia, which independent country did Pezeshkian mention?", ()),
    # a glossary word with a capital is no name («اسلامی»)
    ("What did Putin ask Pezeshkian to convey to the Leader of the Islamic Revolution?", ()),
])
def test_names_the_articles_never_write_are_absent(bridge, question, absent):
    assert bridge.read(question, "en").absent_names == absent


@pytest.mark.parametrize("question, expected", [
    # Arabic letters unified (ي ك), the article «ال» and a joined «و» / «ب» off
    ("من هو رئيس وزراء روسيا الذي التقى بزشكيان؟",
     [keys("نخستوزیر"), keys("روسیه"), keys("دیدار"), keys("پزشکیان")]),
    ("أين التقى بزشكيان وبوتين؟", [keys("دیدار"), keys("پزشکیان"), keys("پوتین")]),
    # a word the articles write the same way, and a glossary phrase
    ("ما هو الاتحاد الاقتصادي؟", [keys("اتحادیه"), keys("اقتصادی")]),
    ("كم مذكرة تفاهم وقعت؟", [keys("تفاهمنامه"), keys("امضا")]),
    # a four-letter verb («تعقد», "is held") is not read as a name («تاکید»)
    ("أين تعقد قمة؟", []),
    # endings of case and number off for the glossary: the accusative
    # «اجتماعا», the feminine dual «مذكرتين» (a name keeps its ending: «بزشكيان»)
    ("أين عقد بزشكيان اجتماعا؟", [keys("پزشکیان"), keys("دیدار")]),
    ("أين وقعت مذكرتين؟", [keys("امضا"), keys("تفاهمنامه")]),
    # a name Arabic writes in two words and the articles in one («عشق آباد»)
    ("هل كان جلالي في مطار مهر آباد؟", [keys("جلالی"), keys("فرودگاه"), keys("مهرآباد")]),
    ("", []),
])
def test_arabic_concepts(bridge, question, expected):
    assert list(bridge.read(question, "ar").concepts) == expected


@pytest.mark.parametrize("question, language, expected", [
    # the names a question gives, as the index writes them
    ("Whom did Pezeshkian meet in Moscow?", "en", keys("پزشکیان")),
    ("من التقى بزشكيان وبوتين؟", "ar", keys("پزشکیان پوتین")),
    # glossary words are no names
    ("Who is the prime minister of Russia?", "en", ()),
    ("", "en", ()),
])
def test_names_the_question_gives(bridge, question, language, expected):
    assert bridge.read(question, language).names == expected


@pytest.mark.parametrize("question, language, expected", [
    # after "about" (Arabic «عن», «حول»): the topic, not who spoke
    ("What did Iran's ambassador say about the sanctions?", "en", [keys("تحریمهای")]),
    ("What did کاظم جلالی say about sanctions?", "en", [keys("تحریمهای")]),
    ("ماذا قال بوتين عن العقوبات؟", "ar", [keys("تحریمهای")]),
    ("ماذا قال بوتين حول روسيا؟", "ar", [keys("روسیه")]),
    # no "about", or nothing the bridge writes after it
    ("What did Putin say?", "en", []),
    ("What did Putin say about xyz?", "en", []),
    ("What did Putin say about", "en", []),
])
def test_about_concepts(bridge, question, language, expected):
    assert list(bridge.read(question, language).about) == expected


@pytest.mark.parametrize("question, language, expected", [
    # the noun a "which" question asks by, first, then the words describing it
    ("At which airport did Pezeshkian arrive?", "en", [keys("فرودگاه")]),
    ("Which economic union did Pezeshkian mention?", "en", [keys("اتحادیه"), keys("اقتصادی")]),
    # English puts the noun last: up to a possessive, a verb in "-ed", a function word
    ("Which economic union's members met?", "en", [keys("اتحادیه"), keys("اقتصادی")]),
    ("Which economic union signed?", "en", [keys("اتحادیه"), keys("اقتصادی")]),
    # not at its first word: "shared" describes the element asked for
    ("What shared element did the ambassador mention?", "en", [keys("عنصر"), keys("مشترک")]),
    # the owner a possessive asks for is a noun the articles never write:
    # the noun it owns, which Persian writes before the owner («خبرنگار ایرنا»)
    ("Which news agency's reporter did Jalali talk to?", "en", [keys("خبرنگار")]),
    ("في أي مطار وصل بزشكيان؟", "ar", [keys("فرودگاه")]),
    # Arabic puts it first, its adjectives after it in «ي»/«ية»; «ما هو» too
    ("ما هو الاتحاد الاقتصادي الذي ذكره بزشكيان؟", "ar", [keys("اتحادیه"), keys("اقتصادی")]),
    # "what did", "what is": no noun asked by
    ("What did Putin say about the sanctions?", "en", []),
    ("What is the Eurasian Economic Union?", "en", []),
    ("ماذا قال بوتين؟", "ar", []),
    # a noun the glossary cannot write: nothing asked by, not an adjective instead
    ("Which economic xyz did Pezeshkian mention?", "en", []),
    ("Where did Putin go?", "en", []),
])
def test_asked_concepts(bridge, question, language, expected):
    assert list(bridge.read(question, language).asked) == expected


@pytest.mark.parametrize("question, language, absent", [
    # glossary words whose Persian the articles never write
    ("What is the population of Moscow?", "en", ("population",)),
    ("كم عدد سكان موسكو؟", "ar", ("سکان",)),
    # written, or a stopword BM25 leaves out of the index («نخستین» for "first")
    ("When did Putin and Pezeshkian first meet in Moscow?", "en", ()),
    # a lower-case word no glossary holds is not known to be absent
    ("What is the xyz of Moscow?", "en", ()),
    # what a "how many" question counts (it abstains: see qa.answer.has_substance)
    ("How many nuclear power plants does Iran have?", "en", ("nuclear", "power")),  # («هسته‌ای» neither, here)
    ("كم محطة نووية تملك إيران؟", "ar", (search_key("محطة"), search_key("نووية"))),
])
def test_glossary_words_the_articles_never_write_are_absent(bridge, question, language, absent):
    assert bridge.read(question, language).absent_words == absent


@pytest.mark.parametrize("question, language, counted", [
    ("How many nuclear power plants does Iran have?", "en", ("nuclear", "power", "plants")),
    ("How many countries confirmed their attendance at the Kazan summit?", "en", ("countries",)),
    ("how many days did the visit last?", "en", ("days",)),
    ("كم محطة نووية تملك إيران؟", "ar", (search_key("محطة"),)),
    ("كم عدد الدول التي أكدت حضورها؟", "ar", (search_key("الدول"),)),  # «عدد», "number of"
    ("Who is Iran's ambassador to Russia?", "en", ()),                   # counts nothing
    ("", "en", ()),
])
def test_what_a_how_many_question_counts(bridge, question, language, counted):
    assert bridge.read(question, language).counted == counted


def test_tokens_are_the_concepts_once_each():
    bridged = BridgedQuestion(((search_key("کشور"), search_key("کشورها")), (search_key("کشورها"),)))
    assert bridged.tokens == [search_key("کشور"), search_key("کشورها")]


def test_forms_are_the_index_words_with_persian_endings(bridge):
    # «همکاری» is not in the index, «همکاریهای» is; «ایرانی» would be, «ایرانشهر» is not an ending
    assert bridge.forms(search_key("همکاری")) == [search_key("همکاریهای")]
    assert bridge.forms(search_key("تحریم")) == [search_key("تحریمهای")]
    assert bridge.forms(search_key("گردشگری")) == []


def test_the_vowels_choose_among_words_of_one_skeleton():
    # In a large archive many words share "Putin"'s skeleton (btn).
    bridge = Bridge({search_key(word) for word in ("پوتین", "بدن", "بایدن", "ابادان", "بتن")})
    assert bridge.sounding("Putin") == [search_key("پوتین")]
    assert bridge.sounding("بوتين") == [search_key("پوتین")]


def test_joined_pairs_are_not_names(bridge):
    # BM25 indexes «پزشکیان و» as «پزشکیانو»: it sounds like Pezeshkian too
    assert search_key("پزشکیانو") in VOCABULARY
    assert bridge.sounding("Pezeshkian") == [search_key("پزشکیان")]


def test_glossary_file_is_well_formed():
    for number, line in enumerate(GLOSSARY_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        assert len(columns) in (2, 3) and all(column.strip() for column in columns), f"line {number}: {line!r}"
        assert not any(ch.isascii() and ch.isalpha() for ch in "".join(columns[1:])), f"line {number}: {line!r}"
    entries = glossary()
    assert entries[("airport",)] == (search_key("فرودگاه"),)
    assert entries[("prime", "minister")] == keys("نخست وزیر")
    # the kind column is not one of the Persian words
    assert entries[("moscow",)] == (search_key("مسکو"),)


def test_places_by_kind():
    kinds = places()
    assert search_key("مسکو") in kinds[search_key("شهر")]
    assert search_key("عشقآباد") in kinds[search_key("شهر")]
    assert search_key("روسیه") in kinds[search_key("کشور")]
    assert search_key("روسیه") not in kinds[search_key("شهر")]
    # the first Persian word is the place's name («اسرائیل», not «صهیونیستی»)
    assert search_key("صهیونیستی") not in kinds[search_key("کشور")]
