"""Who speaks in news sentences, under which names, and what they said.

Persian news names a speaker once by title and once by name, in adjacent
sentences, the second going on with the first one's quote:

    «مسکو- ایرنا- سفیر جمهوری اسلامی ایران در فدراسیون روسیه ... گفت: ...»
    «کاظم جلالی روز جمعه در گفت و گو با خبرنگار ایرنا ... افزود: ...»

"افزود" (added) and "ادامه داد" (went on) tell that the speaker is the one of
the sentence before. "Who is Iran's ambassador to Russia?" is answered by
the first sentence, which holds the title the question repeats, but the name
is only in the second; a reader given the first sentence alone answers with
another person it names («مسعود پزشکیان»).

* :func:`speech_subject`: who a sentence says is speaking (name, title, pronoun);
* :func:`speaker_name`: the name the adjacent sentence gives a bare title;
* :func:`speaker_of`: the speaker of a sentence, pronouns followed back
  ("who said ...?", :func:`asks_speaker`);
* :func:`title_holder`: the name set beside a title ("who is <title>?");
* :func:`quoted_clause`: the quoted clause about a topic ("what did X say
  about Y?", :func:`asks_quote`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Sequence

from .short_answer import (GROUP_WORDS, OFFICE_WORDS, WHO_IS_OPENINGS, Word, asks_identity, clauses, question_keys,
                           question_shape, sentence_words)
from .text import ENGLISH_FUNCTION_WORDS, question_language, search_key, sounds_alike, stopwords
from .types import BridgedQuestion, Span


def _keys(words: str) -> frozenset[str]:
    return frozenset(search_key(word) for word in words.split())


_PRONOUNS = _keys("وی او ایشان")
# Words that end a subject at the start of a sentence: a preposition, a time
# of day or a weekday, "also" («پزشکیان با اشاره به...», «کاظم جلالی روز
# جمعه...», «مسعود پزشکیان رئیسجمهور جمعه ۲۸ دیماه ...»).
_SUBJECT_ENDS = _keys(
    "با در روز امروز دیروز امشب شامگاه عصر صبح ظهر بامداد نیز هم همچنین ضمن که پس پیش از به برای "
    "شنبه یکشنبه دوشنبه سه‌شنبه چهارشنبه پنجشنبه پنج‌شنبه جمعه "
    "طی هنگام و را در پایان ادامه خطاب "
    # the reporting verb itself, when nothing stands between subject and verb («پزشکیان گفت:»)
    "گفت افزود اظهار تصریح خاطرنشان یادآور اضافه تاکید عنوان بیان اعلام")
# Honorifics belong to the name («دکتر پزشکیان») but are not one alone.
_HONORIFICS = _keys("دکتر آقای خانم مهندس حجت‌الاسلام آیت‌الله سردار سرلشکر سرتیپ")
# Verbs that report speech, and those among them that go on with the
# previous sentence's speaker.
_SPEECH_VERBS = ("گفت", "افزود", "ادامه داد", "اظهار داشت", "تصریح کرد", "خاطرنشان کرد", "یادآور شد",
                 "اضافه کرد", "تاکید کرد", "عنوان کرد", "بیان کرد", "اعلام کرد", "اظهار کرد")
_GOING_ON_VERBS = ("افزود", "ادامه داد", "اضافه کرد")
# "also" and "went on" right after the subject say the same («... همچنین گفت»,
# «رئیس جمهور در ادامه تصریح کرد»).
# Not «نیز» ("for his part"): «رئیسجمهور روسیه نیز ... گفت» turns to another speaker.
_GOING_ON_WORDS = (("همچنین",), ("در", "ادامه"))
# A dateline «مسکو- ایرنا-» and a lead «به گزارش ایرنا، ...» come before the subject.
# (matched at a position: no «^», which would only match at the text's start)
_DATELINE = re.compile(r"\s*[^\s\-–—:]+(?:\s[^\s\-–—:]+)?\s*[-–—]\s*[^\s\-–—:]+\s*[-–—]\s*")
_REPORT_LEAD = re.compile(r"\s*به\s*گزارش[^،,:]{0,80}[،,]\s*")
_MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Subject:
    """Who a sentence says is speaking: a name, a title or a pronoun.

    Attributes:
        kind: ``"name"``, ``"title"`` or ``"pronoun"``.
        start: Offset of the subject in the sentence.
        end: Offset of its end.
    """

    kind: str
    start: int
    end: int


def _reporting_part(key: str) -> str:
    """The sentence before its quote: verbs inside the quote are someone else's."""
    head = key.split(":", 1)[0]
    return f" {head} "


