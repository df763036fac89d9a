"""Follow-up questions, rewritten into questions that stand on their own.

"او درباره تحریم‌ها چه گفت؟" after "پزشکیان کی به مسکو رفت؟" is asked as
"پزشکیان درباره تحریم‌ها چه گفت؟": the pronoun gives way to the entity it
points to, and nothing else of the earlier question comes along (pasting the
whole earlier question made it dominate retrieval, so follow-ups got the
previous answer again). The rules, in order:

1. A pronoun («او», «وی», «ایشان», «آنها», he/she/they...) is replaced by the
   latest person of the conversation: the short answer of a "who" question,
   or a subject that is not a thing (dropped when there is none). A
   demonstrative phrase («این همایش») becomes the thing answered ("which
   همایش?" → its name), or the earlier subject for a country, meeting or
   agreement.
2. «و X؟» / "and X?" / "what about X?" with no question word swaps X for the
   subject of the earlier question ("و روسیه؟" after "ایران چه سهمی از بازار
   گاز دارد؟" → "روسیه چه سهمی از بازار گاز دارد؟").
3. A short question made of a question phrase ("چه ایالتی؟", "کی؟") replaces
   the question phrase of the earlier question.
4. Any other question with too few words of its own gets the earlier subject
   in front.

The subject of a question is its opening run of words, up to the first
preposition, question word or «را». Matching uses search keys (ZWNJ, Arabic
letters and digit forms do not matter); the rewrite keeps the user's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .short_answer import WHO_IS_WORDS, asks_who_is, question_keys, question_shape, split_question_word
from .text import ENGLISH_FUNCTION_WORDS, content_words, search_key

_QUESTION_WORDS = {search_key(w) for w in (
    "چه", "چی", "چطور", "چگونه", "کی", "کجا", "کجاست", "کدام", "کدوم", "چند", "چندم", "چرا", "آیا", "کیست",
    "چیست", "کیه", "چیه", "what", "when", "where", "who", "whom", "which", "how", "why", "whose")}
# Question words followed by the noun they ask about: "چه ایالتی", "کدام شهر", "how many".
_WITH_NOUN = {search_key(w) for w in ("چه", "کدام", "کدوم", "چند", "which", "what", "how")}
_PERSON_PRONOUNS = {search_key(w) for w in (
    "او", "وی", "ایشان", "اون", "آنها", "آن‌ها", "آنان", "اونها", "he", "she", "they", "him", "her", "them",
    "his", "their")}
_DEMONSTRATIVES = {search_key(w) for w in ("این", "آن", "همین", "همان", "this", "that")}
_DEMONSTRATED = {search_key(w) for w in (
    "کشور", "شهر", "پیمان", "توافق", "توافقنامه", "قرارداد", "سند", "سفر", "نشست", "اجلاس", "دیدار", "مقام",
    "شخص", "فرد", "سازمان", "گروه", "طرح", "پروژه", "همایش", "کنفرانس", "country", "city", "treaty", "agreement",
    "meeting", "trip", "conference")}
# Subjects that are things, not people: «او» does not point to them.
_THINGS = _DEMONSTRATED | {search_key(w) for w in (
    "همایش", "اجلاس", "معاهده", "پیمان", "توافقنامه", "موافقتنامه", "بریکس", "شانگهای", "گاز", "نفت", "تحریم",
    "تحریمها", "اعضای", "روابط", "همکاری", "همکاریهای")}
# Where a question's subject ends.
_BOUNDARIES = _QUESTION_WORDS | {search_key(w) for w in (
    "در", "به", "از", "با", "برای", "درباره", "دربارهٔ", "تا", "را", "که", "چگونه", "بر", "طی", "نزد", "میان",
    "بین", "پس", "پیش", "is", "was", "did", "does",
    "do", "in", "at", "on", "of", "to", "for", "with", "about")}
_AUXILIARIES = {"did", "does", "do", "is", "was", "are", "were", "will", "can", "has", "have", "had"}
_FUNCTION_WORDS = {search_key(w) for w in (
    "است", "هست", "بود", "که", "را", "در", "به", "از", "با", "برای", "این", "آن", "شد", "کرد", "می", "is", "was",
    "the", "of", "in", "to")}
_LEADING_AND = {search_key(w) for w in ("و", "and", "also")}
_WHAT_ABOUT = re.compile(r"^\s*(what about|how about|چطور|چی)\s+", re.IGNORECASE)
_TRAILING = "؟?!.،,؛;:"
# Words a follow-up leans on the conversation with, rather than adds to it.
_LEANING = _QUESTION_WORDS | _PERSON_PRONOUNS | _DEMONSTRATIVES | _LEADING_AND | _AUXILIARIES | {
    search_key(w) for w in ("about", "چطور", "چی", "کسی", "کسانی")}
_WHO_OPENINGS = [[search_key("چه"), search_key("کسی")], [search_key("چه"), search_key("کسانی")]]
_WHO_FIRST = {"who", "whom", "من"}


@dataclass(frozen=True)
class Turn:
    """An earlier turn of a conversation.

    Attributes:
        question: As the user asked it.
        rewritten: The standalone question it was answered as.
        short_answer: The short answer's text ("" when there was none).
    """

    question: str
    rewritten: str = ""
    short_answer: str = ""

    @classmethod
    def of(cls, answer) -> "Turn":
        """Return the turn an :class:`~qa.types.Answer` makes."""
        short = answer.short_answer.text if answer.short_answer else ""
        return cls(answer.question, answer.retrieval_query, short)

    @property
    def standalone(self) -> str:
        """The question as answered (the rewrite when there was one)."""
        return self.rewritten or self.question


def _words(text: str) -> list[str]:
    words: list[str] = []
    for word in text.strip().strip(_TRAILING).split():
        # «چه‌کسی» is the question phrase «چه کسی»: two words here.
        words.extend(split_question_word(word))
    return words


def _keys(words: Sequence[str]) -> list[str]:
    return [search_key(word).strip(_TRAILING) for word in words]


def subject_of(question: str) -> str:
    """Return a question's subject: its opening words up to the first
    preposition, question word or «را» ("" when it opens with one of them).

    Args:
        question: A question.

    Returns:
        The subject, in the question's own words.
    """
    words = _words(question)
    keys = _keys(words)
    if len(keys) > 2 and keys[0] in _QUESTION_WORDS and keys[1] in _AUXILIARIES:
        # English: "When did Pezeshkian arrive ...": the capitalized words after the auxiliary.
        names = []
        for word in words[2:]:
            # A name carried in from an earlier answer is in Persian letters,
            # which have no capitals.
            if not (word[:1].isupper() or not word[:1].isascii()):
                break
            names.append(word)
        return " ".join(names)
    start = 1 if keys and keys[0] in {search_key("آیا")} else 0
    end = start
    while end < len(words) and keys[end] not in _BOUNDARIES:
        end += 1
    # A verb-final question ("روسیه کجاست") has no boundary: keep one word.
    if end == len(words) and end - start > 1:
        end = start + 1
    return " ".join(words[start:end])


def _is_who_question(text: str) -> bool:
    """«X کیست؟», «چه کسی ...؟» (typed «چه‌کسی» too), «X کیه؟», "Who is X?",
    «من هو ...؟»: the person asked for is the question's subject (not so in
    «پزشکیان به تندیس چه کسی ادای احترام کرد؟», whose subject is پزشکیان)."""
    keys = question_keys(text)
    return (bool(keys) and question_shape(text).kind == "person"
            and (keys[-1] in WHO_IS_WORDS or keys[:2] in _WHO_OPENINGS or keys[0] in _WHO_FIRST))


def _role(text: str) -> str:
    """A who-is question without its question words: «سفیر ایران در روسیه»."""
    words = _words(text)
    keys = _keys(words)
    skip = _QUESTION_WORDS | _AUXILIARIES | WHO_IS_WORDS | {search_key("کسی"), "من", "هو", "هي"}
    return " ".join(word for word, key in zip(words, keys) if key not in skip)


def _name_like(text: str) -> bool:
    """Whether a short answer can stand for a person or thing: a few words,
    none of them a verb or a preposition (a rule-made short answer can be
    a piece of a clause: «معتقد است که مسکو»)."""
    keys = _keys(text.split())
    return 0 < len(keys) <= 4 and not any(key in _FUNCTION_WORDS for key in keys)


def _leading_name(text: str) -> str:
    """The name a short answer opens with, up to its first «و», verb or
    preposition: «بریکس و برگزاری نشست مشترک» → «بریکس» ("" when it opens
    with none)."""
    words = text.split()
    keys = _keys(words)
    end = 0
    while end < len(words) and keys[end] not in _FUNCTION_WORDS and keys[end] not in _LEADING_AND:
        end += 1
    return " ".join(words[:end]) if 0 < end <= 4 else ""


def _entity(turn: Turn) -> str:
    """What a pronoun in the next question points to. After a who-question,
    the person asked about by role and, when it looks like a name, by the
    short answer («کاظم جلالی سفیر ایران در روسیه»): the articles name a
    person either way. Otherwise the question's subject."""
    standalone = turn.standalone
    if _is_who_question(standalone):
        name = turn.short_answer if _name_like(turn.short_answer) else ""
        if not asks_who_is(standalone):
            # What follows «چه کسی» is what the person did («گفت سفر ... تاریخی
            # است»): written in place of «او» it made the next question about
            # that again. The person is the answer alone, or unknown.
            return name
        return f"{name} {_role(standalone)}".strip()
    return subject_of(standalone) or " ".join(
        [word for word in content_words(standalone) if word not in ENGLISH_FUNCTION_WORDS][:3])


