"""Persian text handling: one function for what the model sees, one for matching.

Two forms of every text, each produced by one function used for articles and
questions alike:

* :func:`embedding_text` is what the embedding model sees. It only removes
  invisible noise and unifies Arabic letter variants; it keeps digits,
  punctuation and spacing because the model was trained on real text. hazm's
  ``Normalizer`` is deliberately *not* used: it rewrites numbers and dates
  ("4.5" -> "۴ ٫ ۵", "۱۴۰۳/۰۵/۱۲" -> "۱۴۰۳ / ۰۵ / ۱۲").
* :func:`search_key` is the lexical matching key: no zero-width characters,
  one form per letter and digit, no diacritics, lower case.

What a reader sees is always the article's own text; offsets point into it.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from .types import Span

ZWNJ = "\u200c"

# Invisible characters: ZWNJ/ZWJ, bidi controls, BOM, soft hyphen, tatweel.
# The seed articles lost their ZWNJs ("رئیسجمهور"), so the key drops them
# everywhere and "رئیس‌جمهور" typed by a user meets the article.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u00ad\u0640"
_DIACRITICS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))
    + "".join(chr(c) for c in range(0x06DF, 0x06E9))
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
)
# Arabic keyboard letters that Persian writes differently (pasted text).
_ARABIC_TO_PERSIAN = {"ي": "ی", "ى": "ی", "ك": "ک", "ە": "ه", "ھ": "ه"}
_SEARCH_LETTERS = {
    **_ARABIC_TO_PERSIAN,
    "ئ": "ی",
    "ة": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
    "ء": "",
    "٫": ".",
}
_DIGITS = {chr(0x06F0 + i): str(i) for i in range(10)} | {chr(0x0660 + i): str(i) for i in range(10)}

_EMBEDDING_TABLE = str.maketrans({**dict.fromkeys(_INVISIBLE.replace(ZWNJ, ""), ""),
                                  **dict.fromkeys(_DIACRITICS, ""), **_ARABIC_TO_PERSIAN})
_SEARCH_TABLE = str.maketrans({**dict.fromkeys(_INVISIBLE, ""), **dict.fromkeys(_DIACRITICS, ""),
                               **_SEARCH_LETTERS, **_DIGITS})
_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(r"\w")


def embedding_text(text: str) -> str:
    """Return the form of ``text`` given to the embedding model.

    Removes bidi marks, tatweel and diacritics, unifies Arabic ي/ك with the
    Persian letters and collapses runs of white space. Zero-width non-joiners
    stay: the model's tokenizer reads them as word boundaries, as it was
    trained to.

    Args:
        text: Article or question text.

    Returns:
        The text for the embedder (never used for display).
    """
    return _SPACES.sub(" ", text.translate(_EMBEDDING_TABLE)).strip()


_LETTER_TABLE = str.maketrans(_ARABIC_TO_PERSIAN)


def unify_letters(text: str) -> str:
    """Write Arabic ي/ى/ك/ە/ھ as the Persian letters, one character for one.

    Unlike :func:`embedding_text` nothing is removed, so every offset into
    the result is an offset into ``text``: for a model that reads a
    passage and points at characters in it (the span reader).

    Args:
        text: Any text.

    Returns:
        Text of the same length.
    """
    return text.translate(_LETTER_TABLE)


def search_key(text: str) -> str:
    """Return the lexical matching key of ``text``.

    "رئیس‌جمهور", "رئیسجمهور", "رئيس‌جمهور" and "رییس‌جمهور" give the same key;
    so do "آمریکا"/"امریکا", "هیئت"/"هیأت" and "۱۴۰۳"/"١٤٠٣"/"1403".

    Args:
        text: Any text.

    Returns:
        The key: no zero-width or bidi characters, no tatweel or diacritics,
        one form per letter, ASCII digits, single spaces, lower case.
    """
    # Hamza on alef after ye is the other spelling of hamza on ye
    # ("هیأت" = "هیئت"), so it must become ی, not the alef of "تأکید" = "تاکید".
    text = text.replace("یأ", "یئ").replace("يأ", "یئ")
    return _SPACES.sub(" ", text.translate(_SEARCH_TABLE)).strip().casefold()


@lru_cache(maxsize=1)
def _word_tokenizer():
    from hazm import WordTokenizer

    # Built once: hazm builds a new tokenizer on every word_tokenize() call.
    # Its word list (80,000 lines, 0.9 s to parse) is read only to join verb
    # parts, which we switch off; an empty list makes the same tokens and
    # takes a second off a cold `qa ask` (tested against the default list).
    return WordTokenizer(words_file=os.devnull, join_verb_parts=False)


@lru_cache(maxsize=1)
def _sentence_tokenizer():
    from hazm import SentenceTokenizer

    return SentenceTokenizer()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Return hazm's Persian stopwords in search-key form (single words only)."""
    from hazm import stopwords_list

    # The list holds ZWNJ and underscore-joined forms ("آمده_است"); put them
    # through the same key so they meet the tokens they are meant to remove.
    keys = (search_key(word.replace("_", " ")) for word in stopwords_list())
    return frozenset(key for key in keys if key and " " not in key)


