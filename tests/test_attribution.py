"""The outlet a sentence credits, for "which agency reported ...?" (qa/attribution.py)."""

import pytest
from conftest import found_text

from qa.attribution import asks_outlet, credited_outlet

IRNA = "به گزارش ایرنا، دکتر مسعود پزشکیان و ولادیمیر پوتین برای نخستین بار با یکدیگر دیدار کردند."
TABNAK = ("به گزارش تابناک به نقل از پایگاه اطلاع رسانی ریاست جمهوری، مسعود پزشکیان در ادامه سفر خود "
          "به چین با پوتین دیدار کرد.")
DATELINE = "مسکو- ایرنا- سفیر جمهوری اسلامی ایران در فدراسیون روسیه با اشاره به دیدار روز جمعه گفت: ..."
MEETING = "پزشکیان و پوتین در عشقآباد دیدار کردند."


@pytest.mark.parametrize("question, expected", [
    ("کدام خبرگزاری نخستین دیدار پزشکیان و پوتین را گزارش کرد؟", True),
    ("کدام رسانه خبر دیدار را گزارش داد؟", True),
    ("Which news agency reported the first meeting of Pezeshkian and Putin?", True),
    ("أي وكالة أنباء ذكرت أول لقاء بين بزشكيان وبوتين؟", True),
    ("كدام خبرگزاري ديدار را گزارش كرد؟", True),                       # Arabic ي/ك
    ("Which news agency's reporter did Kazem Jalali talk to?", False),  # an agency, no reporting
    ("پزشکیان درباره سفر چه گزارشی داد؟", False),                       # reporting, no outlet
    ("پزشکیان و پوتین کجا دیدار کردند؟", False),
    ("", False),
])
def test_asks_outlet(question, expected):
    assert asks_outlet(question) is expected


QUESTION = "کدام خبرگزاری این دیدار را گزارش کرد؟"


@pytest.mark.parametrize("sentences, expected", [
    ([IRNA], "ایرنا"),
    # the outlet that reported, not the one it quotes
    ([TABNAK], "تابناک"),
    # a dateline: the place, then the outlet
    ([DATELINE], "ایرنا"),
    # the best sentence that credits one
    ([MEETING, IRNA], "ایرنا"),
    # written with a ZWNJ and Arabic ي: shown as written
    (["به گزارش خبرگزاری\u200cهای ايرنا، پوتین گفت: ..."], "خبرگزاری\u200cهای ايرنا"),
    # no credit: «گزارش‌ها» is no «به گزارش», a long clause no outlet's name
    ([MEETING], None),
    (["گزارش‌ها نشان می‌دهد که دیدار انجام شد."], None),
    (["به گزارش رسیده از منابع آگاه در وزارت امور خارجه کشور، دیدار انجام شد."], None),
    ([], None),
    ([""], None),
])
def test_credited_outlet(sentences, expected):
    found = credited_outlet(QUESTION, sentences)
    assert found_text(sentences, found) == expected


def test_a_question_that_asks_no_outlet_gets_none():
    assert credited_outlet("پزشکیان و پوتین کجا دیدار کردند؟", [IRNA]) is None
