"""What someone asked another to do (qa/requested.py)."""

import pytest
from conftest import found_text

from qa.requested import asks_request, requested_clause

GREETINGS = ("رئیس جمهور روسیه نیز در این دیدار از دکتر پزشکیان خواست که آرزوهای نیک و سلام او را به رهبر "
             "معظم انقلاب اسلامی تقدیم کند و خاطرنشان کرد: مایلم تاکید کنم که روند روابط رو به رشد است.")
CALLED_FOR = "هنوز ظرفیت‌های بزرگی در دو کشور وجود دارد که ما خواستار فعالسازی آنها هستیم."
MEETING = "پزشکیان و پوتین در عشقآباد دیدار کردند."


@pytest.mark.parametrize("question, expected", [
    ("پوتین از پزشکیان چه خواست؟", True),
    ("پوتین از پزشکیان خواست چه چیزی را به رهبر انقلاب برساند؟", True),
    ("What did Putin ask Pezeshkian to convey to the Leader?", True),
    ("ماذا طلب بوتين من بزشكيان؟", True),
    ("ميشوستين خواستار چه شد؟", True),                            # Arabic ي, Persian question
    ("Who asked Pezeshkian to convey greetings?", False),           # who asked, not what
    ("پوتین چه گفت؟", False),
    ("", False),
])
def test_asks_request(question, expected):
    assert asks_request(question) is expected


@pytest.mark.parametrize("question, sentences, expected", [
    # the clause after «خواست که», up to «و خاطرنشان کرد»
    ("پوتین از پزشکیان چه خواست؟", [GREETINGS],
     "آرزوهای نیک و سلام او را به رهبر معظم انقلاب اسلامی تقدیم کند"),
    # the question names the action: only what it is done to, before «را»
    ("پوتین از پزشکیان خواست چه چیزی را به رهبر انقلاب برساند؟", [GREETINGS], "آرزوهای نیک و سلام او"),
    ("What did Putin ask Pezeshkian to convey to the Leader?", [GREETINGS], "آرزوهای نیک و سلام او"),
    ("What did Putin ask Pezeshkian to do?", [GREETINGS],
     "آرزوهای نیک و سلام او را به رهبر معظم انقلاب اسلامی تقدیم کند"),
    # «خواستار ... هستیم»: what is called for
    ("میشوتسین خواستار چه شد؟", [CALLED_FOR], "فعالسازی آنها"),
    # the best sentence that writes a request
    ("پوتین از پزشکیان چه خواست؟", [MEETING, GREETINGS],
     "آرزوهای نیک و سلام او را به رهبر معظم انقلاب اسلامی تقدیم کند"),
    # none writes one, or the question asks none
    ("پوتین از پزشکیان چه خواست؟", [MEETING], None),
    ("پوتین چه گفت؟", [GREETINGS], None),
    ("پوتین از پزشکیان چه خواست؟", [], None),
    ("پوتین از پزشکیان چه خواست؟", [""], None),
])
def test_requested_clause(question, sentences, expected):
    found = requested_clause(question, sentences)
    assert found_text(sentences, found) == expected