def _person(history: Sequence[Turn]) -> str:
    """What «او»/"he" points to: the latest entity that is not a thing
    («همایش ...», «پیمان ...»); "" when all are things, and the pronoun is
    dropped rather than replaced by a treaty that would pull back the last
    answer."""
    for turn in reversed(history):
        entity = _entity(turn)
        first = _keys(entity.split()[:1])
        if entity and not (first and (first[0] in _THINGS or first[0] in _DEMONSTRATIVES)):
            return entity
    return ""


def _demonstrated(noun: str, previous: Turn) -> str | None:
    """What «این همایش» points to: after "which همایش?", the همایش answered
    («همایش ...»); otherwise, for a noun naming a country, meeting,
    agreement and the like, that noun of the earlier subject («دیدار پوتین و
    پزشکیان»); None when nothing fits."""
    noun_key = search_key(noun).strip(_TRAILING)
    words = _words(previous.standalone)
    keys = _keys(words)
    phrase = _question_phrase(keys)
    name = _leading_name(previous.short_answer)
    if phrase is not None and phrase[1] - phrase[0] == 2 and name:
        if keys[phrase[1] - 1].startswith(noun_key[:4]):
            return f"{noun} {name}"
    if noun_key in _DEMONSTRATED or noun_key in _THINGS:
        subject = subject_of(previous.standalone) or _entity(previous)
        if not subject:
            return None
        return subject if search_key(subject).startswith(noun_key) else f"{noun} {subject}"
    return None


