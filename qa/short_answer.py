"""Find the short answer: the few words of a cited sentence that answer the question.

A question names its answer by a question word ("کجا", "چه کسی", "چند",
"when") and repeats, around it, words that the answering sentence also holds:
"بازی‌ها در کدام شهر برگزار شد؟" / "بازی‌ها ... در شهر «ریو دو ژانیرو» ...
برگزار شد". Every span of up to :data:`MAX_WORDS` words of the sentence that
does not repeat a question word is a candidate, scored by

* *alignment*: question words found just before the span that come before
  the question word in the question, and after it that come after;
* *nearness*: how close the span is to the question words the sentence holds;
* *type*: whether it looks like what the question word asks for (a date, a
  number, a person's title or name, a place, a quoted name);
* *shape*: length, quotes, no stopword at its edges.

The weights (:class:`ShortAnswerWeights`) were tuned on the PQuAD validation
set's training split (bench/tune_short_answer.py; the split is by article,
fixed seed) and measured on its held-out split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .bridge import FOREIGN_OFFICES, longest_entries, persian_of, places
from .text import ARABIC_FUNCTION_WORDS, ENGLISH_FUNCTION_WORDS, question_language, search_key, stopwords
from .types import BridgedQuestion, Span

MAX_WORDS = 8
# Context words each side of a span that count for alignment.
WINDOW = 6


@dataclass(frozen=True)
class ShortAnswerWeights:
    """Weights of the span score.

    Tuned by bench/tune_short_answer.py on the tuning half of PQuAD
    validation (gold sentence given): held-out token F1 0.512, EM 0.210.
    A negative ``length`` favours longer spans: PQuAD's answers average six
    words, and :data:`MAX_WORDS` bounds them.
    """

    alignment: float = 1.0
    nearness: float = 0.5
    type_match: float = 1.5
    type_mismatch: float = 0.5
    quoted: float = 0.6
    length: float = -0.1
    edge_stopword: float = 1.0
    cut: float = 1.0
    phrase_cut_share: float = 0.5
    # Any candidate beats none: a span is offered whenever the sentence holds
    # one that passes the type filters (measured: a threshold lost F1).
    min_score: float = -10.0


DEFAULT_WEIGHTS = ShortAnswerWeights()

# Question words by the kind of answer they ask for, in search-key form
# (ي/ك unified, no ZWNJ, Latin lower case).
_QUESTION_TYPES: dict[str, tuple[str, ...]] = {
    "person": ("چه کسی", "چه کسانی", "کیست", "کیستند", "چه شخصی", "کدام شخص", "کدام فرد", "که بود", "که بودند",
               "که است", "who", "whom"),
    "date": ("چه زمانی", "چه تاریخی", "چه سالی", "چه روزی", "چه ماهی", "چه قرنی", "چه دهه", "کدام سال",
             "در چه سال", "کی", "چه وقت", "when", "what year", "what date"),
    "number": ("چند", "چندمین", "چندم", "چقدر", "چه تعداد", "چه میزان", "چه مقدار", "how many", "how much", "how long"),
    "place": ("کجا", "کجاست", "کدام شهر", "کدام کشور", "کدام استان", "کدام منطقه", "کدام پایتخت", "چه شهری",
              "چه کشوری", "چه استانی", "چه مکانی", "where", "which city", "what city", "which country",
              "what country", "which capital", "what capital"),
    "other": ("چه", "چیست", "چی", "کدام", "چگونه", "چطور", "چرا", "what", "which", "how", "why"),
}
# Question words of questions written in Arabic. Written with Arabic letters
# they become, as search keys, Persian words («أين» → «این» "this», «كم» →
# «کم» "little», «كيف» → «کیف» "bag"), so they are looked for in Arabic
# questions only (qa.text.question_language).
_ARABIC_QUESTION_TYPES: dict[str, tuple[str, ...]] = {
    "person": ("من هو", "من هي", "من هم", "من"),
    "date": ("متى", "في أي عام", "في أي سنة", "في أي تاريخ", "في أي يوم", "في أي شهر"),
    "number": ("كم", "كم عدد", "ما عدد"),
    "place": ("أين", "في أي مدينة", "في أي بلد", "في أي دولة", "في أي عاصمة", "في أي مكان"),
    "other": ("ما", "ماذا", "ما هو", "ما هي", "كيف", "لماذا", "أي", "هل"),
}
# Colloquial and variant question words, as search keys, read as the word
# they stand for: «کیه؟» (who is) and «چیه؟», in one PersianQA question in
# ten; «چجوری»; «کدامین», «کدامیک», «کدام‌اند»; «کجای ایران» (where in Iran).
_QUESTION_WORD_VARIANTS = {search_key(variant): search_key(standard) for variant, standard in (
    ("کیه", "کیست"), ("چیه", "چیست"), ("چجوری", "چگونه"), ("چطوری", "چگونه"), ("چجوریه", "چگونه"),
    ("کدامین", "کدام"), ("کدامیک", "کدام"), ("کدوم", "کدام"), ("کدامند", "کدام"), ("کدام‌اند", "کدام"),
    ("کجای", "کجا"), ("کجایی", "کجا"), ("کجاییه", "کجا"),
)}
# Question phrases written as one word: with a ZWNJ («چه‌کسی», which a search
# key writes «چهکسی») or without the space («درچه سالی»). Only the joined
# pairs of known phrases and a few more: a rule on any word opening with «چه»
# would split «چهار» and «چهره».
_JOINED_QUESTION_WORDS = {
    **{"".join(pair): pair
       for phrases in _QUESTION_TYPES.values() for phrase in phrases if " " in phrase
       for pair in zip(phrase.split(), phrase.split()[1:])},
    **{search_key(joined): tuple(search_key(word) for word in joined.split("\u200c")) for joined in (
        "چه\u200cچیزی", "چه\u200cکاری", "چه\u200cبود", "چه\u200cصورت", "در\u200cچه", "در\u200cکدام",
        "در\u200cکجا", "در\u200cکجای")},
}


def split_question_word(word: str) -> list[str]:
    """Split a question phrase written as one word into its words, as typed.

    Args:
        word: A word of a question.

    Returns:
        «چه‌کسی» → [«چه», «کسی»], «درچه» → [«در», «چه»]; any other word
        (or one whose spelling cannot be cut where its search key is) alone.
    """
    parts = _JOINED_QUESTION_WORDS.get(search_key(word))
    if not parts:
        return [word]
    pieces = word.split("\u200c")
    if len(pieces) == len(parts):
        return pieces
    if search_key(word) == word:
        return [word[:len(parts[0])], word[len(parts[0]):]]
    return [word]


def question_keys(question: str) -> list[str]:
    """The question's words as search keys, its question words in standard form.

    «چه‌کسی» becomes «چه» «کسی» and «کیه» becomes «کیست», so that
    :func:`question_shape` finds the question word however it was typed.
    """
    keys: list[str] = []
    for word in sentence_words(question):
        for part in _JOINED_QUESTION_WORDS.get(word.key, (word.key,)):
            keys.append(_QUESTION_WORD_VARIANTS.get(part, part))
    return keys


_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "ابان", "اذر", "دی", "بهمن", "اسفند",
           "ژانویه", "فوریه", "مارس", "اوریل", "مه", "ژوین", "ژوییه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر",
           "نوامبر", "دسامبر", "شنبه", "یکشنبه", "دوشنبه", "سهشنبه", "چهارشنبه", "پنجشنبه", "جمعه", "قرن",
           "میلادی", "شمسی", "هجری", "قمری", "سال", "دهه", "امروز", "دیروز", "فردا", "امسال", "پارسال",
           "today", "yesterday")
_NUMBER_WORDS = ("یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده", "دوازده", "بیست",
                 "سی", "چهل", "پنجاه", "صد", "هزار", "میلیون", "میلیارد", "درصد", "نیم", "دهها", "صدها", "هزاران",
                 # units: the answer to "how much" carries its unit
                 "دلار", "یورو", "تومان", "ریال", "روبل", "نفر", "کیلومتر", "متر", "کیلوگرم", "تن", "بشکه",
                 "هکتار", "ساعت", "دقیقه", "برابر")
_TITLES = ("اقای", "خانم", "دکتر", "مهندس", "اقا", "حجتالاسلام", "ایتالله", "سردار", "سرلشکر", "امام", "شاه",
           "سلطان", "ملکه", "پادشاه", "رییس", "وزیر", "سفیر", "معاون", "سخنگو", "سخنگوی", "نخستوزیر")
# Offices a person holds (search keys: «رئیس» and «رییس» are one key).
OFFICE_WORDS = frozenset(search_key(word) for word in (
    "سفیر وزیر رئیس رئیسجمهور رئیسجمهوری نخستوزیر معاون سخنگو سخنگوی مدیر مدیرعامل دبیر دبیرکل "
    "نماینده فرمانده رهبر استاندار شهردار سرپرست مشاور دادستان رئیسه همتای عضو کاردار سناتور "
    "صدراعظم پادشاه امیر ولیعهد "
    # plurals: «دکتر مسعود پزشکیان و ولادیمیر پوتین رؤسای جمهور دو کشور»
    # names two presidents, not the ambassador a question asks for
    "رؤسای رؤسایجمهور رؤسایجمهوری وزرای سفرای معاونان نمایندگان فرماندهان رهبران").split())
_PLACE_WORDS = ("شهر", "کشور", "استان", "پایتخت", "منطقه", "روستا", "جزیره", "قاره", "دریای", "کوه", "رود",
                "خیابان", "میدان", "بندر")
_CONNECTORS = ("تا", "و", "از", "الی", "to", "and")
_DIGIT = re.compile(r"\d")
# A word: a run without spaces, its edge punctuation stripped (offsets kept).
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = "«»\"'()[]{}،,؛;:.!?؟…-–—/"


@dataclass(frozen=True)
class Word:
    """A word of a sentence: its offsets in the sentence and its search key."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class SpanCandidate:
    """A scored candidate span (offsets into the sentence)."""

    start: int
    end: int
    score: float