def _has_verb(sentence: str, verbs: Sequence[str]) -> bool:
    """Tell whether one of ``verbs`` reports the sentence's speech (before its quote)."""
    # The sentence as search keys keeps spaces and ":", so the verb test
    # runs on it; offsets come from the sentence's own words.
    part = _reporting_part(" ".join(search_key(word) for word in sentence.split()))
    return any(f" {search_key(verb)} " in part for verb in verbs)


def speech_subject(sentence: str) -> Subject | None:
    """Return the speaker a sentence names at its start, if it reports speech.

    Args:
        sentence: One sentence of an article.

    Returns:
        The subject (name, title or pronoun) with its offsets in the
        sentence, or None when the sentence does not report what someone
        said or its subject is none of the three.
    """
    if not _has_verb(sentence, _SPEECH_VERBS):
        return None
    skip = 0
    for lead in (_DATELINE, _REPORT_LEAD):
        match = lead.match(sentence, skip)
        if match:
            skip = match.end()
    words: list[Word] = [word for word in sentence_words(sentence) if word.start >= skip]
    subject: list[Word] = []
    for word in words:
        if word.key in _SUBJECT_ENDS or any(ch.isdigit() for ch in word.key):
            break
        subject.append(word)
        if sentence[word.end:word.end + 1] in "،,:":  # «مسعود پزشکیان، رئیس جمهور، ...»
            break
    if not subject:
        return None
    if subject[0].key in _PRONOUNS:
        return Subject("pronoun", subject[0].start, subject[0].end)
    titles = [i for i in range(len(subject)) if is_title(subject, i)]
    if titles and titles[0] == 0:
        return Subject("title", subject[0].start, subject[-1].end)
    if titles:
        # «پزشکیان رئیس جمهوری اسلامی ایران ...»: the name is what comes before the title.
        subject = subject[:titles[0]]
    if len(subject) > _MAX_NAME_WORDS or all(word.key in _HONORIFICS for word in subject):
        return None
    return Subject("name", subject[0].start, subject[-1].end)


def is_title(words: Sequence[Word], position: int) -> bool:
    """Tell whether ``words[position]`` is a title (:data:`OFFICE_WORDS`),
    alone or with the next word, written apart («نخست وزیر»).

    Args:
        words: A sentence's words.
        position: The word to look at.
    """
    key = words[position].key
    return key in OFFICE_WORDS or (position + 1 < len(words) and key + words[position + 1].key in OFFICE_WORDS)


def goes_on(sentence: str) -> bool:
    """Tell whether a sentence goes on with the previous one's speaker.

    Args:
        sentence: A sentence that reports speech.

    Returns:
        True when its verb says so («... افزود:», «... ادامه داد:») or "also" /
        "went on" follows its subject («پوتین همچنین ... گفت»).
    """
    if _has_verb(sentence, _GOING_ON_VERBS):
        return True
    subject = speech_subject(sentence)
    if subject is None:
        return False
    following = tuple(word.key for word in sentence_words(sentence[subject.end:])[:2])
    return any(following[:len(words)] == tuple(search_key(word) for word in words) for words in _GOING_ON_WORDS)


def speaker_name(text: str, sentences: Sequence[Span], position: int) -> Span | None:
    """Find the name of the speaker of a sentence that gives only a title.

    The sentence next to it must name the speaker and one of the two must go
    on with the other («... گفت:» then «کاظم جلالی ... افزود:»).

    Args:
        text: The article's text.
        sentences: Consecutive sentences of the article (a passage's).
        position: Index in ``sentences`` of the sentence whose speaker is sought.

    Returns:
        The name's span in ``text``, or None when the sentence's subject is
        not a bare title or no neighbour names it.
    """
    return _linked_subject(text, sentences, position, "title", "name")


