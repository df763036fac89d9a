"""Persian search words for a question asked in English or Arabic.

BM25 matches words, and an English or Arabic question shares none with
Persian articles but stray numbers: "Who is the prime minister of Russia?"
finds the passage that names «نخست‌وزیر روسیه» only by meaning, and e5-small's
cross-lingual meaning ranks it ninth. A bridge writes the question's words
as the Persian words the articles use, for the lexical retriever alone:

* news words through a glossary (``qa/glossary.tsv``: "airport" →
  «فرودگاه», «مطار» → «فرودگاه»), with the offices of
  :data:`FOREIGN_OFFICES`;
* names through their sound among the index's own words
  (:func:`~qa.text.name_skeleton`: "Mishustin" → «میشوتسین», «بزشكيان» →
  «پزشکیان»): a name is the one word no glossary can hold;
* Arabic words the articles write the same way («تفاهم», «الاقتصادي» →
  «اقتصادی»), their article «ال» and joined prefixes off.

Each Persian word also stands for its inflected forms in the index
(«تحریم» for «تحریمها», «تحریمهای»): the articles' forms, not the glossary's.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from .types import BridgedQuestion
from .text import (ARABIC_FUNCTION_WORDS, ENGLISH_FUNCTION_WORDS, name_skeleton, neighbour_swaps, search_key,
                   search_tokens, stopwords)

GLOSSARY_FILE = Path(__file__).with_name("glossary.tsv")

# Offices named in English and Arabic questions, as the Persian office the
# articles write: "Who is the prime minister of Russia?" asks for the
# «نخست‌وزیر», and so does «رئيس وزراء روسيا» (Arabic puts «رئيس» first, which
# alone reads as «رئیس»). "President" stays the broad «رئیس»: the president of
# a research centre is one too.
FOREIGN_OFFICES: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(search_key(foreign).split()): tuple(search_key(persian).split()) for foreign, persian in (
        ("prime minister", "نخست وزیر"), ("premier", "نخست وزیر"), ("vice president", "معاون"),
        ("deputy", "معاون"), ("president", "رئیس"), ("head", "رئیس"), ("chairman", "رئیس"),
        ("ambassador", "سفیر"), ("envoy", "سفیر"), ("minister", "وزیر"), ("spokesman", "سخنگو"),
        ("spokeswoman", "سخنگو"), ("spokesperson", "سخنگو"), ("director", "مدیر"), ("manager", "مدیر"),
        ("secretary general", "دبیرکل"), ("secretary", "دبیر"), ("representative", "نماینده"),
        ("commander", "فرمانده"), ("leader", "رهبر"), ("governor", "استاندار"), ("mayor", "شهردار"),
        ("adviser", "مشاور"), ("advisor", "مشاور"), ("prosecutor", "دادستان"), ("counterpart", "همتای"),
        ("member", "عضو"), ("senator", "سناتور"), ("chancellor", "صدراعظم"), ("king", "پادشاه"),
        ("emir", "امیر"), ("crown prince", "ولیعهد"),
        ("رئيس وزراء", "نخست وزیر"), ("رئيس الوزراء", "نخست وزیر"), ("نائب الرئيس", "معاون"),
        ("نائب", "معاون"), ("رئيس", "رئیس"), ("سفير", "سفیر"), ("وزير", "وزیر"), ("متحدث", "سخنگو"),
        ("ناطق", "سخنگو"), ("مدير", "مدیر"), ("الأمين العام", "دبیرکل"), ("أمين عام", "دبیرکل"),
        ("ممثل", "نماینده"), ("قائد", "فرمانده"), ("زعيم", "رهبر"), ("محافظ", "استاندار"),
        ("مستشار", "مشاور"), ("ملك", "پادشاه"), ("أمير", "امیر"), ("ولي العهد", "ولیعهد"), ("عضو", "عضو"))
}

# Words that say nothing of a topic in an Arabic question, with the
# question words of ARABIC_FUNCTION_WORDS (search keys).
_ARABIC_STOPWORDS = frozenset(search_key(word) for word in (
    "من", "في", "إلى", "على", "عن", "مع", "بين", "بعد", "قبل", "خلال", "حول", "منذ", "عند", "لدى", "كم", "أي",
    "أية", "هذا", "هذه", "ذلك", "تلك", "هل", "لم", "لن", "قد", "كان", "كانت", "قال", "قالت", "أن", "إن", "إنه",
    "انه", "أنه", "التي", "الذي", "الذين", "ما", "ماذا", "مرة", "ثم", "أو", "كل", "بعض", "عدد", "وفق", "حسب",
    "بأنه", "بان", "بأن", "نحو", "إلى", "لأول", "الأول", "اول")) | frozenset(
    search_key(word) for word in ARABIC_FUNCTION_WORDS)
# Words after which a question names its topic: "What did the ambassador
# say about the agreement?" (before them, who spoke).
_ENGLISH_ABOUT = frozenset({"about", "regarding", "concerning"})
_ARABIC_ABOUT = frozenset(search_key(word) for word in ("عن", "حول", "بشأن", "بخصوص"))
# Question words followed by the kind of thing asked for: "which airport",
# "whose anniversary", «أي مطار», «ما هو الاتحاد الذي ...».
_ENGLISH_WHICH = frozenset({"which", "what", "whose"})
_ARABIC_WHICH = frozenset(search_key(word) for word in ("أي", "أية", "اي", "اية", "ما"))
# «ما هو» / «ما هي»: "what is", the pronoun before the thing asked for.
_ARABIC_COPULAS = frozenset(search_key(word) for word in ("هو", "هي"))
# Most words of the phrase naming what a "which" question asks for.
_LONGEST_ASKED = 3
# Persian endings an article's word may carry after the glossary's form
# (the seed articles lost their ZWNJs: «تحریمها», «همکاریهای»).
_ENDINGS = ("ها", "های", "هایی", "ی", "ای", "ان", "ات", "یها", "یهای")
# English endings taken off a question's word when the word itself is not in
# the glossary (the possessive "'s" is off already).
_ENGLISH_ENDINGS = ("ies", "es", "s", "ed", "ing", "d")
# Arabic letters joined before a word: و "and", ب "in/with", ل "to", ف "so".
_ARABIC_PREFIXES = ("و", "ب", "ل", "ف", "وب", "ول", "فب")
# Short words BM25's joined pairs put before or after a name («پزشکیانو»).
_JOINERS = ("و", "به", "با", "از", "در", "را", "که", "این", "آن")
_ARABIC_HOW_MANY = search_key("كم")
_ARABIC_NUMBER = search_key("عدد")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'s)?")
_LONGEST_PHRASE = 4
# How alike, with their vowels, a name and a word of its skeleton must sound
# (difflib's ratio), and how far below the likest a word may be.
_MIN_LIKENESS = 0.7
_LIKENESS_MARGIN = 0.05


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Return the glossary: foreign phrase (search-key words) → Persian words.

    Read from ``qa/glossary.tsv`` and the offices of :data:`FOREIGN_OFFICES`.
    """
    entries = dict(FOREIGN_OFFICES)
    for foreign, persian, _ in _glossary_lines():
        entries.setdefault(tuple(search_key(foreign).split()), tuple(search_key(persian).split()))
    return entries