def sentence_words(text: str) -> list[Word]:
    """Split a sentence into words with their offsets (edge punctuation off)."""
    result = []
    for match in _TOKEN.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start] in _EDGE_PUNCTUATION:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCTUATION:
            end -= 1
        if start < end:
            key = search_key(text[start:end])
            if key:
                result.append(Word(start, end, key))
    return result


@dataclass(frozen=True)
class QuestionShape:
    """What a question asks for and the words around its question word."""

    kind: str | None
    before: frozenset[str]
    after: frozenset[str]
    head: str | None = None

    @property
    def words(self) -> frozenset[str]:
        """Every content word of the question."""
        return self.before | self.after


@lru_cache(maxsize=2)
def _question_types(language: str) -> dict[str, tuple[str, ...]]:
    """Question phrases (as search keys) by answer type, for a question language."""
    if language != "ar":
        return _QUESTION_TYPES
    return {kind: phrases + tuple(search_key(phrase) for phrase in _ARABIC_QUESTION_TYPES[kind])
            for kind, phrases in _QUESTION_TYPES.items()}


@lru_cache(maxsize=2)
def stop_keys(language: str = "fa") -> frozenset[str]:
    """Search keys that name nothing: stopwords, single-word question words
    and English (and, for ``ar``, Arabic) function words."""
    single = frozenset(phrase for phrases in _question_types(language).values() for phrase in phrases
                       if " " not in phrase)
    arabic = frozenset(search_key(word) for word in ARABIC_FUNCTION_WORDS) if language == "ar" else frozenset()
    return stopwords() | single | arabic | ENGLISH_FUNCTION_WORDS