def _question_phrase(keys: Sequence[str]) -> tuple[int, int] | None:
    for position, key in enumerate(keys):
        if key in _QUESTION_WORDS and key != search_key("آیا"):
            end = position + 2 if key in _WITH_NOUN and position + 1 < len(keys) else position + 1
            return position, end
    return None


def new_words(question: str) -> list[str]:
    """The words a follow-up adds to the conversation: its content words
    other than pronouns, demonstratives, "and" and question words (none for
    «و او؟» or "What about him?"; «xyz» for «او xyz؟»; «Putin» for "And
    Putin?"). The noun of a question phrase comes without the indefinite «ی»
    a question writes it with («با چه هدفی» → «هدف»).

    Args:
        question: A follow-up question.

    Returns:
        The words as the user wrote them, in order.
    """
    words = _words(question)
    keys = _keys(words)
    added = []
    for position, (word, key) in enumerate(zip(words, keys)):
        if key in _LEANING or key in ENGLISH_FUNCTION_WORDS or not content_words(word):
            continue
        if position and keys[position - 1] in _WITH_NOUN and len(key) > 3 and key.endswith("ی"):
            word = word[:-1]
        added.append(word)
    return added


def _with_mark(text: str, question: str) -> str:
    mark = "?" if question.strip().endswith("?") else "؟"
    return text.strip().strip(_TRAILING) + mark


