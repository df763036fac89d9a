"""The news outlet a sentence credits, for "which agency reported ...?".

Persian news credits its outlet where a report opens: «به گزارش ایرنا، ...»,
«به گزارش تابناک به نقل از پایگاه اطلاع رسانی ریاست جمهوری، ...», or in a
dateline, «مسکو- ایرنا- ...». Asked which agency reported a meeting, the
reader, trained on encyclopedia questions that never ask it, answered with
the meeting's date or the name of a man at it.
"""

from __future__ import annotations

import re
from typing import Sequence

from .short_answer import question_keys
from .text import search_key
from .types import Span

# A question asks for an outlet when it names one («کدام خبرگزاری», "which
# news agency", «أي وكالة») and reporting («گزارش کرد», "reported», «ذكرت»).
_OUTLET_WORDS = frozenset(search_key(word) for word in (
    "خبرگزاری رسانه رسانهای روزنامه سایت پایگاه شبکه agency outlet newspaper website site media network "
    "وكالة صحيفة موقع قناة").split())
_REPORT_WORDS = frozenset(search_key(word) for word in (
    "گزارش گزارشی خبر reported report reports ذكرت أفادت نقلت أوردت أعلنت").split())
# «به گزارش X،» up to the comma, a colon or «به نقل از» (the outlet X quotes
# is its source, not the one that reported).
_CREDIT = re.compile(r"(?:^|[\s،,])به\s*گزارش\s+([^،,:؛.\n]{2,60}?)\s*(?=[،,:؛]|\s+به\s+نقل\s+از|$)")
# «مسکو- ایرنا- ...»: the place, then the outlet, each followed by a dash.
_DATELINE = re.compile(r"^\s*[^\s\-–]+(?:\s[^\s\-–]+)?\s*[-–]\s*([^\s\-–]+(?:\s[^\s\-–]+)?)\s*[-–]")
_LONGEST_OUTLET = 5


def asks_outlet(question: str) -> bool:
    """Tell whether a question asks which outlet reported something
    («کدام خبرگزاری این خبر را گزارش کرد؟», "Which news agency reported ...?").

    Args:
        question: The question.
    """
    keys = set(question_keys(question))
    return bool(keys & _OUTLET_WORDS) and bool(keys & _REPORT_WORDS)


def credited_outlet(question: str, sentences: Sequence[str]) -> tuple[int, Span] | None:
    """Return the outlet the best sentence that credits one names.

    Args:
        question: The question; only one that asks for an outlet
            (:func:`asks_outlet`) is answered.
        sentences: The answer's sentences, best first.

    Returns:
        (sentence position, span of the outlet's name in it), or None when
        the question asks for no outlet or no sentence credits one.
    """
    if not asks_outlet(question):
        return None
    for position, sentence in enumerate(sentences):
        found = _CREDIT.search(sentence) or _DATELINE.match(sentence)
        if found and len(found.group(1).split()) <= _LONGEST_OUTLET:
            return position, Span(found.start(1), found.end(1))
    return None