def question_shape(question: str) -> QuestionShape:
    """Find the question word, its answer type and the content words on each side.

    Args:
        question: The question.

    Returns:
        The shape; ``kind`` is None when no question word is found (then all
        content words count as "before").
    """
    keys = question_keys(question)
    text = " " + " ".join(keys) + " "
    language = question_language(question)
    best: tuple[int, int, str] | None = None  # (position in words, phrase length, kind)
    for kind, phrases in _question_types(language).items():
        for phrase in phrases:
            found = text.find(" " + phrase + " ")
            if found < 0:
                continue
            position = text[:found + 1].count(" ") - 1
            length = phrase.count(" ") + 1
            # The longest phrase wins ("چه کسی" over "چه"), then the first.
            if best is None or length > best[1] or (length == best[1] and position < best[0]):
                best = (position, length, kind)
    stop = stop_keys(language)
    if best is None:
        return QuestionShape(None, frozenset(k for k in keys if k not in stop), frozenset())
    position, length, kind = best
    # "چه رنگی", "کدام رود": the noun after the question word names the kind
    # of thing asked for, and the answer often stands right after it
    # ("رود «کارون»"). Written with the indefinite ی or not.
    head = None
    last = keys[position + length - 1]
    if last in ("چه", "کدام", "which", "what", "ای") and position + length < len(keys):
        head = keys[position + length]
        length += 1
    elif kind != "other" and length > 1 and keys[position] in ("چه", "کدام"):
        head = last
    if head is not None and head.endswith("ی") and len(head) > 3:
        head = head[:-1]
    before = frozenset(k for k in keys[:position] if k not in stop)
    after = frozenset(k for k in keys[position + length:] if k not in stop)
    return QuestionShape(kind, before, after, head)


_ORDINALS = frozenset({"اول", "یکم", "نخست", "دوم", "سوم", "چهارم", "پنجم", "ششم", "هفتم", "هشتم", "نهم", "دهم"})


def _is_ordinal(key: str) -> bool:
    # "بیستم", "سیام" (سی‌ام), "سیویکم": a number word with the ordinal ending.
    return key in _ORDINALS or (key.endswith("ام") and key[:-2] in _NUMBER_WORDS) or \
        (key.endswith("م") and (key[:-1] in _NUMBER_WORDS or key[:-1].split("و")[-1] in _NUMBER_WORDS))


def _is_date_word(key: str) -> bool:
    # "دیماه", "مهرماه": the seeds write month and "ماه" together; "اول تا
    # سوم آبان": days are ordinals.
    return bool(_DIGIT.search(key)) or key in _MONTHS or key in ("ماه", "روز") or \
        (key.endswith("ماه") and key[:-3] in _MONTHS) or _is_ordinal(key)


def _is_number_word(key: str) -> bool:
    return bool(_DIGIT.search(key)) or key in _NUMBER_WORDS


def fits_kind(kind: str | None, text: str) -> bool:
    """Tell whether a span can be what the question asks for (a looser test
    than the rules' own: for spans another method proposed).

    Args:
        kind: ``QuestionShape.kind``.
        text: The span.

    Returns:
        For "when" and "how many": whether it holds a date (number) word; for
        "who" and "where": whether it holds none; otherwise True.
    """
    keys = [word.key for word in sentence_words(text)]
    if not keys:
        return False
    if kind == "date":
        return any(_is_date_word(key) for key in keys)
    if kind == "number":
        return any(_is_number_word(key) for key in keys)
    if kind in ("person", "place"):
        # An ordinal names an office as well as a day («نخست وزیر», «معاون اول»).
        return not any((_is_date_word(key) and not _is_ordinal(key)) or _is_number_word(key) for key in keys)
    return True


_NOT_PLACES = frozenset(search_key(word) for word in ("گفته", "نقل", "عنوان", "منظور", "دلیل", "خاطر", "همراه"))


def follows_place_preposition(text: str, start: int) -> bool:
    """Tell whether the span starting at ``start`` follows «در» or «به»: how
    Persian writes where something happened («... در عشقآباد پایتخت
    ترکمنستان انجام شد»). A span after a place word is its apposition
    («ترکمنستان» after «پایتخت»), not the place asked for.

    Args:
        text: The text the span is in.
        start: The span's start in it.
    """
    before = word_before(text, start)
    after = sentence_words(text[start:start + 40])[:1]
    # «به گفته ...», «به نقل از ...», «به عنوان ...»: no place follows.
    return before is not None and before.key in ("در", "به") \
        and not (before.key == "به" and after and after[0].key in _NOT_PLACES)


def word_before(text: str, start: int) -> Word | None:
    """The word that ends last before ``start`` (offsets into ``text``),
    looked for in the 40 characters before it; None when there is none.

    Args:
        text: A text.
        start: A position in it.
    """
    window = max(0, start - 40)
    words = sentence_words(text[window:start])
    return Word(window + words[-1].start, window + words[-1].end, words[-1].key) if words else None


_OWNER_PREPOSITIONS = frozenset(search_key(word) for word in (
    "به", "در", "از", "با", "برای", "بر", "تحت", "توسط", "درباره"))
_WHO_NOUNS = frozenset(search_key(word) for word in ("کسی", "کسانی", "شخصی"))


def owner_noun(question: str) -> str | None:
    """The noun whose owner a Persian question asks for: «یادبود» of «...
    به یادبود چه کسانی ادای احترام کرد؟». Persian writes «چه کسی» where the
    owner's name goes, after the noun (the ezafe), and the sentence writes
    the name there: «بنای یادبود سرباز گمنام».

    Only a noun after a preposition counts: before «چه کسی» otherwise
    stands the subject («برنابا چه کسی را ...»), a date («در سال ۱۹۳۱ چه
    کسی ...») or a title asked about («رئیس‌جمهور برزیل چه کسی است؟»).

    Args:
        question: A question.

    Returns:
        The noun's search key, or None.
    """
    keys = question_keys(question)
    stop = stopwords()
    for index in range(2, len(keys) - 1):
        if keys[index] != "چه" or keys[index + 1] not in _WHO_NOUNS:
            continue
        noun, following = keys[index - 1], keys[index + 2:index + 3]
        # After «چه کسی», a copula makes the noun before it the subject
        # («... چه کسی است؟»), and «را» makes «چه کسی» the object.
        if keys[index - 2] in _OWNER_PREPOSITIONS and noun not in stop and noun not in _OWNER_PREPOSITIONS \
                and not (following and (following[0] in _COPULAS or following[0] == "را")):
            return noun
        return None
    return None


def follows_word(text: str, start: int, key: str) -> bool:
    """Tell whether the span starting at ``start`` comes right after the
    word ``key`` (a search key): «سرباز گمنام» after «یادبود».

    Args:
        text: The text the span is in.
        start: The span's start in it.
        key: The word, as a search key.
    """
    before = word_before(text, start)
    return before is not None and before.key == key and not text[before.end:start].strip()