def speaker_title(text: str, sentences: Sequence[Span], position: int) -> Span | None:
    """Find the title of the speaker of a sentence that gives only a name:
    the other way round from :func:`speaker_name` («سفیر جمهوری اسلامی
    ایران ... گفت:» for «کاظم جلالی ... افزود:»).

    Args:
        text: The article's text.
        sentences: Consecutive sentences of the article (a passage's).
        position: Index in ``sentences`` of the sentence whose speaker's title is sought.

    Returns:
        The title's span in ``text``, or None when the sentence's subject is
        not a name or no neighbour gives the speaker's title.
    """
    return _linked_subject(text, sentences, position, "name", "title")


def _linked_subject(text: str, sentences: Sequence[Span], position: int, own_kind: str,
                    other_kind: str) -> Span | None:
    """The subject of kind ``other_kind`` of the sentence next to one whose
    subject is of ``own_kind``, when one of the two goes on with the other."""
    def subject_at(index: int) -> Subject | None:
        span = sentences[index]
        return speech_subject(text[span.start:span.end])

    own = subject_at(position)
    if own is None or own.kind != own_kind:
        return None
    # The later of the two sentences is the one that says it goes on.
    for neighbour, later in ((position + 1, position + 1), (position - 1, position)):
        if not 0 <= neighbour < len(sentences):
            continue
        later_span = sentences[later]
        if not goes_on(text[later_span.start:later_span.end]):
            continue
        other = subject_at(neighbour)
        if other is not None and other.kind == other_kind:
            base = sentences[neighbour].start
            return Span(base + other.start, base + other.end)
    return None


# «چه کسی گفت ...؟», «who said ...?»: the answer is a speaker.
# Not «افزود» or «اضافه کرد» in a question: they mostly mean "added" a thing
# («ناصرالدین شاه ... بر پهنه شهرستان مریوان افزود»).
_ASKING_VERBS = tuple(search_key(verb) for verb in _SPEECH_VERBS if verb not in ("افزود", "اضافه کرد", "ادامه داد")) + (
    "said", "say", "says", "stated", "told", "قال", "صرح", "اكد")
# How far back a pronoun («وی افزود») is followed to its speaker.
_PRONOUN_REACH = 3


def asks_speaker(question: str) -> bool:
    """Tell whether a question asks who said something («چه کسی گفت ...؟», "Who said ...?").

    Args:
        question: The question (its kind must be checked to be "person" too).
    """
    text = " " + " ".join(search_key(word) for word in question.split()) + " "
    return any(f" {verb} " in text or f" {verb}؟" in text or f" {verb}?" in text for verb in _ASKING_VERBS)


def speaker_of(text: str, sentences: Sequence[Span], position: int) -> Span | None:
    """Find who is speaking in a sentence that reports speech.

    A name is the speaker; a title is named by :func:`speaker_name` or is
    the answer itself («نخستوزیر روسیه»); a pronoun («وی ادامه داد») is the
    speaker of the nearest earlier sentence that says who speaks.

    Args:
        text: The article's text.
        sentences: Consecutive sentences of the article (a passage's).
        position: Index in ``sentences`` of the sentence.

    Returns:
        The speaker's span in ``text``, or None when the sentence reports no
        speech or its speaker cannot be told.
    """
    for index in range(position, max(position - _PRONOUN_REACH, -1), -1):
        span = sentences[index]
        subject = speech_subject(text[span.start:span.end])
        if subject is None:
            return None
        if subject.kind == "pronoun":
            continue
        if subject.kind == "title":
            return speaker_name(text, sentences, index) or Span(span.start + subject.start, span.start + subject.end)
        return Span(span.start + subject.start, span.start + subject.end)
    return None


# «... کیست؟», «چه کسی ... است؟»: what is left of the question is the title asked about.
_WHO_IS_WORDS = _keys("کیست کیستند چه کسی کسانی است بود هستند")
_NAME_BREAKS = "،,:؛;«»()"
# «من هو/هي ...؟» (Arabic "who is"): no part of the name asked about.
_ARABIC_WHO_IS = _keys("من هو هي")
# Most words of a title («رئیس مرکز مطالعات خاورمیانه روسیه»).
_MAX_TITLE_WORDS = 6


