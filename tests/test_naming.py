"""The name after the noun a "which" question asks by (qa/naming.py)."""

import pytest
from conftest import found_text

from qa.naming import named_after
from qa.text import search_key


def group(text):
    return tuple(search_key(word) for word in text.split())


AIRPORT = (group("فرودگاه"),)
UNION = (group("اتحادیه"), group("اقتصادی"))
FOUNDATION = (group("بنیاد"), group("آمریکا آمریکایی"))
ORGANIZATIONS = (group("سازمان سازمانهای"), group("بینالمللی"))
CENTRE = (group("مرکز"),)
GROUP = (group("گروه"),)


@pytest.mark.parametrize("asked, sentences, expected", [
    # the name right after the noun, up to punctuation or a stopword
    (AIRPORT, ["پزشکیان در بدو ورود به تهران در فرودگاه مهرآباد، بیان کرد: ..."], "مهرآباد"),
    # after the words describing the noun
    (UNION, ["همکاری در قالب اتحادیه اقتصادی اوراسیا نیز زمینهساز تسریع است."], "اوراسیا"),
    # a quoted name whole, stopwords and all
    (FOUNDATION, ["کارشناسان بنیاد آمریکایی «دفاع از دموکراسیها»، سفر را ارزیابی کردند."], "دفاع از دموکراسیها"),
    # a list opened by «از جمله», names joined by «و»
    (ORGANIZATIONS, ["همکاری بر بستر سازمانهای بینالمللی از جمله بریکس و شانگهای را موجب قدرت دانست."],
     "بریکس و شانگهای"),
    # the word before a verb says something of the name
    (CENTRE, ["«مراد صادیقزاد»، رئیس مرکز مطالعات خاورمیانه روسیه معتقد است که ..."],
     "مطالعات خاورمیانه روسیه"),
    # Arabic ي/ك and a ZWNJ in the sentence: matched by search keys, shown as written
    (AIRPORT, ["او در فرودگاه مهر\u200cآباد گفت."], "مهر\u200cآباد"),
    # a plural noun names a list, joined by commas and «و»; a singular one a name
    ((group("بخش بخشهای"),), ["او بر تبادلات در بخشهای انرژی، صنعت، حمل و نقل، کشاورزی و امور فرهنگی تأکید کرد."],
     "انرژی، صنعت، حمل و نقل، کشاورزی و امور فرهنگی"),
    ((group("بخش بخشهای"),), ["او بر تبادلات در بخش انرژی، صنعت و کشاورزی تأکید کرد."], "انرژی"),
    # two nouns joined by «و» share the name after the second
    ((group("جنایات"),), ["او گفت: تشدید جنایات و تنشزایی رژیم صهیونیستی که در حال وقوع است، تهدیدی مشترک است."], "رژیم صهیونیستی"),
    # an office after the name is its holder's, not part of the name
    ((group("سلام سلامهای"), group("گرم")), ["او سلامهای گرم ولادمیر پوتین رئیسجمهور این کشور را ابلاغ کرد."],
     "ولادمیر پوتین"),
    # a title written in two words too («نخست وزیر»; speakers.is_title)
    ((group("سلام سلامهای"), group("گرم")), ["او سلامهای گرم میخائیل میشوتسین نخست وزیر روسیه را ابلاغ کرد."],
     "میخائیل میشوتسین"),
    # a compound verb of two nouns after the name is no part of it
    ((group("تندیس"),), ["پزشکیان به تندیس شاهاسماعیل سامانی ادای احترام کرد."], "شاهاسماعیل سامانی"),
    ((group("تندیس"),), ["او به تندیس فردوسی ادای احترام کرد."], "فردوسی"),
    # nothing named after the noun: a stopword, a comma, the sentence's end
    (GROUP, ["کشور روسیه میزبان اجلاس سران این گروه است."], None),
    (AIRPORT, ["او به فرودگاه، رفت."], None),
    (AIRPORT, ["او به فرودگاه"], None),
    # only the best sentence: a lower one's noun names another thing
    (AIRPORT, ["پزشکیان به تهران بازگشت.", "او در فرودگاه مهرآباد گفت."], None),
    # nothing asked by, no sentence
    ((), ["او در فرودگاه مهرآباد گفت."], None),
    (AIRPORT, [], None),
    (AIRPORT, [""], None),
])
def test_named_after(asked, sentences, expected):
    found = named_after(asked, sentences)
    assert found_text(sentences, found) == expected


def test_a_word_the_question_names_is_not_the_name():
    # "At which airport did Pezeshkian arrive in Tehran?": «تهران» is the question's own word.
    sentence = "او در فرودگاه تهران گفت."
    assert named_after(AIRPORT, [sentence], frozenset({search_key("تهران")})) is None
    found = named_after(AIRPORT, [sentence])
    assert sentence[found[1].start:found[1].end] == "تهران"


CITY = (group("شهر"),)
COUNTRY = (group("کشور کشورها"),)
PLACES = {search_key("شهر"): frozenset(group("مسکو دوشنبه عشقآباد")),
          search_key("کشور"): frozenset(group("روسیه ایران"))}


@pytest.mark.parametrize("asked, sentences, question_words, expected", [
    # no name after «شهر»: the city the best sentence names
    (CITY, ["پزشکیان در آغاز سفر رسمی خود به مسکو ادای احترام کرد."], "", "مسکو"),
    # a city written after «شهر» as ever
    (CITY, ["او در شهر دوشنبه ادای احترام کرد."], "", "دوشنبه"),
    # a known place after the noun before an unknown word after it
    (COUNTRY, ["سران ۳۰ کشور حضور دارند و کشور روسیه میزبان است."], "", "روسیه"),
    # no known place: the word after the noun, as without places
    (COUNTRY, ["سران ۳۰ کشور حضور دارند."], "", "حضور"),
    # a place the question names is not the answer («پس از عشق‌آباد»)
    (CITY, ["پزشکیان پس از عشقآباد به دوشنبه رفت."], "عشقآباد", "دوشنبه"),
    (CITY, ["پزشکیان از عشقآباد بازگشت."], "عشقآباد", None),
    # a country is no city
    (CITY, ["پزشکیان به روسیه رفت."], "", None),
    # only the best sentence
    (CITY, ["پزشکیان ادای احترام کرد.", "او به مسکو رفت."], "", None),
])
def test_named_after_places(asked, sentences, question_words, expected):
    found = named_after(asked, sentences, frozenset(group(question_words)), PLACES)
    assert found_text(sentences, found) == expected