# The Persian question word for each kind of answer (see reader_question).
_PERSIAN_QUESTION_WORDS = {"person": "چه کسی", "date": "چه زمانی", "place": "کجا", "number": "چند"}


def reader_question(question: str, concepts: Sequence[str] = ()) -> str:
    """The question as the reader should read it: an Arabic question gets
    the Persian question word of its kind written before it, an English one
    its words as the articles write them after it.

    The reader was trained on Persian questions only, and Arabic question
    words read as Persian words of another meaning once ي/ك are unified
    («أين» "where" → «این» "this»): «أين تعقد قمة بريكس؟» got a person's name.
    With «کجا» before it, «کازان». English question words mean nothing in
    Persian, and the same help measured worse for them (bench/cross_lingual*:
    held-out short-answer F1 0.383 without, 0.355 with). An English
    question's names do: given «پزشکیان چین» after "Whom did Pezeshkian
    meet in China?", the reader no longer answers with Pezeshkian himself
    (bench/cross_lingual*, English questions: 1 fact more found, none lost;
    the Arabic questions, whose words the reader half reads already, lost
    one and gained one, so they are read without).

    Args:
        question: The question as asked.
        concepts: Its words as the articles write them (one each, in the
            question's order; see :class:`qa.types.BridgedQuestion`).

    Returns:
        The question; «<question> <concepts>» for an English question;
        «<question word> <question>» for an Arabic question whose kind is a
        person, date, place or number.
    """
    language = question_language(question)
    if language == "en" and concepts:
        return f"{question} {' '.join(concepts)}"
    if language != "ar":
        return question
    word = _PERSIAN_QUESTION_WORDS.get(question_shape(question).kind or "")
    return f"{word} {question}" if word else question


def repeats_question(question: str, text: str) -> bool:
    """Tell whether every word of a span is written in the question already.

    Spaces and ZWNJs aside («رئیسجمهور», «جمهور» for «... رئیس‌جمهور ...»): such
    a span names what the question gave, not what it asks.

    Args:
        question: The question.
        text: A candidate span.
    """
    asked = search_key(question).replace(" ", "")
    keys = [word.key for word in sentence_words(text)]
    return bool(keys) and all(key in asked for key in keys)



# Who-is questions: «... کیست؟» at the end (question_keys reads «کیه» as
# «کیست»), "who is ...", «من هو ...» at the start.
WHO_IS_WORDS = frozenset(search_key(word) for word in ("کیست", "کیستند"))
# Most words between an office and the name after it, its holder's («سفیر
# جمهوری اسلامی ایران در روسیه کاظم جلالی»; see office_fits).
_OFFICE_DISTANCE = 6
_COPULAS = frozenset(search_key(word) for word in ("است", "هست", "بود", "هستند", "بودند", "می‌باشد", "می‌باشند"))
WHO_IS_OPENINGS = (("who", "is"), ("who", "was"), ("who", "are"), ("who", "were"), ("من", "هو"), ("من", "هي"))


def asks_who_is(question: str, keys: Sequence[str] | None = None) -> bool:
    """Tell whether a question names the person asked for by a role.

    «سفیر ایران در روسیه کیست؟», "Who is Iran's ambassador?", «من هو سفير
    إيران؟» do; «چه کسی گفت ...؟» and «چه کسی با پزشکیان دیدار کرد؟» name what
    the person did instead.

    Args:
        question: The question.
        keys: Its :func:`question_keys`, when already computed.
    """
    keys = question_keys(question) if keys is None else keys
    return bool(keys) and (keys[-1] in WHO_IS_WORDS or tuple(keys[:2]) in WHO_IS_OPENINGS)


def _office_keys(keys: Sequence[str], language: str) -> list[str]:
    """A question's keys with the offices an English or Arabic question
    names (:data:`FOREIGN_OFFICES`) written as the Persian office, so that
    they can be looked for in the articles; a Persian question's as they are."""
    if language == "fa":
        return list(keys)

    def office(phrase: Sequence[str]) -> tuple[str, ...] | None:
        # Arabic writes the article «ال» on the office («السفير»).
        bare = tuple(key[2:] if language == "ar" and key.startswith("ال") and len(key) > 4 else key
                     for key in phrase)
        return FOREIGN_OFFICES.get(bare) or FOREIGN_OFFICES.get(tuple(phrase))

    written: list[str] = []
    for index, persian in longest_entries(keys, office):
        written.extend(persian or (keys[index],))
    return written


def _office_runs(keys: Sequence[str], stop: frozenset[str]) -> list[tuple[int, int, int]]:
    """Each office the question names with the words that qualify it
    («نخست وزیر روسیه», «سفیر جمهوری اسلامی ایران»: up to four words after
    the office, stopping at a stopword or question word), as (first word,
    first word after the office, first word after the run)."""
    runs: list[tuple[int, int, int]] = []
    for index, key in enumerate(keys):
        if runs and index < runs[-1][2]:
            continue  # the «وزیر» of «نخست وزیر», the «رئیس» of «معاون رئیس جمهور»
        if "".join(keys[index:index + 2]) in OFFICE_WORDS and key not in OFFICE_WORDS:
            first, office = index, index + 2  # «نخست وزیر», «رئیس جمهور»
        elif key in OFFICE_WORDS:
            first, office = index, index + 1
        else:
            continue
        last = office
        while last < len(keys) and last - office < 4 and keys[last] not in stop:
            last += 1
        runs.append((first, office, last))
    return runs


def asks_identity(question: str, keys: Sequence[str] | None = None) -> bool:
    """Tell whether a question asks who someone is, by role or by name.

    «... کیست؟», "who is ...", or a question ending in «است»/«بود» («چه
    کسی نخست وزیر روسیه است؟», «پوتین چه کسی است؟»): the words besides
    the question word are an office or a name.

    Args:
        question: The question.
        keys: Its :func:`question_keys`, when already computed.
    """
    keys = question_keys(question) if keys is None else keys
    return bool(keys) and (asks_who_is(question, keys) or keys[-1] in _COPULAS)