def words(text: str) -> list[str]:
    """Split ``text`` into search-key words with hazm's tokenizer.

    Args:
        text: Any text.

    Returns:
        Search-key tokens that contain a letter or digit, in order.
    """
    key = search_key(text)
    if not key:
        return []
    return [token for token in _word_tokenizer().tokenize(key) if _WORD_CHAR.search(token)]


def content_words(text: str) -> list[str]:
    """Return :func:`words` without Persian stopwords."""
    stop = stopwords()
    return [word for word in words(text) if word not in stop]


def search_tokens(text: str) -> list[str]:
    """Return the tokens indexed by the lexical retriever.

    Content words plus every pair of adjacent words written together: the
    articles wrote "رئیسجمهور" where a user types "رئیس جمهور", and the joined
    pair is what lets the two meet (it also rewards exact phrases).

    Args:
        text: Article passage or question.

    Returns:
        Tokens, stopwords removed from the single words.
    """
    all_words = words(text)
    stop = stopwords()
    tokens = [word for word in all_words if word not in stop]
    for first, second in zip(all_words, all_words[1:]):
        if not (first.isdigit() or second.isdigit()):
            joined = first + second
            if joined not in stop:
                tokens.append(joined)
    return tokens


def _line_spans(text: str) -> list[Span]:
    return [Span(match.start(), match.end()) for match in re.finditer(r"[^\n\r]+", text)]


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences, returning offsets into ``text``.

    hazm's sentence tokenizer splits on . ! ? ؟ followed by a space; line
    breaks are boundaries too (headlines and paragraphs have no final period).

    Args:
        text: The article's original text.

    Returns:
        Sentence spans in order, stripped of surrounding white space; the
        spans never overlap and every non-space character is in one of them.
    """
    tokenizer = _sentence_tokenizer()
    spans: list[Span] = []
    for line in _line_spans(text):
        line_text = text[line.start:line.end]
        if not line_text.strip():
            continue
        cursor = line.start
        # hazm may change white space inside a sentence, never other
        # characters: align each sentence by counting non-space characters.
        for sentence in tokenizer.tokenize(line_text):
            remaining = sum(1 for ch in sentence if not ch.isspace())
            if remaining == 0:
                continue
            while cursor < line.end and text[cursor].isspace():
                cursor += 1
            start = cursor
            while cursor < line.end and remaining > 0:
                if not text[cursor].isspace():
                    remaining -= 1
                cursor += 1
            spans.append(Span(start, cursor))
        tail = text[cursor:line.end]
        if tail.strip():  # anything hazm did not return stays a sentence
            spans.append(Span(cursor + len(tail) - len(tail.lstrip()), line.end - len(tail) + len(tail.rstrip())))
    return spans


# Words Persian does not use (or not as words on their own); Persian text
# pasted with Arabic ي/ك is still Persian, so letters alone do not decide.
# Arabic function and question words: they tell an Arabic question from a
# Persian one, and are no content words in it.
ARABIC_FUNCTION_WORDS = frozenset({
    "ما", "ماذا", "أي", "أية", "متى", "أين", "اين", "هل", "كيف", "لماذا", "الذي", "التي", "الذين", "هو", "هي", "في", "على",
    "إلى", "الى", "عن", "مع", "كان", "قال",
    # Written with the Arabic ك: Persian «کم» ("little") is another word
    # («كم مذكرة تفاهم وقعت ...؟» was read as Persian and got no short answer).
    "كم", "بكم", "لمن"})


# English function words, question words and verbs that say nothing of a
# topic: "who said?", "what is it?" ask about nothing. Prepositions and
# adverbs too: one that opens a question has a capital but names no one
# ("Besides Iran and Russia, ..." was read as the absent name "Besides").
ENGLISH_FUNCTION_WORDS = frozenset("""
a an the this that these those it its he she they them him her his their we you i me my our your
who whom whose what which when where why how whether
is are was were be been being am do does did done has have had will would shall should can could
may might must
of in on at to for from by with about into over after before between through during under as than
and or but not no yes if so then there here also just very more most some any all each
say says said tell told ask asked happen happened happens mean means know thing things something
besides beside apart except including according since while although though despite without within among along
across toward towards against upon around beyond both either neither other another such only even still already
again once now ever never too
""".split())


_PERSIAN_LETTERS = frozenset("پچژگکی")
_PERSIAN_ONLY_WORDS = frozenset({"را", "است", "از", "در", "با", "هم", "آن", "او", "شد", "بود"})
# "Who is" / "what is" in Arabic: Persian never opens a question so, and a
# short question («من هو رئيس وزراء روسيا؟») has no other Arabic word to tell.
_ARABIC_PUNCTUATION = str.maketrans("؟،؛", "   ")
_ARABIC_OPENINGS = frozenset({("من", "هو"), ("من", "هي"), ("ما", "هو"), ("ما", "هي")})
# Question words no Persian question opens with: «ماذا طلب بوتين من
# بزشكيان؟» has one Arabic function word and no letter only Arabic writes,
# and was read as Persian (no bridge, the Persian abstention message).
_ARABIC_QUESTION_OPENERS = frozenset({"ماذا", "لماذا", "هل", "كيف", "كم", "بكم", "لمن", "متى", "أين"})


def question_language(question: str) -> str:
    """Return the language of a question: ``en`` (mostly Latin letters),
    ``ar`` (Arabic: Arabic function words or the article «ال» on most
    words) or ``fa``."""
    latin = sum(ch.isascii() and ch.isalpha() for ch in question)
    other = sum(ch.isalpha() and not ch.isascii() for ch in question)
    if latin > other:
        return "en"
    # Arabic-script punctuation (؟ ، ؛) lies in the same Unicode block: «أي؟»
    # is the word «أي».
    words = [word for word in re.findall(r"[\u0600-\u06FF]+", question.translate(_ARABIC_PUNCTUATION)) if word]
    # A word written with a letter Arabic does not have (پ چ ژ گ, Persian
    # ک/ی) is Persian, even when it opens with «ال» («المپیک», «الفبای», the
    # «المللی» of «بین‌المللی»); «ما» is the Persian "we" as well as the
    # Arabic "what". PQuAD had 16 Persian questions read as Arabic, which
    # then left BM25 out and got the Arabic note.
    persian = sum(bool(_PERSIAN_LETTERS & set(word)) or word in _PERSIAN_ONLY_WORDS for word in words)
    arabic = sum((word in ARABIC_FUNCTION_WORDS or (word.startswith("ال") and len(word) > 4))
                 and not _PERSIAN_LETTERS & set(word) for word in words)
    if tuple(words[:2]) in _ARABIC_OPENINGS or (words and words[0] in _ARABIC_QUESTION_OPENERS and not persian):
        return "ar"
    arabic_letters = any(ch in "ةىأإؤ" for ch in question)
    return "ar" if words and arabic > persian and (arabic >= 2 or (arabic and arabic_letters)) else "fa"


# Consonants by how a name sounds, so that a name written in Latin letters,
# in Persian and in Arabic letters gives one skeleton: voiced and voiceless
# pairs share a class («عشق‌آباد» / Ashgabat: ق and g), so do the letters
# Persian keeps from Arabic for one sound (س ص ث, ز ذ ض ظ, ت ط), and Arabic
# writes ب for پ («بوتين» for «پوتین»). Vowels, و/ی/ا (vowel letters in
# names more often than not), ع and h-less endings drop out.
_NAME_SOUNDS = {
    **dict.fromkeys("بپ", "b"), **dict.fromkeys("تطدث", "t"), **dict.fromkeys("سصزذضظژ", "s"),
    **dict.fromkeys("کگقغخك", "k"), "ش": "S", "چ": "C", "ج": "j", "ح": "h", "ه": "h", "ف": "f",
    "ر": "r", "ل": "l", "م": "m", "ن": "n",
}
_LATIN_DIGRAPHS = (("sh", "S"), ("ch", "C"), ("kh", "k"), ("gh", "k"), ("zh", "s"), ("th", "t"), ("ph", "f"),
                   ("ck", "k"))
_LATIN_SOUNDS = {**dict.fromkeys("bp", "b"), **dict.fromkeys("td", "t"), **dict.fromkeys("szx", "s"),
                 **dict.fromkeys("kgq", "k"), "j": "j", "h": "h", "f": "f", "r": "r", "l": "l", "m": "m", "n": "n"}
_SOFT_C = re.compile(r"c(?=[eiy])")
# Vowels by class, for name_skeleton(vowels=True): "e" is left unwritten in
# Persian ("Tehran", «تهران»), "w" after a vowel is one («Moscow», «مسکو»).
_LATIN_VOWELS = {"a": "A", "i": "I", "y": "I", "o": "U", "u": "U", "w": "U"}
_PERSIAN_VOWELS = {"ا": "A", "ع": "A", "ی": "I", "و": "U"}


def name_skeleton(word: str, vowels: bool = False) -> str:
    """Return the consonant skeleton of a name, alike in Latin, Persian and
    Arabic letters: "Putin", «پوتین» and «بوتين» all give ``btn``.

    A user asks "Who is Putin?" or «من هو بوتين؟» about articles that write
    «پوتین»; the skeleton lets the name be found there. It is coarse (vowels
    are gone, "Python" gives ``btn`` too): an asked name is looked for by it
    among the few sentences already retrieved, and among the index's words
    (:mod:`qa.bridge`) only with the vowels to choose between the words of
    one skeleton.

    Args:
        word: A name, one word or several (spaces and ZWNJs are ignored).
        vowels: Keep the vowels too, as three classes (``A``, ``I``, ``U``:
            "Putin" and «پوتین» give ``bUtIn``); Persian leaves short vowels
            unwritten, so "e" and the unwritten vowels drop out. A finer key
            for telling apart the words of one skeleton.

    Returns:
        Its skeleton: one letter per consonant sound, repeats merged; "" for
        text without consonants.
    """
    key = search_key(word).replace(" ", "")
    if key.isascii():
        for digraph, sound in _LATIN_DIGRAPHS:
            key = key.replace(digraph, sound)
        key = _SOFT_C.sub("s", key).replace("c", "k")
        # Russian names end in "-ov", which Persian writes «-وف» (Lavrov, «لاوروف»).
        key = key[:-1] + "f" if key.endswith("v") else key
        sounds = [sound if sound in "SC" else _LATIN_SOUNDS.get(sound, "") or
                  (_LATIN_VOWELS.get(sound, "") if vowels else "") for sound in key]
        # Persian writes any opening vowel on an alef («اصفهان», Isfahan).
        if vowels and sounds and sounds[0] in ("I", "U"):
            sounds[0] = "A"
    else:
        # A final ه is a vowel («روسیه», Russia), not the h of «الله».
        key = key[:-1] if key.endswith("ه") and len(key) > 2 else key
        sounds = [_NAME_SOUNDS.get(letter, "") or (_PERSIAN_VOWELS.get(letter, "") if vowels else "")
                  for letter in key]
    skeleton = ""
    for sound in sounds:
        if sound and not skeleton.endswith(sound):
            skeleton += sound
    return skeleton


def sounds_alike(first: str, second: str) -> bool:
    """Tell whether two names sound alike by their skeletons (:func:`name_skeleton`).

    Skeletons of three consonants or more must be equal, or differ by two
    neighbouring consonants swapped: the seed articles spell Mishustin
    «میشوتسین».

    Args:
        first: A name.
        second: Another name, in any letters.

    Returns:
        Whether they are taken for the same name.
    """
    one, other = name_skeleton(first), name_skeleton(second)
    return len(one) >= 3 and (one == other or other in neighbour_swaps(one))


def neighbour_swaps(skeleton: str) -> set[str]:
    """Return the skeletons made by swapping two neighbouring sounds of one
    (``mSstn`` → ``Smstn``, ``mssTn``... the spelling «میشوتسین» of Mishustin
    is one of them).

    Args:
        skeleton: A :func:`name_skeleton`.

    Returns:
        The swapped forms other than the skeleton itself.
    """
    swapped = {skeleton[:i] + skeleton[i + 1] + skeleton[i] + skeleton[i + 2:] for i in range(len(skeleton) - 1)}
    return swapped - {skeleton}