def title_holder(question: str, sentences: Sequence[str]) -> tuple[int, Span] | None:
    """Answer «رئیس جمهور روسیه کیست؟» from an apposition: the name written
    right before the title («ولادیمیر پوتین رئیسجمهور روسیه») or right after
    it, set off by a comma («رئیس جمهور روسیه، ولادیمیر پوتین، ...»).

    The title is matched with spaces and ZWNJs aside («رئیس‌جمهور»,
    «رئیسجمهور», «رئیس جمهور» are one). A reader given «دکتر مسعود پزشکیان
    رئیس جمهوری اسلامی ایران و ولادیمیر پوتین رئیسجمهور روسیه» answers with
    the first name it sees.

    Args:
        question: The question.
        sentences: The answer's sentences, best first.

    Returns:
        (sentence position, the name's span in it), or None when the question
        is no "who is" question about a title or no sentence sets a name
        beside the title.
    """
    if question_shape(question).kind != "person":
        return None
    asked = [key for key in question_keys(question) if key not in _WHO_IS_WORDS]
    if not asked or not any(key in OFFICE_WORDS for key in asked):
        return None
    title = "".join(asked)
    for position, sentence in enumerate(sentences):
        words = sentence_words(sentence)
        for first, last in _written_at(words, title):
            if first and words[first - 1].key in OFFICE_WORDS:
                continue  # «معاون وزیر امور خارجه روسیه»: another office, whose holder is not asked for
            name = _name_before(sentence, words, first) or _name_after(sentence, words, last)
            if name is not None:
                return position, name
    return None


def _written_at(words: Sequence[Word], joined: str) -> Iterator[tuple[int, int]]:
    """Where a run of words spells ``joined`` with spaces and ZWNJs aside
    («رئیس جمهور», «رئیسجمهور»): (first word, word after the last) of each."""
    for first in range(len(words)):
        written, last = "", first
        while last < len(words) and len(written) < len(joined):
            written += words[last].key
            last += 1
        if written == joined:
            yield first, last


@lru_cache(maxsize=1)
def _name_stopwords() -> frozenset[str]:
    """hazm's stopwords less the honorifics, which belong to a name («دکتر»)."""
    return stopwords() - _HONORIFICS


def _is_name_word(word: Word, stop: frozenset[str]) -> bool:
    return not (word.key in stop or word.key in OFFICE_WORDS or word.key in _SUBJECT_ENDS
                or any(ch.isdigit() for ch in word.key))


def _name_before(sentence: str, words: Sequence[Word], title_start: int) -> Span | None:
    stop = _name_stopwords()
    name: list[Word] = []
    for index in range(title_start - 1, -1, -1):
        word = words[index]
        between = sentence[word.end:(name[0] if name else words[title_start]).start]
        # A comma may set the title off («مراد صادیقزاد»، رئیس مرکز ...), not split the name.
        breaks = _NAME_BREAKS if name else ":()"
        if any(ch in breaks for ch in between) or len(name) == _MAX_NAME_WORDS - 1:
            break
        if word.key in _HONORIFICS:
            name.insert(0, word)
            break
        if not _is_name_word(word, stop):
            break
        name.insert(0, word)
    return _span_of_name(name)


def _span_of_name(name: Sequence[Word]) -> Span | None:
    """The span of the words read as a name, or None when they are no one's:
    an honorific alone, or a group («سران کشورها»: the phrase's head, its
    first word, is a group)."""
    if not name or all(word.key in _HONORIFICS for word in name) or name[0].key in GROUP_WORDS:
        return None
    return Span(name[0].start, name[-1].end)


def _name_after(sentence: str, words: Sequence[Word], title_end: int) -> Span | None:
    if title_end >= len(words) or "،" not in sentence[words[title_end - 1].end:words[title_end].start]:
        return None
    stop = _name_stopwords()
    name: list[Word] = []
    for word in words[title_end:title_end + _MAX_NAME_WORDS - 1]:
        if name and any(ch in _NAME_BREAKS for ch in sentence[name[-1].end:word.start]):
            break
        if not (word.key in _HONORIFICS or _is_name_word(word, stop)):
            break
        name.append(word)
    return _span_of_name(name)