def asked_offices(question: str, keys: Sequence[str] | None = None) -> frozenset[str]:
    """The offices (as search keys, written as one word) a who-holds
    question asks about («سفیر», also for "Who is Iran's ambassador?"); none
    for any other question.

    Args:
        question: The question.
        keys: Its :func:`question_keys`, when already computed.
    """
    written, runs, _ = _asked_office_runs(question, keys)
    return frozenset("".join(written[first:office]) for first, office, _ in runs)


def _asked_office_runs(question: str, keys: Sequence[str] | None
                       ) -> tuple[list[str], list[tuple[int, int, int]], str]:
    """A who-holds question's keys with its offices written as the Persian
    office (:func:`_office_keys`), the offices' runs in them
    (:func:`_office_runs`) and the question's language; no runs for any
    other question."""
    keys = question_keys(question) if keys is None else keys
    language = question_language(question)
    if not asks_identity(question, keys):
        return list(keys), [], language
    written = _office_keys(keys, language)
    return written, _office_runs(written, stop_keys(language)), language


# Words written between an office and the country that holds it («سفیر
# جمهوری اسلامی ایران», «رئیس جمهوری فدراسیون روسیه», «رئیسجمهور کشورمان»).
_COUNTRY = search_key("کشور")
_OWNER_FILLERS = frozenset(search_key(word) for word in "جمهور جمهوری اسلامی فدراسیون کشور دولت".split())


def asked_office_owner(question: str, keys: Sequence[str] | None = None) -> str | None:
    """The country whose office a who-holds question asks about: «روسیه»
    for «سفیر روسیه در تهران کیست؟», "Who is Russia's ambassador to Iran?"
    and «من هو سفير روسيا لدى إيران؟».

    Args:
        question: The question.
        keys: Its :func:`question_keys`, when already computed.

    Returns:
        The country's search key, or None when the question asks about no
        office or names no country as the office's.
    """
    written, runs, language = _asked_office_runs(question, keys)
    if not runs:
        return None
    first, office, _ = runs[0]
    candidates = [key for key in written[office:office + 3] if key not in _OWNER_FILLERS][:1]
    if language == "en":
        # "Russia's ambassador", "the ambassador of Russia"
        before = written[first - 1] if first else ""
        candidates = [before[:-2]] if before.endswith("'s") else \
            [key for key in written[office + 1:office + 3] if key != "the"][:1] if written[office:office + 1] == ["of"] \
            else []
    countries = _countries()
    for candidate in candidates:
        persian = (candidate,) if language == "fa" else persian_of(candidate, language) or ()
        if persian and persian[0] in countries:
            return persian[0]
    return None


def _countries() -> frozenset[str]:
    """The glossary's countries (:func:`qa.bridge.places`), as search keys."""
    return places().get(_COUNTRY, frozenset())


def _office_at(words: Sequence[Word], index: int, office: str) -> int | None:
    """Where the office that starts at ``words[index]`` ends (the index of
    the word after it), or None when no office ``office`` (one search key)
    starts there: it may be written joined or spaced («نخستوزیر», «نخست
    وزیر»), and one word may hold more («رییسجمهور» for «رییس»)."""
    if words[index].key.startswith(office):
        return index + 1
    if index + 1 < len(words) and (words[index].key + words[index + 1].key).startswith(office):
        return index + 2
    return None


def office_owners(office: str, sentence: str) -> list[str]:
    """The countries whose ``office`` a sentence writes: «ایران» in «سفیر
    جمهوری اسلامی ایران در فدراسیون روسیه», «روسیه» in «ولادیمیر پوتین
    رئیسجمهور روسیه».

    Args:
        office: The office as one search key («سفیر», «رییس»).
        sentence: The sentence.

    Returns:
        The country (search key) after each mention of the office, in order;
        mentions followed by no country give none.
    """
    countries = _countries()
    words = sentence_words(sentence)
    owners = []
    for index in range(len(words)):
        last = _office_at(words, index, office)
        if last is None or (index and words[index - 1].key in OFFICE_WORDS):
            continue  # not the office, or another one («معاون وزیر ...»)
        following = [other.key for other in words[last:last + 3] if other.key not in _OWNER_FILLERS]
        if following and following[0] in countries:
            owners.append(following[0])
    return owners


def beside_asked_office(question: str, text: str, start: int, end: int,
                        keys: Sequence[str] | None = None) -> bool:
    """Tell whether a span stands in apposition with an office the question
    names while asking about someone else.

    In «نخستوزیر روسیه با چه کسی دیدار کرد؟» the prime minister is the one
    who met, not the one asked for: «میخائیل میشوتسین، نخستوزیر روسیه» (or
    «نخستوزیر روسیه میخائیل میشوتسین») names him, and a reader offered it
    answers with his name. In «نخستوزیر روسیه کیست؟» (:func:`asks_who_is`)
    and «چه کسی نخست وزیر روسیه است؟» (a question ending in «است»), that
    name is the answer.

    Args:
        question: A "who" question.
        text: The text holding the span.
        start: The span's first character in ``text``.
        end: The character after its last.

        keys: The question's :func:`question_keys`, when already computed.

    Returns:
        True when the words right before or right after the span (a comma
        or spaces between) are an office phrase of the question.
    """
    keys = question_keys(question) if keys is None else keys
    if not keys or asks_identity(question, keys):
        return False  # the office's holder is asked for
    language = question_language(question)
    keys = _office_keys(keys, language)
    runs = _office_runs(keys, stop_keys(language))
    # Each run and its beginnings from the office on, written as one string:
    # the text may join what the question spaced («نخستوزیر روسیه»).
    phrases = {"".join(keys[first:cut]) for first, office, last in runs for cut in range(office, last + 1)}
    after = [word.key for word in _words_after(text, end)]
    before = [word.key for word in _words_before(text, start)]
    written = {"".join(after[:cut]) for cut in range(1, len(after) + 1)} | \
        {"".join(before[cut:]) for cut in range(len(before))}
    return bool(phrases & written)