@lru_cache(maxsize=1)
def places() -> dict[str, frozenset[str]]:
    """Return the glossary's places by kind: the noun Persian writes before
    a place of the kind → the places' names (search keys): «شهر» → {«مسکو»,
    «تهران», ...}, «کشور» → {«ایران», «روسیه», ...}."""
    kinds: dict[str, set[str]] = {}
    for _, persian, kind in _glossary_lines():
        names = search_key(persian).split()
        if kind and names:
            kinds.setdefault(search_key(kind), set()).add(names[0])
    return {kind: frozenset(names) for kind, names in kinds.items()}


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every place of :func:`places`, whatever its kind."""
    return frozenset().union(*places().values())


def persian_of(word: str, language: str) -> tuple[str, ...] | None:
    """The glossary's Persian (search keys) for one English or Arabic word
    («روسیا», "russia" → («روسیه»,)), or None when it has none.

    Args:
        word: The word's search key.
        language: ``en`` or ``ar``.
    """
    return _english_entry((word,)) if language == "en" else _arabic_entry((word,))


def _glossary_lines() -> list[tuple[str, str, str]]:
    """The glossary file's entries: (foreign, Persian words, kind or "")."""
    lines = []
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        foreign, _, rest = line.partition("\t")
        persian, _, kind = rest.partition("\t")
        lines.append((foreign, persian, kind.strip()))
    return lines