def asked_name(question: str) -> str | None:
    """The name a "who is" question asks about («پوتین کیست؟», «مراد صادیق
    زاد کیست؟», «کاظم جلالی چه کسی است؟», "Who is Putin?", «من هو بوتين؟»),
    as one search key without spaces.

    Args:
        question: The question.

    Returns:
        The name's words joined, or None when the question asks no "who is"
        or what it asks about is an office («سفیر ایران کیست؟») or more than
        a name.
    """
    keys = question_keys(question)
    if question_shape(question).kind != "person" or not asks_identity(question, keys):
        return None
    stop = _name_stopwords() | ENGLISH_FUNCTION_WORDS | _ARABIC_WHO_IS
    if tuple(keys[:2]) in WHO_IS_OPENINGS:
        keys = keys[2:]
    asked = [key for key in keys if key not in _WHO_IS_WORDS and key not in _HONORIFICS]
    if not asked or len(asked) > _MAX_NAME_WORDS or any(key in stop or key in OFFICE_WORDS for key in asked):
        return None
    return "".join(asked)


def name_title(question: str, sentences: Sequence[str]) -> tuple[int, Span] | None:
    """Answer «پوتین کیست؟» with the title set beside the name: right after
    it («ولادیمیر پوتین رئیسجمهور روسیه», ««مراد صادیقزاد»، رئیس مرکز
    مطالعات خاورمیانه روسیه معتقد است ...») or before it, set off by a
    comma («سفیر جمهوری اسلامی ایران، کاظم جلالی»).

    The name is matched with spaces and ZWNJs aside («صادیق زاد»,
    «صادیقزاد»), and asked in English or Arabic, by its sound ("Putin",
    «بوتين»: :func:`qa.text.sounds_alike`) where no words spell it. A reader
    given «کاظم جلالی روز جمعه ... افزود» answered «جمعه», «پوتین کیست؟»
    with «مسعود پزشکیان», and "Who is Putin?" with «رئیس جمهوری اسلامی ایران».

    Args:
        question: The question.
        sentences: The answer's sentences, best first.

    Returns:
        (sentence position, the title's span in it), or None when the
        question asks about no name or no sentence sets a title beside it.
    """
    name = asked_name(question)
    if name is None:
        return None
    read = [sentence_words(sentence) for sentence in sentences]
    places = [list(_written_at(words, name)) for words in read]
    if not any(places) and question_language(question) != "fa":
        places = [list(_sounding_at(words, name)) for words in read]
    for position, (sentence, words) in enumerate(zip(sentences, read)):
        for first, last in places[position]:
            title = _title_after(sentence, words, last) or _title_before(sentence, words, first)
            if title is not None:
                return position, title
    return None


def _sounding_at(words: Sequence[Word], name: str) -> Iterator[tuple[int, int]]:
    """Where a run of up to :data:`_MAX_NAME_WORDS` words sounds like a name
    written in other letters: (first word, word after the last) of each."""
    for first in range(len(words)):
        for last in range(first + 1, min(first + _MAX_NAME_WORDS, len(words)) + 1):
            if sounds_alike(name, "".join(word.key for word in words[first:last])):
                yield first, last


def _title_after(sentence: str, words: Sequence[Word], name_end: int) -> Span | None:
    """The title right after a name (spaces, a comma or a closing quote between)."""
    if name_end >= len(words) or sentence[words[name_end - 1].end:words[name_end].start].strip(" ،,»\u200c") \
            or not is_title(words, name_end):
        return None
    stop = stopwords()
    end = name_end + 1
    while end < len(words) and end - name_end < _MAX_TITLE_WORDS:
        word = words[end]
        if any(ch in _NAME_BREAKS for ch in sentence[words[end - 1].end:word.start]) \
                or word.key in _SUBJECT_ENDS or word.key in stop or any(ch.isdigit() for ch in word.key):
            break
        end += 1
    # «... رئیس مرکز مطالعات خاورمیانه روسیه معتقد است»: the word before a
    # verb belongs to the verb.
    if end < len(words) and words[end].key in _CLAUSE_VERBS and end - 1 > name_end:
        end -= 1
    return Span(words[name_end].start, words[end - 1].end)