def holds_other_office(question: str, text: str, start: int, end: int,
                       keys: Sequence[str] | None = None) -> bool:
    """Tell whether a span names the holder of another office than the one
    a "who is" question asks about.

    «وزیر خارجه روسیه کیست؟»: «سرگئی ریابکوف معاون وزیر امور خارجه روسیه»
    names the deputy minister, not the minister, and «مسعود پزشکیان رئیس
    جمهوری اسلامی ایران» is not the ambassador the reader was asked about.

    Args:
        question: A "who" question.
        text: The text holding the span.
        start: The span's first character in ``text``.
        end: The character after its last.

        keys: The question's :func:`question_keys`, when already computed.

    Returns:
        True when the question asks who holds an office and the first office
        title after the span's first word (in the span, or right after it: a
        comma or spaces between) is another office's.
    """
    offices = asked_offices(question, question_keys(question) if keys is None else keys)
    if not offices:
        return False
    words = sentence_words(text[start:end]) + _words_after(text, end)
    for index, word in enumerate(words):
        if word.key in OFFICE_WORDS or "".join(other.key for other in words[index:index + 2]) in OFFICE_WORDS:
            title = "".join(other.key for other in words[index:])
            return not any(title.startswith(office) for office in offices)
    return False


# Words for a group of people: none is the one holder of an office.
GROUP_WORDS = frozenset(search_key(word) for word in (
    "سران رهبران مقامات مسئولان مسوولان کارشناسان مردم نمایندگان رؤسای روسای اعضای اعضا مقام‌ها "
    "وزرای مدیران فرماندهان دولتمردان سیاستمداران").split())


def office_fits(question: str, sentence: str, start: int, end: int, keys: Sequence[str] | None = None,
                others: Sequence[str] = ()) -> bool:
    """Tell whether a span can be the person a "who" question asks for, as
    far as the offices it names go.

    Asked with whom an office holder met, the holder is not the answer
    (:func:`beside_asked_office`). Asked who holds an office, the holder of
    another is not (:func:`holds_other_office`), nor, in a sentence that
    names the office, a phrase after it that is not set off as its holder's
    name: «معاون اجرایی رئیس جمهوری از استان خوزستان ... نام برد» names no
    one, and the reader answered «معاون اجرایی رئیس جمهوری کیست؟» with
    «خوزستان». The holder comes before the office (the subject: «هیتلر در
    سال ۱۹۲۱ رهبر حزب شد»), right after it («سفیر ایران در روسیه کاظم
    جلالی»), or in another sentence («کاظم جلالی روز جمعه ... افزود» after
    «سفیر ... گفت»). Nor is a name that another sentence read with it gives
    another office: «مسعود پزشکیان» in «دکتر مسعود پزشکیان روز گذشته در
    دیدار ...» is «مسعود پزشکیان رئیس جمهوری اسلامی ایران» in the next, not
    the ambassador asked about.

    Args:
        question: A "who" question.
        sentence: The sentence holding the span.
        start: The span's first character in ``sentence``.
        end: The character after its last.
        keys: The question's :func:`question_keys`, when already computed
            (the reader tries up to ten spans of one question).
        others: The other sentences read with it.
    """
    keys = question_keys(question) if keys is None else keys
    if beside_asked_office(question, sentence, start, end, keys) \
            or holds_other_office(question, sentence, start, end, keys):
        return False
    offices = asked_offices(question, keys)
    name = sentence[start:end]
    name_words = sentence_words(name)
    if offices and name_words and name_words[0].key in GROUP_WORDS:
        # «سران ...», the subject after «... معاون وزیر امور خارجه روسیه،»:
        # a group (the phrase's head comes first) holds no office.
        return False
    for other in others:
        found = other.find(name)
        while found >= 0:
            if holds_other_office(question, other, found, found + len(name), keys):
                return False
            found = other.find(name, found + 1)
    words = sentence_words(sentence)
    named = [index for index in range(len(words)) if any(_office_at(words, index, office) for office in offices)]
    inside = [index for index, word in enumerate(words) if start <= word.start and word.end <= end]
    if not named or not inside or any(index >= inside[0] for index in named):
        return True  # no office asked about, or named in the span or after it
    # Every mention of the office comes before the span: only the office's
    # own words, or words that are no stopword, may stand between.
    stop, asked = stopwords(), set(keys)
    between = words[named[-1] + 1:inside[0]]
    return (words[inside[0]].key not in stop and words[inside[0]].key not in asked
            and len(between) <= _OFFICE_DISTANCE
            and all(word.key not in stop or word.key in asked for word in between))


def _words_after(text: str, end: int) -> list[Word]:
    """Up to six words right after ``end``, when only spaces or a comma
    stand between."""
    words = sentence_words(text[end:])
    if words and not text[end:end + words[0].start].strip(" ،,\u200c"):
        return words[:6]
    return []


def _words_before(text: str, start: int) -> list[Word]:
    """Up to six words right before ``start``, when only spaces or a comma
    stand between."""
    words = sentence_words(text[:start])
    if words and not text[words[-1].end:start].strip(" ،,\u200c"):
        return words[-6:]
    return []


def trim_to_kind(kind: str | None, text: str) -> tuple[int, int]:
    """Return the part of a span from its first to its last date (number) word.

    For "when" and "how many" a proposed span often carries words before or
    after the date («مسعود پزشکیان رئیسجمهور جمعه ۲۸ دیماه ۱۴۰۳»); the answer
    is the date. Other kinds, and spans without such a word, are kept whole.

    Args:
        kind: ``QuestionShape.kind``.
        text: The span.

    Returns:
        ``(start, end)`` offsets into ``text``.
    """
    if kind == "date":
        test = _is_date_word
    elif kind == "number":
        # A count keeps its unit, and time units are date words: «سه سال».
        def test(key: str) -> bool:
            return _is_number_word(key) or _is_date_word(key)
    else:
        return 0, len(text)
    words = sentence_words(text)
    inside = [word for word in words if test(word.key)]
    if not inside:
        return 0, len(text)
    return inside[0].start, inside[-1].end