class Bridge:
    """Writes English and Arabic questions as Persian search tokens of one index.

    Args:
        vocabulary: The index's lexical tokens (BM25's vocabulary).
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._known = frozenset(word for word in vocabulary if " " not in word)
        self._sounds: dict[str, list[str]] | None = None

    def _by_sound(self) -> dict[str, list[str]]:
        # Built on the first foreign name asked about, one skeleton a word:
        # 0.7 s for the 98,000 tokens of PQuAD's 1,103 paragraphs (2-core Intel Xeon).
        if self._sounds is None:
            sounds: dict[str, list[str]] = {}
            for word in self._known:
                if not word.isdigit() and not word.isascii() and not self._is_pair(word):
                    skeleton = name_skeleton(word)
                    if len(skeleton) >= 3:
                        sounds.setdefault(skeleton, []).append(word)
            self._sounds = sounds
        return self._sounds

    def _is_pair(self, word: str) -> bool:
        """Whether a token is two words written as one with a stopword
        («پزشکیانو» is «پزشکیان و»): BM25 indexes those pairs too."""
        for joiner in _JOINERS:
            if (word.startswith(joiner) and word[len(joiner):] in self._known) or \
                    (word.endswith(joiner) and word[:-len(joiner)] in self._known):
                return True
        return False

    def sounding(self, name: str) -> list[str]:
        """Return the index's words that sound like ``name``: the same
        skeleton (:func:`~qa.text.name_skeleton`), or for a long one two
        neighbouring consonants swapped (Mishustin, «میشوتسین»). Shorter
        skeletons must be equal: with a swap, "Putin" (btn) would meet
        «بنیاد» (bnt)."""
        skeleton = name_skeleton(name)
        if len(skeleton) < 3:
            return []
        variants = {skeleton} | (neighbour_swaps(skeleton) if len(skeleton) >= 5 else set())
        table = self._by_sound()
        candidates = {word for variant in variants for word in table.get(variant, ())}
        if not candidates:
            return []
        # A skeleton is coarse: in PQuAD's 98,000 words "Putin" (btn) also
        # sounds like «بدن», «بایدن» and «ابادان». The vowels tell them apart
        # («پوتین» and "Putin" are both bUtIn): the nearest ones are kept.
        heard = name_skeleton(name, vowels=True)
        likeness = {word: SequenceMatcher(None, heard, name_skeleton(word, vowels=True)).ratio()
                    for word in candidates}
        best = max(likeness.values())
        return sorted(word for word, value in likeness.items()
                      if value >= _MIN_LIKENESS and value >= best - _LIKENESS_MARGIN)

    def forms(self, persian: str) -> list[str]:
        """Return the index's forms of a Persian word: itself and it with a
        Persian ending (:data:`_ENDINGS`), those the index holds."""
        return sorted(word for word in (persian, *(persian + ending for ending in _ENDINGS)) if word in self._known)

    def _persian(self, words: Sequence[str]) -> list[str]:
        # search_tokens adds the pair written as one («نخست وزیر» →
        # «نخستوزیر»), as the seed articles write it.
        return list(dict.fromkeys(form for token in search_tokens(" ".join(words)) for form in self.forms(token)))

    def read(self, question: str, language: str) -> BridgedQuestion:
        """Write an English or Arabic question in the index's Persian words.

        Args:
            question: The question as asked.
            language: Its language (:func:`~qa.text.question_language`),
                ``en`` or ``ar``.

        Returns:
            Its concepts, one group of Persian tokens each (the question's
            words the bridge cannot write left out), and the names it gives
            that the articles never write (English only: Arabic has no
            capitals to tell a name).
        """
        if language == "en":
            return self._english(question)
        return self._arabic(question)

    def _english(self, question: str) -> BridgedQuestion:
        found = _LATIN_WORD.findall(question)
        keys = [word.casefold().removesuffix("'s") for word in found]
        absent: list[str] = []
        names: list[str] = []

        def unlisted(index: int) -> tuple[str, ...]:
            word, key = found[index], keys[index]
            # Names are written with a capital; a lower-case English word
            # that no glossary holds sounds like Persian words by chance.
            if key in ENGLISH_FUNCTION_WORDS or not word[:1].isupper():
                return ()
            sounding = tuple(self.sounding(key))
            # Two consonants or fewer ("Jalali", jl) say too little to
            # tell that a name is absent.
            if not sounding and len(name_skeleton(key)) >= 3:
                absent.append(word)
            names.extend(sounding)
            return sounding

        placed, absent_words, modifiers = self._walk(keys, _english_entry, unlisted)
        # English puts the thing asked for last ("which American foundation's
        # experts": the foundation), before a function word or after "'s".
        possessives = {index for index, word in enumerate(found) if word.casefold().endswith("'s")}
        asked = _english_asked(placed, keys, possessives)
        groups = [group for _, group in placed]
        # Persian words in an English question are the articles' own: a
        # follow-up rewritten with the earlier answer's name ("What did
        # کاظم جلالی say ...?").
        persian = " ".join(re.findall(r"[^\x00-\x7f]+", question))
        groups.extend((token,) for token in dict.fromkeys(search_tokens(persian)) if token in self._known)
        return BridgedQuestion(_concepts(groups), tuple(absent), _about(placed, keys, _ENGLISH_ABOUT), absent_words,
                               asked, tuple(dict.fromkeys(names)), _english_counted(keys), modifiers)

    def _arabic(self, question: str) -> BridgedQuestion:
        keys = self._joined_names([word for word in re.findall(r"\w+", search_key(question)) if not word.isdigit()])
        names: list[str] = []

        def unlisted(index: int) -> tuple[str, ...]:
            key = keys[index]
            if key in _ARABIC_STOPWORDS:
                return ()
            stems = _arabic_stems(key)
            written = [stem for stem in stems if stem in self._known and stem not in stopwords()]
            if written:
                return (written[0],)
            # An Arabic verb of a three-letter root is four letters with
            # its prefix («تعقد», "is held") and sounds like Persian
            # words by chance («تاکید»); names are longer.
            for stem in (stem for stem in stems if len(stem) >= 5):
                sounding = self.sounding(stem)
                if sounding:
                    names.extend(sounding)
                    return tuple(sounding)
            return ()

        placed, absent_words, modifiers = self._walk(keys, _arabic_entry, unlisted)
        asked = _arabic_asked(placed, keys)
        return BridgedQuestion(_concepts([group for _, group in placed]), (), _about(placed, keys, _ARABIC_ABOUT),
                               absent_words, asked, tuple(dict.fromkeys(names)), _arabic_counted(keys), modifiers)

    def _joined_names(self, keys: list[str]) -> list[str]:
        """Two words the index writes as one, joined: Arabic writes
        Ashgabat «عشق آباد», the articles (without their ZWNJs) «عشقآباد»."""
        joined: list[str] = []
        for key in keys:
            if joined and joined[-1] + key in self._known and joined[-1] not in self._known:
                joined[-1] += key
            else:
                joined.append(key)
        return joined

    def _walk(self, keys: Sequence[str], entry: Callable[[Sequence[str]], tuple[str, ...] | None],
              unlisted: Callable[[int], tuple[str, ...]],
              ) -> tuple[list[tuple[int, tuple[str, ...]]], tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """Write a question's words in the index's Persian words.

        Args:
            keys: The question's words.
            entry: The glossary's Persian for a run of them
                (:func:`longest_entries`).
            unlisted: The Persian tokens for the word at a position that
                starts no glossary phrase (``()`` for none).

        Returns:
            (position of its first word, its tokens) for each phrase and
            word (no tokens where nothing is written), the glossary words
            the index never writes (:meth:`_written`), and the modifiers:
            tokens of entries whose Persian words are all stopwords, written
            only as a pair («نخستین بار» → «نخستینبار» for "first").
        """
        placed: list[tuple[int, tuple[str, ...]]] = []
        absent_words: list[str] = []
        modifiers: list[tuple[str, ...]] = []
        known_stopwords = stopwords()
        for index, persian in longest_entries(keys, entry):
            written = self._written(persian, keys[index], absent_words) if persian else unlisted(index)
            placed.append((index, written))
            # (The glossary's Persian words are search keys already.)
            if persian and written and all(word in known_stopwords for word in persian):
                modifiers.append(written)
        return placed, tuple(absent_words), tuple(modifiers)

    def _written(self, persian: Sequence[str], word: str, absent_words: list[str]) -> tuple[str, ...]:
        """The index's tokens for a glossary entry's Persian words; when there
        are none, ``word`` joins ``absent_words`` unless a Persian word is a
        stopword (BM25 leaves those out: «نخستین» for "first" is written
        but not indexed)."""
        written = tuple(self._persian(persian))
        if not written and not any(search_key(persian_word) in stopwords() for persian_word in persian):
            absent_words.append(word)
        return written


def _after_marker(keys: Sequence[str], markers: frozenset[str]) -> int | None:
    """Position of the word after the first of ``markers`` among ``keys``, or None."""
    return next((position + 1 for position, key in enumerate(keys) if key in markers), None)


def _about(placed: Sequence[tuple[int, tuple[str, ...]]], keys: Sequence[str], markers: frozenset[str],
           ) -> tuple[tuple[str, ...], ...]:
    """The concepts written after the first "about" marker among ``keys`` (none without one)."""
    start = _after_marker(keys, markers)
    return () if start is None else _concepts([group for index, group in placed if index >= start])


def _english_asked(placed: Sequence[tuple[int, tuple[str, ...]]], keys: Sequence[str],
                   possessives: set[int]) -> tuple[tuple[str, ...], ...]:
    """What a "which" question asks for: the noun phrase after the first
    "which", "what" or "whose", its noun first (English puts it last:
    "which American foundation's experts" asks for a foundation).

    The phrase ends at a function word, a verb in "-ed" (not its first
    word: "what shared element" asks for an element), a possessive
    ("which group's summit": the group), or after three words. Empty when
    the question word is followed by a function word ("what did ...",
    "what is ...") or the glossary cannot write the phrase's noun.
    """
    start = _after_marker(keys, _ENGLISH_WHICH)
    if start is None:
        return ()
    end = min(start + _LONGEST_ASKED, len(keys))
    for position in range(start, end):
        key = keys[position]
        if key in ENGLISH_FUNCTION_WORDS or (position > start and key.endswith("ed") and len(key) > 4):
            end = position
            break
        if position in possessives:
            end = position + 1
            break
    phrase = [group for index, group in placed if start <= index < end]
    if phrase and not phrase[-1] and end - 1 in possessives:
        # The owner's noun is not written in the articles, the thing it
        # owns may be, and Persian names the owner right after it: "which
        # news agency's reporter" is «خبرنگار ایرنا» in articles that never
        # write «خبرگزاری».
        owned = dict(placed).get(end)
        return (owned,) if owned else ()
    if not phrase or not phrase[-1]:
        return ()
    return _concepts(phrase[::-1])


def _arabic_asked(placed: Sequence[tuple[int, tuple[str, ...]]], keys: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """What a "which" question asks for: the noun after «أي» (or «ما هو»)
    and the adjectives after it, which Arabic marks with «ي»/«ية»
    («أي شبكة تلفزيونية أمريكية أجرت ...»: a television network, American)."""
    start = _after_marker(keys, _ARABIC_WHICH)
    if start is not None and start < len(keys) and keys[start] in _ARABIC_COPULAS:
        start += 1
    groups = dict(placed)
    if start is None or not groups.get(start):
        return ()
    phrase = [groups[start]]
    for position in range(start + 1, min(start + _LONGEST_ASKED, len(keys))):
        if not keys[position].endswith(("ی", "یه")) or keys[position] in _ARABIC_STOPWORDS:
            break
        phrase.append(groups.get(position, ()))
    return _concepts(phrase)


def _english_counted(keys: Sequence[str]) -> tuple[str, ...]:
    """The words after "how many" up to a function word or a verb in "-ed"
    ("How many nuclear power plants does Iran have?" → nuclear, power,
    plants; "How many countries confirmed ...?" → countries)."""
    for position in range(len(keys) - 1):
        if keys[position] == "how" and keys[position + 1] == "many":
            counted: list[str] = []
            for key in keys[position + 2:position + 2 + _LONGEST_ASKED]:
                if key in ENGLISH_FUNCTION_WORDS or (counted and key.endswith("ed") and len(key) > 4):
                    break
                counted.append(key)
            return tuple(counted)
    return ()


def _arabic_counted(keys: Sequence[str]) -> tuple[str, ...]:
    """The noun after «كم» («كم محطة نووية تملك إيران؟» → «محطة»), or after
    «كم عدد» ("how many in number")."""
    for position, key in enumerate(keys):
        if key == _ARABIC_HOW_MANY:
            following = keys[position + 1:position + 3]
            if following and following[0] == _ARABIC_NUMBER and len(following) > 1:
                return (following[1],)
            return tuple(following[:1])
    return ()


def _concepts(groups: Sequence[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """The groups that write something (a word the bridge cannot write is left out)."""
    return tuple(group for group in groups if group)


def longest_entries(keys: Sequence[str], entry: Callable[[Sequence[str]], tuple[str, ...] | None],
                     ) -> Iterator[tuple[int, tuple[str, ...] | None]]:
    """Walk a question's words, taking at each place the longest phrase
    ``entry`` writes in Persian ("prime minister" before "minister").

    Args:
        keys: The question's words (search keys).
        entry: Persian words for a run of them, or None.

    Yields:
        (the phrase's first word, its Persian words), or (a word, None)
        where no phrase starts.
    """
    index = 0
    while index < len(keys):
        for length in range(min(_LONGEST_PHRASE, len(keys) - index), 0, -1):
            persian = entry(keys[index:index + length])
            if persian:
                yield index, persian
                index += length
                break
        else:
            yield index, None
            index += 1


def _english_entry(keys: Sequence[str]) -> tuple[str, ...] | None:
    """The glossary's Persian for English words, the last word's ending off if need be."""
    entries = glossary()
    phrase = tuple(keys)
    if phrase in entries:
        return entries[phrase]
    last = phrase[-1]
    for ending in _ENGLISH_ENDINGS:
        if last.endswith(ending) and len(last) - len(ending) >= 3:
            stem = last[:-len(ending)] + ("y" if ending == "ies" else "")
            for candidate in (stem, stem + "e"):
                if phrase[:-1] + (candidate,) in entries:
                    return entries[phrase[:-1] + (candidate,)]
    return None


def _arabic_stems(word: str) -> list[str]:
    """A word of an Arabic question as written, and without its joined
    prefix and article («وبالاتحاد» → «بالاتحاد», «الاتحاد», «اتحاد»), longest first."""
    stems = [word]
    for prefix in ("",) + _ARABIC_PREFIXES:
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix):]
        if rest.startswith("ال") and len(rest) > 4:
            rest = rest[2:]
        if len(rest) >= 3 and rest not in stems:
            stems.append(rest)
    return stems


# Arabic endings of number and case (search keys: ي → ی, ة → ه), each with
# what the glossary's form ends in instead: the feminine dual and plural
# («دولتين» → «دولة»), the dual and sound plurals («رئيسين», «رئيسي» before
# a noun), the accusative «ا» («اجتماعا»). Tried on glossary lookups only:
# names are found by their sound, and «قازان» is no dual.
_ARABIC_ENDINGS = (("تین", "ه"), ("تان", "ه"), ("ات", "ه"), ("ات", ""), ("ین", ""), ("ان", ""), ("ون", ""),
                   ("ی", ""), ("ا", ""))


def _arabic_uninflected(stem: str) -> list[str]:
    """Forms of an Arabic word without an ending of number or case
    (:data:`_ARABIC_ENDINGS`), at least three letters long."""
    return [stem[:-len(ending)] + replacement for ending, replacement in _ARABIC_ENDINGS
            if stem.endswith(ending) and len(stem) - len(ending) >= 3]


def _arabic_entry(keys: Sequence[str]) -> tuple[str, ...] | None:
    """The glossary's Persian for Arabic words, prefixes and «ال» off each if need be."""
    entries = glossary()
    if tuple(keys) in entries:
        return entries[tuple(keys)]
    options = [_arabic_stems(key) for key in keys]
    if len(keys) == 1:
        for stem in options[0][1:] + [form for stem in options[0] for form in _arabic_uninflected(stem)]:
            if (stem,) in entries:
                return entries[(stem,)]
        return None
    # A phrase: each word without its prefix and «ال» («الجندي المجهول»).
    return _arabic_phrases().get(tuple(stems[-1] for stems in options))


@lru_cache(maxsize=1)
def _arabic_phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """The glossary's Arabic phrases keyed by their words' bare stems."""
    return {tuple(_arabic_stems(word)[-1] for word in phrase): persian
            for phrase, persian in glossary().items()
            if len(phrase) > 1 and not any(word.isascii() for word in phrase)}
