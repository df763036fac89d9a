"""The name a "which" question asks for, written after the noun it asks by.

Persian names a thing right after the noun that says what it is, joined by
the ezafe: «فرودگاه مهرآباد», «اتحادیه اقتصادی اوراسیا», «بنیاد آمریکایی
«دفاع از دموکراسیها»», «سازمانهای بینالمللی از جمله بریکس و شانگهای». An
English or Arabic question asks by that noun ("At which airport ...?",
«أي مطار»), and the reader, trained on Persian questions, cannot align its
words with the sentence: it answered «مسعود پزشکیان» for the airport and
«بیناللملی» for the economic union. The bridge writes the noun in the
articles' words (:attr:`qa.types.BridgedQuestion.asked`), and the name is
read after it here.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from .short_answer import Word, sentence_words
from .speakers import ends_clause, is_title
from .text import search_key, stopwords
from .types import Span

# Words that open a list of names after the noun: «سازمانهای بینالمللی از
# جمله بریکس و شانگهای», «نهادهای بینالمللی، چون شانگهای».
_LIST_OPENINGS = tuple(tuple(search_key(phrase).split()) for phrase in (
    "از جمله", "مانند", "مثل", "نظیر", "چون", "یعنی", "به ویژه", "بهویژه"))
# Most words of a name read after the noun (a quoted name is read whole).
_LONGEST_NAME = 4
# Most words of a list of names after a plural noun («بخشهای انرژی، صنعت،
# حمل و نقل، ...»).
_LONGEST_LIST = 14
_PLURAL_ENDINGS = tuple(search_key(ending) for ending in ("ها", "های", "هایی"))
_LONGEST_QUOTE = 8
_QUOTE = re.compile(r"\s*«([^»]{1,120})»")
_REFLEXIVES = frozenset(search_key(word) for word in ("خود", "خویش"))
# Nouns that open a compound verb of two nouns («ادای احترام کرد», «ابراز
# امیدواری کرد»): a name ends before them («به تندیس شاهاسماعیل سامانی ادای
# احترام کرد»; the verb's last noun alone is dropped below, by ends_clause).
_VERB_OPENERS = frozenset(search_key(word) for word in ("ادای", "ابراز", "اظهار", "عرض"))
_AND = search_key("و")


def named_after(asked: Sequence[Sequence[str]], sentences: Sequence[str],
                question_words: frozenset[str] = frozenset(),
                places: Mapping[str, frozenset[str]] | None = None) -> tuple[int, Span] | None:
    """Find the name written after the noun a "which" question asks by.

    Args:
        asked: The noun's Persian tokens first, then those of the words
            describing it («بنیاد», then «آمریکایی», ...), as the bridge
            writes them.
        sentences: The answer's sentences, best first.
        question_words: Tokens of all the question's concepts: a word the
            question itself names is not the name it asks for.
        places: Known places by the noun of their kind («شهر» → «مسکو»,
            ...; :func:`qa.bridge.places`): a sentence that writes no name
            after the noun may name a place of the kind asked without it
            («سفر رسمی خود به مسکو» for "in which city").

    Returns:
        (0, span of the name in it) when the first sentence, the one that
        best answers the question, names something after the noun (or a
        place of its kind); None otherwise. A lower sentence's noun names
        another thing: asked in which city Pezeshkian paid tribute at the
        Tomb of the Unknown Soldier, the third sentence's «شهر دوشنبه» is
        where he paid tribute to another monument.
    """
    if not asked or not asked[0]:
        return None
    noun = frozenset(asked[0])
    describing = frozenset(token for group in asked[1:] for token in group)
    known = frozenset().union(*((places or {}).get(token, frozenset()) for token in noun)) - question_words
    stop = stopwords()
    for position, sentence in enumerate(sentences[:1]):
        words = sentence_words(sentence)
        names = []
        for index, word in enumerate(words):
            if word.key not in noun:
                continue
            after = index + 1
            while after < len(words) and words[after].key in describing and _joined(sentence, words, after):
                after += 1
            # A plural noun names a list: «بخشهای انرژی، صنعت، حمل و نقل، ...».
            plural = word.key.endswith(_PLURAL_ENDINGS)
            name = _name_at(sentence, words, after, noun | describing | question_words, stop, plural)
            if name is None and after + 2 < len(words) and words[after].key == _AND \
                    and words[after + 1].key not in stop and _joined(sentence, words, after + 2):
                # Two nouns joined by «و» share the name after the second:
                # «جنایات و تنشزایی رژیم صهیونیستی» (whose crimes? the regime's).
                name = _name_at(sentence, words, after + 2, noun | describing | question_words, stop, plural)
            if name is not None:
                names.append(name)
        # A place of the kind asked comes first (alone: the words after it
        # may run on into the clause): «سران ۳۰ کشور حضور ...» has a word
        # after «کشور» that names nothing.
        for name in names:
            first = next((word for word in words if word.start == name.start), None)
            if first is not None and first.key in known:
                return position, Span(first.start, first.end)
        for word in words:
            if word.key in known:
                return position, Span(word.start, word.end)
        if names:
            return position, names[0]
    return None


def _joined(sentence: str, words: Sequence[Word], index: int) -> bool:
    """Whether ``words[index]`` follows the word before it with nothing but space between."""
    return sentence[words[index - 1].end:words[index].start].strip() == ""


def _name_at(sentence: str, words: Sequence[Word], index: int, asked: frozenset[str],
             stop: frozenset[str], plural: bool = False) -> Span | None:
    """The name that starts at ``words[index]``: a quoted name whole, or up
    to :data:`_LONGEST_NAME` words that are neither stopwords nor words the
    question names, joined by «و» after a list opening; after a plural
    noun, a list of them, joined by «و» and commas, up to
    :data:`_LONGEST_LIST` words; None when there is none (a stopword, a
    punctuation mark or the end of the sentence)."""
    if index == 0 or index >= len(words):
        return None
    quoted = _QUOTE.match(sentence, words[index - 1].end)
    if quoted:
        inner = quoted.group(1).strip()
        if inner and len(inner.split()) <= _LONGEST_QUOTE:
            start = quoted.start(1) + quoted.group(1).index(inner)
            return Span(start, start + len(inner))
        return None
    if not _joined(sentence, words, index):
        return None
    listed = False
    for opening in _LIST_OPENINGS:
        if tuple(word.key for word in words[index:index + len(opening)]) == opening:
            index += len(opening)
            listed = True
            break
    listed = listed or plural
    longest = _LONGEST_LIST if plural else _LONGEST_NAME
    first = last = None
    position = index
    while position < len(words) and (last is None or position - first < longest):
        word = words[position]
        if position > index and not _joined(sentence, words, position) and not (
                plural and last is not None
                and sentence[words[position - 1].end:word.start].strip() in ("،", ",")):
            break
        if listed and word.key == _AND and last is not None and position + 1 < len(words) \
                and words[position + 1].key not in stop and _joined(sentence, words, position + 1):
            position += 1
            continue
        if word.key in stop or word.key in asked or not any(ch.isalpha() for ch in word.key) \
                or (last is not None and (is_title(words, position) or word.key in _VERB_OPENERS)):
            # (an office after a name is its holder's, not part of it:
            # «سلامهای گرم ولادمیر پوتین رئیسجمهور این کشور»)
            break
        first = position if first is None else first
        last = position
        position += 1
    if first is None or (position < len(words) and words[position].key in _REFLEXIVES):
        # «به دعوت رسمی همتای خود»: "his own counterpart" names no one.
        return None
    if last > first and position < len(words) and ends_clause(words[position].key):
        # «مرکز مطالعات خاورمیانه روسیه معتقد است»: the word before the verb
        # says something of the name, it is not part of it (as after a
        # title: qa.speakers._title_after).
        last -= 1
    return Span(words[first].start, words[last].end)