def rewrite_question(question: str, history: Sequence[Turn],
                     knows: Callable[[Sequence[str]], bool] | None = None) -> str:
    """Return ``question`` as a standalone question, given the conversation.

    Args:
        question: The new question.
        history: Earlier turns, oldest first.
        knows: Tells whether the articles write any of some words (see
            :func:`new_words`); when given, a follow-up whose new
            words are all unknown ("xyz", «او qwerty؟») is left as it is, to
            be answered, or not, on its own.

    Returns:
        The rewritten question, or ``question`` itself when it stands alone
        or there is nothing earlier to lean on.
    """
    question = question.strip()
    # Punctuation or a lone ZWNJ asks nothing: it is answered as it is (and
    # abstains), not turned into a question about the earlier subject.
    if not history or not any(ch.isalnum() for ch in question):
        return question
    # Gibberish after an answered question: put in front of the earlier
    # subject ("پزشکیان xyz؟"), the subject alone found its sentences and
    # the answer came out confident. Pure pronoun follow-ups add no words
    # and go on to be rewritten.
    added = new_words(question)
    if knows is not None and added and not knows(added):
        return question
    previous = history[-1]
    words = _words(question)
    keys = _keys(words)
    if not words or all(key in _LEADING_AND for key in keys):
        # «و؟», or «و» five thousand times, names nothing to ask about.
        return question

    # 1. Pronouns and demonstrative phrases.
    replaced, changed, position = [], False, 0
    while position < len(words):
        key = keys[position]
        target = (_demonstrated(words[position + 1], previous)
                  if key in _DEMONSTRATIVES and position + 1 < len(words) else None)
        if target:
            replaced.append(target)
            position += 2
            changed = True
            continue
        if key in _PERSON_PRONOUNS:
            person = _person(history)
            # Named already ("پوتین در دیدار پوتین و پزشکیان او را ..."): the pronoun goes.
            said = search_key(" ".join(replaced + words[position + 1:]))
            if person and search_key(person) not in said:
                replaced.append(person)
            changed = True
        else:
            replaced.append(words[position])
        position += 1
    if changed:
        if replaced and search_key(replaced[0]) in _LEADING_AND:
            replaced = replaced[1:]
        return _with_mark(" ".join(replaced), question)

    what_about = _WHAT_ABOUT.match(question)
    leading_and = keys[0] in _LEADING_AND
    rest_words = words[1:] if leading_and else (_words(question[what_about.end():]) if what_about else words)
    rest_keys = _keys(rest_words)
    has_question_word = _question_phrase(rest_keys) is not None
    earlier = previous.standalone
    earlier_words = _words(earlier)
    earlier_keys = _keys(earlier_words)

    # 2. "و X؟": X takes the place of the earlier subject.
    if (leading_and or what_about) and rest_words and not has_question_word and len(rest_words) <= 4:
        subject = subject_of(earlier)
        if subject:
            size = len(subject.split())
            start = next(i for i in range(len(earlier_words)) if earlier_words[i:i + size] == subject.split())
            swapped = earlier_words[:start] + rest_words + earlier_words[start + size:]
            return _with_mark(" ".join(swapped), question)
        return _with_mark(f"{earlier.strip(_TRAILING)} {' '.join(rest_words)}", question)

    # 3. "چه ایالتی؟": the question phrase of the earlier question gives way.
    phrase = _question_phrase(rest_keys)
    if phrase is not None and phrase[0] == 0 and len(rest_words) <= 3 and len(content_words(" ".join(rest_words))) <= 1:
        earlier_phrase = _question_phrase(earlier_keys)
        if earlier_phrase is not None:
            start, end = earlier_phrase
            swapped = earlier_words[:start] + rest_words + earlier_words[end:]
            return _with_mark(" ".join(swapped), question)
        return _with_mark(f"{earlier.strip(_TRAILING)} {' '.join(rest_words)}", question)

    # 4. Too few words of its own: the earlier subject in front.
    if len(content_words(" ".join(rest_words))) <= 1 or leading_and:
        subject = _entity(previous)
        if subject and search_key(subject) not in search_key(question):
            return _with_mark(f"{subject} {' '.join(rest_words)}", question)
    return question