def _type_score(kind: str | None, words: Sequence[Word], left: Word | None) -> float:
    """How much the span looks like the asked type: 1 all of it, 0 unsure,
    negative when it cannot be (a date without a date word)."""
    if kind in (None, "other"):
        return 0.0
    keys = [word.key for word in words]
    if kind in ("date", "number"):
        test = _is_date_word if kind == "date" else _is_number_word
        # Only runs of date (number) words, joined inside by «تا», «و», «از»:
        # "جمعه ۲۸ دیماه ۱۴۰۳", "۵ تا ۲۱ اوت ۲۰۱۶", "۴ میلیارد دلار".
        if not (test(keys[0]) and test(keys[-1])):
            return -1.0
        return 1.0 if all(test(key) or key in _CONNECTORS for key in keys) else -1.0
    # A person or a place is not a date or a number ("در سال ۲۰۲۴" is not where).
    dated = any(_is_date_word(key) or _is_number_word(key) for key in keys)
    if kind == "person":
        if dated or all(key in _TITLES for key in keys):
            return -1.0  # a date, or a bare title ("دکتر") without the name
        return 1.0 if (left is not None and left.key in _TITLES) or keys[0] in _TITLES else 0.0
    if kind == "place":
        if dated:
            return -1.0
        return 1.0 if left is not None and left.key in ("در", "به", "از") + _PLACE_WORDS else 0.0
    return 0.0


def _cuts(kind: str | None, words: Sequence[Word], first: int, last: int) -> int:
    """Count the span's edges that cut a date or a number in two."""
    test = _is_date_word if kind == "date" else _is_number_word if kind == "number" else None
    if test is None:
        return 0
    return (first > 0 and test(words[first - 1].key)) + (last + 1 < len(words) and test(words[last + 1].key))


def _phrase_cuts(sentence: str, words: Sequence[Word], first: int, last: int,
                 question_words: frozenset[str], stop: frozenset[str]) -> int:
    """Count the span's edges that split a phrase: the word beyond the edge
    is a content word, not a question word, with no punctuation between.
    Phrases end at stopwords (را، در، که، و), titles and punctuation."""
    cut = 0
    if first > 0:
        before = words[first - 1]
        joined = sentence[before.end:words[first].start].strip() == ""
        cut += joined and before.key not in stop and before.key not in question_words and before.key not in _TITLES
    if last + 1 < len(words):
        after = words[last + 1]
        joined = sentence[words[last].end:after.start].strip() == ""
        cut += joined and after.key not in stop and after.key not in question_words
    return cut


def score_spans(question: str, sentence: str, weights: ShortAnswerWeights = DEFAULT_WEIGHTS,
                shape: QuestionShape | None = None, concepts: Sequence[str] = ()) -> list[SpanCandidate]:
    """Score every candidate span of ``sentence`` as the answer to ``question``.

    Args:
        question: The question.
        sentence: One sentence (a cited one).
        weights: Score weights.
        shape: The question's shape, when already computed.
        concepts: An English or Arabic question's words as the articles
            write them: question words like the Persian question's own.

    Returns:
        Candidates, best first (offsets into ``sentence``).
    """
    shape = shape or question_shape(question)
    words = sentence_words(sentence)
    if not words:
        return []
    question_words = shape.words | {search_key(concept) for concept in concepts}
    matched = [index for index, word in enumerate(words) if word.key in question_words]
    if not matched:
        return []
    stop = stop_keys()
    total = max(1, len(shape.before) + len(shape.after))
    candidates = []
    for first in range(len(words)):
        for last in range(first, min(len(words), first + MAX_WORDS)):
            span = words[first:last + 1]
            if any(word.key in question_words for word in span):
                break  # longer spans from here repeat a question word too
            left_context = {word.key for word in words[max(0, first - WINDOW):first]}
            right_context = {word.key for word in words[last + 1:last + 1 + WINDOW]}
            aligned = (len(shape.before & left_context) + len(shape.after & right_context)) / total
            # Persian questions keep the statement's order, but the subject
            # may also come after the answer ("... ریو برگزار شد، بازی‌ها ...").
            crossed = (len(shape.before & right_context) + len(shape.after & left_context)) / total
            distance = min(min(abs(index - first), abs(index - last)) for index in matched)
            nearness = 1.0 / (1.0 + distance)
            left = words[first - 1] if first else None
            # "سفیر ایران ... کیست": the asked-about title is followed by its
            # complement ("جمهوری اسلامی ایران"), not by the name.
            type_score = _type_score(shape.kind, span, None if left is not None and left.key in question_words else left)
            if shape.head and left is not None and left.key in (shape.head, shape.head + "ی", shape.head + "های"):
                type_score = max(type_score, 1.0)
            if type_score < 0:
                continue  # "when" answered without a date word: better no short answer

            opens = sentence[max(0, span[0].start - 1):span[0].start] == "«"
            closes = sentence[span[-1].end:span[-1].end + 1] == "»"
            quoted = opens and closes
            edges = (span[0].key in stop) + (span[-1].key in stop)
            # A span that stops inside a date, a number or a quotation is
            # cut short: "۲۸ دی" of "۲۸ دی ماه ۱۴۰۳", half of «ریو دو ژانیرو».
            cut = _cuts(shape.kind, words, first, last) + (opens != closes)
            # Answers seldom run across a comma, colon or bracket.
            cut += sum(mark in sentence[span[0].end:span[-1].start] for mark in "،,:؛;()")
            cut += weights.phrase_cut_share * _phrase_cuts(sentence, words, first, last, question_words, stop)
            score = (weights.alignment * (aligned + 0.5 * crossed) + weights.nearness * nearness
                     + (weights.type_match * type_score if type_score > 0 else weights.type_mismatch * type_score)
                     + weights.quoted * quoted - weights.length * (len(span) - 1)
                     - weights.edge_stopword * edges - weights.cut * cut)
            candidates.append(SpanCandidate(span[0].start, span[-1].end, score))
    candidates.sort(key=lambda candidate: -candidate.score)
    return candidates


def best_span(question: str, sentences: Sequence[str], weights: ShortAnswerWeights = DEFAULT_WEIGHTS, *,
              bridged: BridgedQuestion | None = None) -> tuple[int, SpanCandidate] | None:
    """Return (sentence position, span) of the best short answer among sentences, or None.

    Args:
        question: The question.
        sentences: The answer's sentences, best first.
        weights: Score weights.
        bridged: An English or Arabic question in the articles' words:
            its concepts count as question words (:func:`score_spans`).

    Returns:
        The best span and which sentence holds it; None when no span scores
        at least ``weights.min_score``.
    """
    shape = question_shape(question)
    if shape.kind is None:
        return None  # a search for words ("کازان"), not a question: nothing to pick out
    best: tuple[int, SpanCandidate] | None = None
    for position, sentence in enumerate(sentences):
        spans = score_spans(question, sentence, weights, shape, bridged.tokens if bridged else ())
        # The first sentence is the best evidence: a later one must do better.
        if spans and (best is None or spans[0].score > best[1].score + 0.25 * position):
            best = (position, spans[0])
    if best is None or best[1].score < weights.min_score:
        return None
    return best


