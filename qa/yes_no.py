"""Yes/no questions: telling one, and the clause that answers it.

«آیا این توافقنامه آماده امضا است؟», "Is Kazan the centre of Tatarstan?",
«هل التقى بزشكيان بوتين في عشق آباد؟» ask for no name, date or place: the
answer is the clause of the sentences that says so. Given them, the reader,
trained to point at a span, answered "Did Pezeshkian meet Putin in
Ashgabat?" with «بینالمللی».
"""

from __future__ import annotations

from typing import Sequence

from .short_answer import LATER_SENTENCE, clauses, question_keys, question_shape, sentence_words, stop_keys
from .text import question_language, search_key, search_tokens
from .types import BridgedQuestion, Span

# «آیا» opens a Persian yes/no question.
_YES_NO_WORD = search_key("آیا")
# An English yes/no question opens with an auxiliary, an Arabic one with «هل».
_ENGLISH_AUXILIARIES = frozenset({"did", "does", "do", "is", "are", "was", "were", "has", "have", "had", "will",
                                  "can", "could", "would", "should"})
_ARABIC_YES_NO_WORD = search_key("هل")
_CLAUSE_LENGTH = 0.02

# Question words, and how they start when run into other words («چندتا»,
# «چقدره», «کجاست», «کدومش»): a question holding one asks no yes or no.
_INTERROGATIVES = frozenset(search_key(word) for word in (
    "چه", "چی", "چند", "کدام", "کدوم", "کجا", "کی", "کیست", "کیستند", "چیست", "چیستند", "چرا", "چطور", "چگونه",
    "آیا"))
_INTERROGATIVE_ENDS = tuple(search_key(word) for word in ("چی", "چه", "چقدر", "چند", "کجا"))
_RELATIVE = search_key("که")
_INTERROGATIVE_STARTS = tuple(search_key(word) for word in ("چند", "چقدر", "کدام", "کدوم", "کجا", "چگونه", "چطور", "چرا"))


def is_yes_no(question: str) -> bool:
    """Tell whether a question asks yes or no.

    English: one that opens with an auxiliary ("Did ...?", "Is ...?");
    Arabic: one that opens with «هل». Persian:
    «آیا ... ؟», or a Persian question with no question word at all, asked
    as a statement («توافقنامه جامع آماده امضا است؟»). Not one that tells
    what to do («... را نام ببرید؟»), one whose question word is run into
    another word («باچی», «چندتا»), nor a noun with a relative clause,
    which asks for a list («انواع پروتئین‌های که در کبد ساخته می شود؟»).

    Args:
        question: The question.
    """
    words = sentence_words(question)
    if not words:
        return False
    if words[0].key == _YES_NO_WORD:
        return True
    language = question_language(question)
    if language == "en":
        return words[0].key in _ENGLISH_AUXILIARIES
    if language == "ar":
        return words[0].key == _ARABIC_YES_NO_WORD
    if not question.rstrip().endswith(("؟", "?")) or question_shape(question).kind is not None:
        return False
    keys = question_keys(question)
    return not (keys[-1].endswith("ید") or _RELATIVE in keys or any(
        key in _INTERROGATIVES or key.startswith(_INTERROGATIVE_STARTS) or key.endswith(_INTERROGATIVE_ENDS)
        for key in keys))


def yes_no_clause(question: str, sentences: Sequence[str],
                  bridged: BridgedQuestion | None = None) -> tuple[int, Span] | None:
    """Return the clause that answers a yes/no question, or None.

    The answer to «آیا این توافقنامه آماده امضا است؟» is the clause that says
    it («این توافقنامه آماده امضا است»), not a word: the clause of the
    sentences holding most of the question's words, its later words (the
    predicate, which Persian puts last) counting more. A clause that itself
    asks («... مبنی بر اینکه آیا توافقنامه ... امضا خواهد شد») restates the
    question and is passed over. An English or Arabic question's words are
    its bridged concepts, in its order (the detail asked about, "in
    Ashgabat?", comes last there too).

    Args:
        question: A yes/no question (:func:`is_yes_no`).
        sentences: The answer's sentences, best first.
        bridged: An English or Arabic question in the articles' words.

    Returns:
        (sentence position, clause span in it), or None when no clause
        holds the question's last content word.
    """
    # The question's words in order, None for a stopword (it counts in the
    # position, not in the score).
    groups: list[frozenset[str] | None]
    if bridged is not None:
        groups = [frozenset(group) for group in bridged.concepts]
    else:
        stop = stop_keys("fa")
        groups = [None if word.key in stop else frozenset({word.key})
                  for word in sentence_words(question) if word.key != _YES_NO_WORD]
    weights: dict[frozenset[str], float] = {}
    for position, group in enumerate(groups):
        if group is not None:
            weights[group] = max(weights.get(group, 0.0), 1.0 + position / len(groups))
    if not weights:
        return None
    predicate = max(weights, key=weights.get)
    best: tuple[float, int, Span] | None = None
    for position, sentence in enumerate(sentences):
        for clause in clauses(sentence):
            text = sentence[clause.start:clause.end]
            words = sentence_words(text)
            found = {word.key for word in words} | (set(search_tokens(text)) if bridged is not None else set())
            # The predicate, last in a Persian question («... آماده امضا است؟»),
            # is what is asked: a clause without it does not answer.
            if _YES_NO_WORD in found or not predicate & found:
                continue
            score = (sum(weight for group, weight in weights.items() if group & found)
                     - _CLAUSE_LENGTH * len(words) - LATER_SENTENCE * position)
            if best is None or score > best[0]:
                best = (score, position, clause)
    return (best[1], best[2]) if best else None