# Titles written right before a name with no comma between («رئیس جمهور
# پزشکیان»). Only these: with the ezafe unwritten, «معاون پزشکیان» or «مشاور
# پزشکیان» is Pezeshkian's deputy or adviser, not Pezeshkian.
_TITLES_BEFORE_NAMES = _keys("رئیسجمهور رئیسجمهوری نخستوزیر صدراعظم")


def _title_before(sentence: str, words: Sequence[Word], name_start: int) -> Span | None:
    """The title right before a name, set off from it by a comma, or one of
    :data:`_TITLES_BEFORE_NAMES` with nothing between."""
    if name_start == 0:
        return None
    if "،" not in sentence[words[name_start - 1].end:words[name_start].start]:
        for first in (name_start - 1, name_start - 2):
            if first >= 0 and "".join(word.key for word in words[first:name_start]) in _TITLES_BEFORE_NAMES \
                    and not any(sentence[left.end:right.start].strip(" \u200c")
                                for left, right in zip(words[first:name_start], words[first + 1:name_start + 1])):
                return Span(words[first].start, words[name_start - 1].end)
        return None
    stop = stopwords()
    for first in range(name_start - 1, max(name_start - 1 - _MAX_TITLE_WORDS, -1), -1):
        word = words[first]
        if word.key in _SUBJECT_ENDS or word.key in stop or (
                first < name_start - 1 and any(ch in _NAME_BREAKS for ch in sentence[word.end:words[first + 1].start])):
            return None
        if is_title(words, first):
            return Span(word.start, words[name_start - 1].end)
    return None


# One thing a question asks about: a Persian word, or the Persian words that
# write one of an English question's concepts.
Topic = tuple[str, ...]


# «... درباره تحریم‌ها چه گفت؟», "What did Putin say about trade?": the answer is what was said.
_SAID_KEYS = _keys("گفت گفته گفتند اظهار اعلام تاکید عنوان بیان تصریح")
_SAID_PLAIN = _keys("گفت گفته گفتند")
_LIGHT_VERBS = _keys("کرد کردند کرده داشت داشتند")
_PASSIVE = _keys("میشود میشوند میشد شود شده")
_ENGLISH_SAY = frozenset({"say", "said", "says", "discuss", "discussed", "tell", "told", "talk", "talked"})
_ENGLISH_SAY_PLAIN = frozenset({"say", "said", "says"})
# What may follow "say" when what was said is asked: the question's end, or
# a preposition ("What did Putin say about trade / to Pezeshkian / in
# Moscow?"). A subject starts the clause that was said, and "what" is asked
# inside it: "What did Pezeshkian say Iran does not fear?" asks what is
# feared («جنگ»), not for the quote.
_AFTER_SAY = frozenset({"", "about", "on", "regarding", "concerning", "to", "at", "in", "during", "after",
                        "before", "when", "while", "with", "of", "upon", "following", "there", "then"})
_ARABIC_SAY = _keys("قال قالت يقول ناقش ناقشا تحدث")
_QUOTE_MAX_WORDS = 30
# «درباره» ("about") and the phrases that say the same, as search keys.
_ABOUT_PHRASES = tuple(tuple(search_key(word) for word in phrase.split()) for phrase in (
    "درباره", "دربارهی", "درخصوص", "پیرامون", "در مورد", "در خصوص", "در رابطه با", "راجع به", "about"))
# Endings a Persian noun takes in running text: plural «ها», ezafe or
# indefinite «ی» («تحریم‌ها» asked, «تحریم‌های ظالمانه» written).
_NOUN_ENDINGS = ("هایی", "های", "ها", "ای", "یی", "ی")
# Verbs that end a clause, so that «و» after them starts another.
_CLAUSE_VERBS = _keys("است هست هستند بود بودند شد شود شدند شوند کرد کند کردند کنند دارد دارند داشت داشتند "
                      "باشد باشند")


