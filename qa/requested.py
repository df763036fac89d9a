"""What someone asked another to do: «X از Y خواست که Z»,
«X خواستار Z شد».

News writes a request as «رئیس جمهور روسیه ... از دکتر پزشکیان خواست که
آرزوهای نیک و سلام او را به رهبر معظم انقلاب اسلامی تقدیم کند». Asked in
English "What did Putin ask Pezeshkian to convey to the Leader ...?", the
reader, which cannot align English words with the sentence, answered «ضمن
دعوت از رئیسجمهوری اسلامی ایران», a phrase of another clause.
"""

from __future__ import annotations

import re
from typing import Sequence

from .short_answer import question_keys
from .text import question_language, search_key
from .types import Span

_ENGLISH_ASK = frozenset({"ask", "asked", "asks", "request", "requested", "urge", "urged"})
_PERSIAN_ASK = frozenset(search_key(word) for word in ("خواست", "خواستند", "خواستار", "درخواست"))
_ARABIC_ASK = frozenset(search_key(word) for word in ("طلب", "طلبت", "دعا", "دعت"))
_WHAT = frozenset(search_key(word) for word in ("what", "چه", "چی", "ماذا", "ما"))
# «خواست که ... کند» up to the clause's end: «و» and a verb of saying
# («... تقدیم کند و خاطرنشان کرد: ...») or punctuation. Both patterns read at
# most 300 characters on, so that a sentence of many «خواستار» and no verb is
# read in linear time.
_ASKED_THAT = re.compile(
    r"خواست(?:ند)?\s+(?:که|تا)\s+(.{1,300}?)(?=\s+و\s+(?:خاطرنشان|افزود|گفت|تصریح|اظهار|تاکید|تأکید)|[.،,:؛!?؟]|$)")
# «خواستار فعالسازی آنها هستیم»: what is called for, before the verb.
_CALLED_FOR = re.compile(r"خواستار\s+(.{1,300}?)\s+(?:شد|شدند|شده|است|هستیم|هستند|بود|بودند|گردید)(?=[\s.،,:؛!?؟]|$)")
_OBJECT_MARKER = re.compile(r"\s+را(?=\s|$)")
_LONGEST_REQUEST = 20


def asks_request(question: str) -> bool:
    """Tell whether a question asks what someone asked of another
    («پوتین از پزشکیان چه خواست؟», "What did Putin ask Pezeshkian to
    convey ...?", «ماذا طلب بوتين من بزشكيان؟»).

    Args:
        question: The question.
    """
    return _asks_request(question_keys(question), question_language(question))


def _asks_request(keys: Sequence[str], language: str) -> bool:
    asking = _ENGLISH_ASK if language == "en" else _ARABIC_ASK if language == "ar" else _PERSIAN_ASK
    return bool(_WHAT & set(keys)) and bool(asking & set(keys))


def requested_clause(question: str, sentences: Sequence[str]) -> tuple[int, Span] | None:
    """Return what the best sentence that writes a request asks for.

    The clause after «خواست که» (or what «خواستار» calls for); when the
    question names the action asked ("to convey", «... را برساند»), only
    the thing it is done to: the clause's object, before «را»
    («آرزوهای نیک و سلام او»).

    Args:
        question: The question; only one that asks for a request
            (:func:`asks_request`) is answered.
        sentences: The answer's sentences, best first.

    Returns:
        (sentence position, span in it), or None when the question asks
        for no request or no sentence writes one.
    """
    keys = question_keys(question)
    language = question_language(question)
    if not _asks_request(keys, language):
        return None
    names_action = _names_action(keys, language)
    for position, sentence in enumerate(sentences):
        found = _ASKED_THAT.search(sentence) or _CALLED_FOR.search(sentence)
        if not found or len(found.group(1).split()) > _LONGEST_REQUEST:
            continue
        start, end = found.start(1), found.end(1)
        marker = _OBJECT_MARKER.search(sentence, start, end) if names_action else None
        return position, Span(start, marker.start() if marker else end)
    return None


def _names_action(keys: Sequence[str], language: str) -> bool:
    """Whether the question names what was to be done, so that it asks for
    its object: "ask X to convey" (not "to do"), «چه چیزی را ... برساند»."""
    if language == "en":
        after_to = [keys[position + 1] for position, key in enumerate(keys[:-1]) if key == "to"]
        return any(verb not in ("do", "be", "the", "a") for verb in after_to)
    return search_key("را") in keys