# A clause is cut at punctuation and at «که».
_CLAUSE_BREAK = re.compile(r"[،,:؛;]|\s+که\s+")
# Per sentence after the first, for a clause read as the answer
# (describing_complement, qa.yes_no.yes_no_clause): the first is the best
# evidence, and a later one must hold clearly more of the question to win.
LATER_SENTENCE = 1.0
_CLAUSE_MIN_WORDS = 3


def clauses(sentence: str) -> list[Span]:
    """Split a sentence into clauses at «،», «:», «؛» and «که» (offsets into it, trimmed).

    A piece of fewer than :data:`_CLAUSE_MIN_WORDS` words (an item of a list,
    «ایران، روسیه، برزیل، ...») stays with the piece after it, or, last in
    the sentence, with the piece before («سفر شما به مسکو، تاریخی است»);
    never across a colon, after which a quote starts («گفت: ...»).
    """
    cuts = [(match.start(), match.end()) for match in _CLAUSE_BREAK.finditer(sentence)]
    pieces = list(zip([0] + [end for _, end in cuts], [start for start, _ in cuts] + [len(sentence)]))
    quote_after = [":" in sentence[start:end] for start, end in cuts]
    groups: list[list[int]] = [[0]] if pieces else []
    for number in range(1, len(pieces)):
        previous = groups[-1][-1]
        joins = not quote_after[number - 1] and (
            _is_short(sentence, pieces[previous]) or
            (number == len(pieces) - 1 and _is_short(sentence, pieces[number])))
        if joins:
            groups[-1].append(number)
        else:
            groups.append([number])
    spans: list[Span] = []
    for group in groups:
        start, end = pieces[group[0]][0], pieces[group[-1]][1]
        piece = sentence[start:end]
        stripped = piece.strip(" \t\n.!?؟\u200c")
        if stripped:
            offset = start + piece.index(stripped)
            spans.append(Span(offset, offset + len(stripped)))
    return spans


def _is_short(sentence: str, piece: tuple[int, int]) -> bool:
    return len(sentence[piece[0]:piece[1]].split()) < _CLAUSE_MIN_WORDS




# «... چگونه است؟», «... را چگونه توصیف کرد؟»: the answer is what a clause
# says its subject is, the words before the copula.
_HOW_WORDS = frozenset({search_key("چگونه"), search_key("چطور")})
_DESCRIBING_VERBS = frozenset(search_key(word) for word in (
    "است", "هست", "بود", "هستند", "بودند", "می‌باشد", "توصیف", "ارزیابی", "دانست", "خواند", "نامید"))

_COMPLEMENT_WORDS = 8
# Words that open what follows the subject but are not what it is said to be
# («... گردشگری نیز رشد خوبی داشته است»). hazm's stopwords would take «رشد» too.
_COMPLEMENT_OPENERS = frozenset(search_key(word) for word in ("نیز", "هم", "همچنین", "و", "که", "را"))


def _is_auxiliary(words: Sequence[Word], stop: frozenset[str]) -> bool:
    """«سفر کرده است»: a past participle before «است» makes a tense, not a description."""
    return len(words) == 1 and words[0].key in stop and words[0].key.endswith(("ده", "ته"))


def asks_description(question: str) -> bool:
    """Tell whether a question asks what something is like («چگونه است؟», «را چگونه توصیف کرد؟»)."""
    keys = [word.key for word in sentence_words(question)]
    return any(key in _HOW_WORDS and any(after in _DESCRIBING_VERBS for after in keys[position + 1:position + 3])
               for position, key in enumerate(keys))


def describing_complement(question: str, sentences: Sequence[str]) -> tuple[int, Span] | None:
    """Return what a clause says its subject is, for a "what is it like" question.

    «به گفته پزشکیان ارتباط ایران با روسیه چگونه است؟» is answered by «ارتباط
    ما با روسیه صمیمانه و راهبردی است»: the words after the last word the
    clause shares with the question and before its copula, «صمیمانه و
    راهبردی». Only clauses inside a quote count (after «گفت:»): news reports
    how someone described a thing, and elsewhere the reader does better. The
    clause sharing most words with the question wins, in an earlier sentence
    on a tie.

    Args:
        question: The question (:func:`asks_description` tells when this applies).
        sentences: The answer's sentences, best first.

    Returns:
        (sentence position, span in it), or None when the question does not
        ask for a description or no quoted clause ends with a copula after
        a question word.
    """
    if not asks_description(question):
        return None
    stop = stop_keys("fa")
    asked = {word.key for word in sentence_words(question)} - stop - _HOW_WORDS - _DESCRIBING_VERBS
    best: tuple[float, int, Span] | None = None
    for position, sentence in enumerate(sentences):
        for clause in clauses(sentence):
            # Only inside a quote («... گفت: ارتباط ما ... است»): news reports
            # how someone described a thing. Elsewhere, as in encyclopedia
            # text, the reader does better (PQuAD: 20 such questions lost F1).
            if ":" not in sentence[:clause.start]:
                continue
            words = sentence_words(sentence[clause.start:clause.end])
            if len(words) < 2 or words[-1].key not in _COPULAS:
                continue
            shared = [number for number, word in enumerate(words[:-1]) if word.key in asked]
            if not shared:
                continue
            complement = words[shared[-1] + 1:-1]
            while complement and complement[0].key in _COMPLEMENT_OPENERS:
                complement = complement[1:]
            if not complement or len(complement) > _COMPLEMENT_WORDS or _is_auxiliary(complement, stop):
                continue
            score = len(shared) - LATER_SENTENCE * position
            if best is None or score > best[0]:
                span = Span(clause.start + complement[0].start, clause.start + complement[-1].end)
                best = (score, position, span)
    return (best[1], best[2]) if best else None