def asks_quote(question: str) -> bool:
    """Tell whether a question asks what someone said («... چه گفت؟», "What did ... say?", «ماذا قال ...؟»)."""
    keys = [word.key for word in sentence_words(question)] + ["", ""]
    for position, key in enumerate(keys[:-2]):
        if key != "چه":
            continue
        verb, light = keys[position + 1], keys[position + 2]
        # «چه گفت؟», «چه اعلام کرد؟»; not «به چه عنوان» (a title) nor «چه
        # گفته می‌شود؟» ("what is it called").
        if verb in _SAID_PLAIN and light not in _PASSIVE:
            return True
        if verb in _SAID_KEYS and light in _LIGHT_VERBS:
            return True
    if "what" in keys and _ENGLISH_SAY & set(keys):
        return not any(key in _ENGLISH_SAY_PLAIN and keys[position + 1] not in _AFTER_SAY
                       for position, key in enumerate(keys[:-2]))
    return search_key("ماذا") in keys and bool(_ARABIC_SAY & set(keys))


def quoted_clause(question: str, sentences: Sequence[str],
                  bridged: BridgedQuestion | None = None) -> tuple[int, Span] | None:
    """Return the clause of a quote that says what the question asks was said.

    A sentence quotes after its colon («... اظهار داشت: تداوم اجرای موافقتنامه
    تجارت آزاد ...»; a headline «پزشکیان: امیدواریم ...» too). Among the quotes
    of the answer's sentences, the clause sharing most words with the question
    wins (its topic, «تجارت»); the speaker's words («پوتین») add to it, and
    «پوتین چه گفت؟» takes only a quote Putin speaks. A question in English
    or Arabic shares no words with the articles: its bridged concepts
    stand for its words ("nuclear" → «هسته‌ای»); given none, the first
    quote's first clause.

    Args:
        question: The question.
        sentences: The answer's sentences, best first.
        bridged: An English or Arabic question in the articles' Persian
            words (:class:`qa.types.BridgedQuestion`): its concepts, those
            after "about" the topic proper.

    Returns:
        (sentence position, clause span in it), or None when the question
        does not ask what was said (:func:`asks_quote`), no sentence quotes,
        or no quoted clause holds a word of the topic of a question written in
        Arabic letters (Persian or Arabic).
    """
    if not asks_quote(question):
        return None
    stop = stopwords()
    keys = [word.key for word in sentence_words(question)]
    topic: set[Topic] = {(key,) for key in set(keys) - stop - _SAID_KEYS - _ENGLISH_SAY}
    # The words after «درباره» ("about", «در مورد», ...) are the topic proper,
    # which a clause must hold; the words before say who spoke («کاظم جلالی
    # سفیر ایران در روسیه درباره توافقنامه جامع چه گفت؟»).
    marker = _about_marker(keys)
    about = {(key,) for key in keys[marker[1]:]} & topic if marker else set()
    # Who the question asks about, its words run together («نخست وزیر روسیه» → «نخستوزیرروسیه»).
    asked_speaker = "".join(keys[:marker[0]]) if marker else ""
    speaker_words = {key for key in keys[:marker[0]] if (key,) in topic} if marker else set()
    # An English question rewritten with the earlier answer's Persian name
    # ("What did کاظم جلالی ... say about the agreement?") is still English:
    # its topic words are never in a Persian clause.
    must_hold = question_language(question) != "en"
    if bridged and bridged.concepts:
        topic, about, must_hold = set(bridged.concepts), set(bridged.about), True
        # Who the question asks about is checked on Persian words only.
        asked_speaker, speaker_words = "", set()
    best: tuple[float, int, Span] | None = None
    for position, sentence in enumerate(sentences):
        colon = sentence.find(":")
        if colon < 0:
            continue
        # Who speaks, when the sentence says («ولادیمیر پوتین ... اظهار داشت:»);
        # a person it only mentions («در دیدار آقای پوتین») is not the speaker.
        subject = speech_subject(sentence)
        part = (sentence[subject.start:_apposition_end(sentence, subject.end)]
                if subject and subject.kind != "pronoun" else sentence[:colon])
        part_keys = [word.key for word in sentence_words(part)]
        reporting = _shared(topic, set(part_keys))
        speaking = "".join(part_keys)
        if speaker_words and subject and subject.kind != "pronoun" \
                and not any(word in speaking for word in speaker_words) \
                and asked_speaker in "".join(word.key for word in sentence_words(sentence[:colon])):
            # The person asked about is in the sentence, but another speaks:
            # «مسعود پزشکیان ... در دیدار میخائیل میشوتسین، نخستوزیر روسیه
            # ... افزود: ...» says nothing the prime minister said.
            continue
        # «پوتین چه گفت؟»: a question naming only the speaker is answered by the quote's start.
        open_topic = not topic - reporting
        for clause in _quote_clauses(sentence, colon + 1):
            # Words the speaker's part holds («نخستوزیر روسیه») say who
            # speaks, not what about: the clause must hold another.
            held = _shared(topic - reporting, {word.key for word in sentence_words(sentence[clause.start:clause.end])})
            if must_hold and not ((held & about) if about else (held or open_topic)):
                continue
            score = 3 * len(held & about) + 2 * len(held - about) + len(reporting) - position
            if best is None or score > best[0]:
                best = (score, position, clause)
    return (best[1], best[2]) if best else None


def _about_marker(keys: Sequence[str]) -> tuple[int, int] | None:
    """(start, end) of the first «درباره»-like phrase among ``keys``, or None."""
    for position in range(len(keys)):
        for phrase in _ABOUT_PHRASES:
            if tuple(keys[position:position + len(phrase)]) == phrase:
                return position, position + len(phrase)
    return None


def _same_word(asked: str, written: str) -> bool:
    """The same noun, one of the two with a plural or ezafe ending («تحریمها», «تحریمهای»)."""
    if asked == written:
        return True
    shorter, longer = sorted((asked, written), key=len)
    stems = {shorter} | {shorter[:-len(ending)] for ending in _NOUN_ENDINGS if shorter.endswith(ending)}
    return any(len(stem) >= 3 and longer.startswith(stem) and longer[len(stem):] in _NOUN_ENDINGS
               for stem in stems)


def _shared(asked: set[Topic], written: set[str]) -> set[Topic]:
    """The asked topics that ``written`` holds in one of their words, endings aside."""
    return {topic for topic in asked
            if any(word in written or any(_same_word(word, other) for other in written) for word in topic)}


def _apposition_end(sentence: str, end: int) -> int:
    """End of a name's apposition set off by commas («مسعود پزشکیان، رئیس جمهور، ...»), else ``end``."""
    match = re.match(r"\s*[،,]([^،,:]{1,40})[،,]", sentence[end:])
    return end + match.end(1) if match and len(match.group(1).split()) <= 5 else end


def _quote_clauses(sentence: str, start: int) -> list[Span]:
    """Clauses of the quote that starts at ``start``; one too long for a short
    answer is cut at «و» where both sides keep three words or more."""
    result = []
    for clause in clauses(sentence[start:]):
        span = Span(start + clause.start, start + clause.end)
        if len(sentence[span.start:span.end].split()) <= _QUOTE_MAX_WORDS:
            result.append(span)
            continue
        piece_start = span.start
        for match in re.finditer(r"\sو\s", sentence[span.start:span.end]):
            cut = span.start + match.start()
            before = sentence[piece_start:cut].split()
            # Only after a verb: «... منافع خود است و کشورهای ...», not «تنش و درگیری».
            if len(before) >= 3 and ends_clause(before[-1]) and len(sentence[cut:span.end].split()) >= 4:
                result.append(Span(piece_start, cut))
                piece_start = span.start + match.end()
        if len(sentence[piece_start:span.end].split()) <= _QUOTE_MAX_WORDS:
            result.append(Span(piece_start, span.end))
    return result


def ends_clause(word: str) -> bool:
    """Tell whether a word is a verb that ends a clause («است», «کردند»,
    «میشود»): the word before it says something of what comes before.

    Args:
        word: A word as written (edge punctuation and all) or its search key.
    """
    key = search_key(word.strip(".,،؛"))
    # «میشود», «میخواهند»: a present verb, written with «می» joined.
    return key in _CLAUSE_VERBS or (key.startswith("می") and key.endswith("د") and len(key) > 4)
