"""Compose an extractive answer from retrieved passages, every sentence cited.

Sentences of the retrieved passages are scored against the question by
meaning (cosine of the stored sentence vector and the question vector), by
shared words (search keys, stopwords removed) and by whether they hold the
kind of answer the question asks for (a date for "کی", a number for "چند",
...). At most three sentences are taken, none twice. When even the best
sentence is weak evidence, the answer says the articles do not hold it
(``abstained``) and still lists the closest passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Protocol, Sequence

import numpy as np

from .attribution import credited_outlet
from .bridge import place_names, places
from .naming import named_after
from .requested import requested_clause
from .retrieval import near_duplicates
from .text import (ENGLISH_FUNCTION_WORDS, content_words, question_language, search_key, search_tokens, stopwords,
                   words)
from .short_answer import (asked_office_owner, asked_offices, asks_description, best_span, describing_complement,
                           follows_place_preposition, follows_word, office_owners, owner_noun,
                           question_keys, question_shape, sentence_words)
from .speakers import (asked_name, asks_quote, asks_speaker, name_title, quoted_clause, speaker_name, speaker_of,
                       speaker_title, title_holder)
from .types import Answer, Article, BridgedQuestion, Citation, Hit, ShortAnswer, Span
from .yes_no import is_yes_no, yes_no_clause
from .parameters import DEFAULT_ANSWER, AnswerParameters


class AnswerSource(Protocol):
    """What answering needs from an index (``qa.store.LoadedIndex`` is one)."""

    articles: Mapping[str, Article]

    @property
    def embedder(self) -> str:
        """Name of the embedder that made the vectors (picks the abstention threshold)."""

    def inverse_document_frequency(self, words: Sequence[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each word."""

    def known_words(self, words: Sequence[str]) -> set[str]:
        """The words that occur in some passage."""

    def sentence_vectors_for(self, doc_id: str, spans: Sequence[Span]) -> np.ndarray:
        """Stored vectors of sentences of one article."""


class SpanFinder(Protocol):
    """Finds the short answer: qa.short_answer.best_span (rules) and
    qa.reader.SpanReader.find_span."""

    def __call__(self, question: str, sentences: Sequence[str], *,
                 bridged: BridgedQuestion | None = None) -> tuple[int, Span] | None:
        """(sentence index, span in it) of the short answer, or None.

        ``bridged`` is an English or Arabic question in the articles' words
        («پزشکیان», «چین»; :mod:`qa.bridge`)."""


class AnswerabilityCheck(Protocol):
    """Tells how surely sentences answer a question:
    qa.reader.SpanReader.no_answer_margin."""

    def __call__(self, question: str, sentences: Sequence[str]) -> float:
        """The reader's best span score less its no-answer score."""


# A step that reads one kind of question: (question, sentences) -> (sentence
# index, span in it), or None.
SpanStep = Callable[[str, Sequence[str]], "tuple[int, Span] | None"]

# Kinds of question the reader, trained to find a name or a phrase, does not
# serve, each read by its own step, tried in order before it; a step returns
# None when the question is not of its kind or it finds nothing. (A yes/no
# question goes to qa.yes_no.yes_no_clause alone, and "what did X say"
# to qa.speakers.quoted_clause alone.)
QUESTION_STEPS: tuple[SpanStep, ...] = (
    credited_outlet,        # «کدام خبرگزاری ... گزارش کرد؟»: «به گزارش ایرنا، ...»
    requested_clause,       # «پوتین از پزشکیان چه خواست؟»: «... خواست که آرزوهای نیک ...»
    describing_complement,  # «... چگونه است؟» in a quote: «صمیمانه و راهبردی»
    title_holder,           # «رئیس جمهور روسیه کیست؟»: the name beside the title
    name_title,             # «پوتین کیست؟»: the title beside the name
)

# Tuning values (sentence weights, margins, abstention thresholds) live in
# qa/parameters.py: AnswerParameters.

ABSTAIN_MESSAGE = {
    "fa": "پاسخ این پرسش در مقاله‌ها نیامده است. نزدیک‌ترین بخش‌ها در زیر آمده‌اند، اما پاسخ را در بر ندارند.",
    "en": "The articles do not contain an answer to this question. The closest passages are listed below; "
          "they do not answer it.",
    "ar": "لا تتضمن المقالات إجابة عن هذا السؤال. أقرب المقاطع مدرجة أدناه، لكنها لا تجيب عنه.",
}

_CUE_QUESTIONS = {
    "date": re.compile(r"\b(کی|چه زمانی|چه تاریخی|چه روزی|چه سالی|چه ماهی|در چه سال|when|what date|what year)\b"),
    "number": re.compile(r"\b(چند|چقدر|چه تعداد|چه میزان|how many|how much)\b"),
    "place": re.compile(r"\b(کجا|کجاست|در کدام شهر|کدام کشور|کدام شهر|where)\b"),
    "person": re.compile(r"\b(چه کسی|چه کسانی|کیست|کی بود|چه شخصی|who|whom)\b"),
}
_MONTHS = "فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|ابان|اذر|دی|بهمن|اسفند|ژانویه|فوریه|مارس|اوریل|مه|ژوین|ژوییه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر"
_CUE_ANSWERS = {
    "date": re.compile(rf"\b(\d{{1,4}}|{_MONTHS}|شنبه|یکشنبه|دوشنبه|سهشنبه|چهارشنبه|پنجشنبه|جمعه|امروز|دیروز|سال|قرن|دهه)\b"),
    "number": re.compile(r"\b(\d+|یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|صد|هزار|میلیون|میلیارد|نیم|درصد)\b"),
    "place": re.compile(r"\b(در|شهر|کشور|استان|پایتخت|مرکز|منطقه)\b"),
    "person": re.compile(r"\b(اقای|خانم|دکتر|رییس|وزیر|سفیر|معاون|نخستوزیر|سخنگوی|مدیر|«)"),
}


# What a reader who asked in another language is told first: the answer is
# quoted from the Persian articles.
CROSS_LINGUAL_NOTE = {
    "en": "Answered from the Persian articles; the quoted sentences are in Persian.",
    "ar": "الإجابة مأخوذة من المقالات الفارسية، والجمل المقتبسة بالفارسية.",
}


def has_substance(question: str, index: AnswerSource, bridged: BridgedQuestion | None = None) -> bool:
    """Tell whether a question can be answered at all: it has content words,
    and one of them occurs in the articles or it asks something (a question
    word). "xyz", "asdfgh qwerty", emoji or punctuation alone do not; their
    vectors still land near some boilerplate line, so the cosine alone
    cannot tell them apart (measured: 0.80 for "xyz").

    An English or Arabic question must also name something the articles
    write (a concept of its bridge), no name they never write, and fewer
    glossary words they never write than concepts they do: "Who is xyz?"
    names nothing, "Who is the president of France?" names France, which
    the seed articles never do, "What is the population of Moscow?" asks
    about «جمعیت», which they never write; all three were answered with the
    closest sentences.

    Args:
        question: The question (the retrieval text for a follow-up).
        index: The index whose vocabulary is consulted.
        bridged: The question in the articles' words, for an English or
            Arabic question.
    """
    asked = [word for word in content_words(question)
             if any(ch.isalnum() for ch in word) and word not in ENGLISH_FUNCTION_WORDS]
    if not asked:
        return False
    if bridged is not None:
        # Half or more of what the question names missing from the articles
        # («جمعیت» for "What is the population of Moscow?", whose «مسکو»
        # alone found sentences at 0.79, above answerable questions); one
        # glossary word in five missing («مقبره» for "tomb", where the
        # article writes «بنای یادبود») is a gap in the glossary.
        # What a "how many" question counts, never written («نیروگاه» for
        # "How many nuclear power plants ...?"), cannot be counted from
        # them, however much else of the question they write.
        # "first" alone («نخستینبار») names no topic.
        return (any(group not in bridged.modifiers for group in bridged.concepts) and not bridged.absent_names
                and len(bridged.absent_words) < len(bridged.concepts)
                and not set(bridged.counted) & set(bridged.absent_words))
    if index.known_words(asked):
        return True
    shape = question_shape(question)
    return shape.kind is not None and bool(shape.before | shape.after)


def question_cues(question: str) -> list[str]:
    """Return the answer types a question asks for (``date``, ``number``, ...)."""
    keys = " ".join(question_keys(question))
    cues = [cue for cue, pattern in _CUE_QUESTIONS.items() if pattern.search(keys)]
    return cues + ["description"] if asks_description(question) else cues


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence."""

    hit_rank: int
    span: Span
    text: str
    similarity: float
    overlap: float
    cue: float
    # Words shared through the bridge of an English or Arabic question
    # (:mod:`qa.bridge`) rank a sentence but do not vouch that the articles
    # answer: they are the topic's words («مسکو», «کرملین»), which an
    # out-of-corpus question on the topic shares too ("What is the population
    # of Moscow?" reached 0.829 with them, above answerable questions).
    overlap_vouches: bool = True

    @property
    def evidence(self) -> float:
        """How well the sentence answers, without the answer-type cue: what
        the abstention threshold is compared with."""
        return self.similarity + (DEFAULT_ANSWER.overlap_weight * self.overlap if self.overlap_vouches else 0.0)

    @property
    def score(self) -> float:
        """Ranking score of the sentence."""
        return self.similarity + DEFAULT_ANSWER.overlap_weight * self.overlap + DEFAULT_ANSWER.cue_weight * self.cue


def best_evidence(scored: Sequence[ScoredSentence]) -> float:
    """The evidence abstention is decided on: the best-ranked sentence's, or
    for an English or Arabic question the strongest of all, since its
    best-ranked sentence may rank by words that do not vouch
    (``overlap_vouches``) above one the question's meaning is nearer.

    Args:
        scored: Scored sentences, best first.
    """
    if not scored:
        return 0.0
    if scored[0].overlap_vouches:
        return scored[0].evidence
    return max(sentence.evidence for sentence in scored)


def score_sentences(question: str, query_vector: np.ndarray, hits: Sequence[Hit],
                    index: AnswerSource, concepts: Sequence[tuple[str, ...]] = ()) -> list[ScoredSentence]:
    """Score every sentence of the retrieved passages against the question.

    Args:
        question: The question as asked (the retrieval text for follow-ups).
        query_vector: Its embedding.
        hits: Retrieved passages, best first.
        index: The index holding their sentence vectors.
        concepts: For an English or Arabic question, what it names as
            Persian tokens (:meth:`qa.bridge.Bridge.read`): the shared
            words are counted among them, one a group, since the question's
            own words are never in a Persian sentence.

    Returns:
        Candidates, best first.
    """
    if concepts:
        return _score_sentences_by_concepts(question, query_vector, hits, index, concepts)
    question_words = set(content_words(question))
    question_pairs = _joined_pairs(words(question), question_words)
    # Shared words count by their rarity: "ایران" and "روسیه" are in every
    # passage of this corpus, "گردشگری" in one.
    weights = index.inverse_document_frequency(sorted(question_words))
    total_weight = sum(weights.values())
    cues = question_cues(question)
    scored: list[ScoredSentence] = []
    for rank, span, text, similarity, following in _candidate_sentences(hits, index, query_vector):
        shared = _shared_words(question_words, question_pairs, text)
        overlap = sum(weights[w] for w in shared) / total_weight if total_weight else 0.0
        scored.append(ScoredSentence(rank, span, text, similarity, overlap, _cue(cues, text, following, question)))
    scored.sort(key=lambda s: -s.score)
    return scored


def _cue(cues: Sequence[str], text: str, following: str = "", question: str = "") -> float:
    """1.0 when a sentence holds what the question asks for (a date for
    «کی»; for "how did X describe Y", a quoted clause that says what Y is,
    :func:`~qa.short_answer.describing_complement`), or, for a place, the
    next sentence that goes on about its event does (:func:`goes_on`): «...
    برای نخستین بار دیدار کردند.» has its place in «این دیدار در ...
    عشقآباد ... انجام شد.»."""
    key = search_key(text)
    if cues and any(c in _CUE_ANSWERS and _CUE_ANSWERS[c].search(key) for c in cues):
        return 1.0
    if "description" in cues and describing_complement(question, [text]) is not None:
        # «... گفت: ارتباط ما با روسیه صمیمانه و راهبردی است.» for «پزشکیان
        # رابطه ایران با روسیه را چگونه توصیف کرد؟», 0.001 below another
        # sentence of the same speech by meaning and shared words.
        return 1.0
    if "place" in cues and following and goes_on(text, following):
        return 1.0 if _CUE_ANSWERS["place"].search(search_key(following)) else 0.0
    return 0.0


_THIS_THAT = frozenset(search_key(word) for word in ("این", "آن"))


def goes_on(sentence: str, following: str) -> bool:
    """Whether ``following`` goes on about ``sentence``'s event: it opens
    with «این» or «آن» and a noun of ``sentence`` («... دیدار کردند.» then
    «این دیدار در ...»).

    Args:
        sentence: A sentence.
        following: The sentence after it.
    """
    opening = sentence_words(following)[:2]
    return len(opening) == 2 and opening[0].key in _THIS_THAT \
        and opening[1].key in {word.key for word in sentence_words(sentence)}


def _candidate_sentences(hits: Sequence[Hit], index: AnswerSource, query_vector: np.ndarray):
    """Each sentence of the retrieved passages once, with its passage's
    rank, its cosine and the passage's next sentence ("" after the last)."""
    seen: set[tuple[str, Span]] = set()
    for rank, hit in enumerate(hits):
        article = index.articles[hit.chunk.doc_id]
        # Overlapping chunks share a sentence: score it once, for the better-ranked chunk.
        spans = [span for span in hit.chunk.sentences if (hit.chunk.doc_id, span) not in seen]
        seen.update((hit.chunk.doc_id, span) for span in spans)
        if not spans:
            continue
        similarities = index.sentence_vectors_for(hit.chunk.doc_id, spans) @ query_vector
        following = dict(zip(hit.chunk.sentences, hit.chunk.sentences[1:]))
        for span, similarity in zip(spans, similarities):
            text = article.text[span.start:span.end]
            if len(text.split()) >= DEFAULT_ANSWER.min_sentence_words:
                after = following.get(span)
                yield rank, span, text, float(similarity), article.text[after.start:after.end] if after else ""


def _score_sentences_by_concepts(question: str, query_vector: np.ndarray, hits: Sequence[Hit],
                                 index: AnswerSource, concepts: Sequence[tuple[str, ...]]) -> list[ScoredSentence]:
    """:func:`score_sentences` for an English or Arabic question, its words
    counted as the Persian tokens of its concepts."""
    # A concept counts by its commonest form's rarity («کشور», not «کشورهای»).
    weights = [min(index.inverse_document_frequency(list(group)).values()) for group in concepts]
    total_weight = sum(weights)
    cues = question_cues(question)
    scored = []
    for rank, span, text, similarity, following in _candidate_sentences(hits, index, query_vector):
        tokens = set(search_tokens(text))
        held = sum(weight for group, weight in zip(concepts, weights) if tokens.intersection(group))
        cue = _cue(cues, text, following)
        overlap = held / total_weight if total_weight else 0.0
        scored.append(ScoredSentence(rank, span, text, similarity, overlap, cue, overlap_vouches=False))
    scored.sort(key=lambda s: -s.score)
    return scored


# Endings typed apart («کتاب های»): matched joined, they would count as
# words of their own, and rare ones.
_SUFFIXES = frozenset(search_key(word) for word in ("ها", "های", "هایی", "ای", "ی", "تر", "ترین", "ام", "اند"))


def _joined_pairs(all_words: Sequence[str], keep: set[str]) -> dict[str, set[str]]:
    """Each pair of neighbouring words written as one, with those of the
    pair in ``keep``: «صادیق زاد» → {«صادیقزاد»: {«صادیق», «زاد»}}."""
    pairs: dict[str, set[str]] = {}
    for first, second in zip(all_words, all_words[1:]):
        if {first, second} <= keep and not {first, second} & _SUFFIXES:
            pairs[first + second] = {first, second}
    return pairs


def shared_words(question: str, sentence: str) -> set[str]:
    """Return the question's content words (search keys) that a sentence holds.

    Spaces and ZWNJs aside: the seed articles lost their ZWNJs
    («صادیقزاد», «رئیسجمهور») where a user types «صادیق زاد» or
    «رئیس‌جمهور» (which the search key joins), and a user may type
    «رئیسجمهور» where a passage writes «رئیس جمهور».

    Args:
        question: The question.
        sentence: A sentence of an article.

    Returns:
        The question's words the sentence holds, written or joined.
    """
    question_words = set(content_words(question))
    return _shared_words(question_words, _joined_pairs(words(question), question_words), sentence)


def _shared_words(question_words: set[str], question_pairs: dict[str, set[str]], sentence: str) -> set[str]:
    sentence_words = words(sentence)
    stop = stopwords()
    present = {word for word in sentence_words if word not in stop}
    shared = question_words & present
    for joined, parts in question_pairs.items():
        if joined in present:
            shared |= parts
    for first, second in zip(sentence_words, sentence_words[1:]):
        if first + second in question_words:
            shared.add(first + second)
    return shared


def put_dominant_first(scored: Sequence[ScoredSentence],
                       parameters: AnswerParameters = DEFAULT_ANSWER) -> list[ScoredSentence]:
    """Put first the sentence that holds clearly more of the question's words than any other.

    Cosine similarity ranks sentences on the question's topic above the one
    that names its rare words: for «وضعیت سفرهای گردشگری میان ایران و روسیه
    چگونه است؟» e5-small scores seven sentences about the two presidents'
    meeting (0.86, overlap 0.04) above «تعداد سفرهای گردشگری نیز رشد خوبی
    داشته است.» (0.82, overlap 0.58), which the weighted overlap alone
    cannot lift. A sentence is moved only when its overlap is both high
    and well ahead of the next, so ties stay with the similarity.

    Args:
        scored: Candidates, best score first.
        parameters: ``dominant_overlap`` and ``dominance_margin``.

    Returns:
        The candidates, the dominant one (if any) first, the rest in order.
    """
    if len(scored) < 2:
        return list(scored)
    first, second = sorted(scored, key=lambda sentence: -sentence.overlap)[:2]
    if first.overlap < parameters.dominant_overlap or first.overlap - second.overlap < parameters.dominance_margin:
        return list(scored)
    return [first, *(sentence for sentence in scored if sentence is not first)]


def _pick(scored: Sequence[ScoredSentence], parameters: AnswerParameters = DEFAULT_ANSWER) -> list[ScoredSentence]:
    scored = put_dominant_first(scored, parameters)
    chosen: list[ScoredSentence] = []
    chosen_words: list[frozenset[str]] = []
    for sentence in scored:
        if len(chosen) == parameters.max_sentences:
            break
        if chosen and sentence.score < chosen[0].score - parameters.follow_margin:
            break
        # The same sentence may sit in two passages or two articles, sometimes
        # with its spaces and ZWNJs written differently.
        tokens = frozenset(search_tokens(sentence.text))
        if any(near_duplicates(tokens, other) for other in chosen_words):
            continue
        chosen_words.append(tokens)
        chosen.append(sentence)
    return chosen


def _citation(n: int, hit: Hit, index: AnswerSource, evidence: tuple[Span, ...]) -> Citation:
    article = index.articles[hit.chunk.doc_id]
    return Citation(
        n=n, doc_id=article.doc_id, path=article.path, title=article.title, source=article.source,
        date=article.date, chunk_id=hit.chunk.chunk_id, text=hit.chunk.text, start=hit.chunk.start,
        end=hit.chunk.end, score=round(float(hit.score), 6), evidence=evidence,
    )


def compose_answer(question: str, query_vector: np.ndarray, hits: Sequence[Hit], index: AnswerSource,
                   scoring_question: str | None = None, parameters: AnswerParameters = DEFAULT_ANSWER,
                   find_span: SpanFinder = best_span, bridged: BridgedQuestion | None = None,
                   check_answerable: AnswerabilityCheck | None = None) -> Answer:
    """Compose the answer to ``question`` from ``hits``.

    Args:
        question: The question as the user asked it.
        query_vector: Embedding of the retrieval text.
        hits: Retrieved passages, best first.
        index: The loaded index.
        scoring_question: Text to score sentences against (the retrieval
            text, which includes the earlier question for a follow-up).
        parameters: Sentence count, margin and abstention thresholds.
        find_span: Finds the short answer in the chosen sentences (the rules
            by default; the assistant passes the trained reader).
        bridged: An English or Arabic question in the articles' Persian
            words (:meth:`qa.bridge.Bridge.read`): its concepts rank the
            sentences (see :func:`score_sentences`), and a question that
            names none of the articles' words, or a name they never write,
            is not answered.
        check_answerable: The trained reader's verdict on the chosen
            sentences (None with the rules): a Persian question they give it
            no span for, by more than
            :attr:`~qa.parameters.AnswerParameters.min_reader_margin`, is not
            answered.

    Returns:
        The answer: up to three cited sentences, or an abstention listing the
        closest passages.
    """
    concepts = bridged.concepts if bridged else ()
    scored = score_sentences(scoring_question or question, query_vector, hits, index, concepts)
    language = question_language(question)
    chosen = _pick(scored, parameters)
    if not scored or best_evidence(scored) < parameters.threshold(index.embedder, language) \
            or not has_substance(scoring_question or question, index, bridged) \
            or not _reader_finds_answer(scoring_question or question, language, chosen, check_answerable, parameters):
        return _abstention(question, language, hits, index, scoring_question, bridged)
    chosen, short = _short_answer(scoring_question or question, chosen, hits, index, find_span,
                                  max(parameters.max_sentences, 2), bridged)
    if _names_no_holder(scoring_question or question, short, chosen):
        return _abstention(question, language, hits, index, scoring_question, bridged)
    numbers: dict[int, int] = {}
    evidence: dict[int, list[Span]] = {}
    parts = []
    for sentence in chosen:
        n = numbers.setdefault(sentence.hit_rank, len(numbers) + 1)
        evidence.setdefault(sentence.hit_rank, []).append(sentence.span)
        parts.append(f"{sentence.text.strip()} [{n}]")
    citations = tuple(
        _citation(n, hits[rank], index, tuple(sorted(evidence[rank], key=lambda s: s.start)))
        for rank, n in sorted(numbers.items(), key=lambda item: item[1])
    )
    short_answer = None
    if short is not None:
        rank, span = short
        text = index.articles[hits[rank].chunk.doc_id].text
        short_answer = ShortAnswer(text[span.start:span.end], numbers[rank], span.start, span.end)
    return Answer(question, " ".join(parts), False, citations, scoring_question or question, short_answer,
                  CROSS_LINGUAL_NOTE.get(language))


def _abstention(question: str, language: str, hits: Sequence[Hit], index: AnswerSource,
                scoring_question: str | None, bridged: BridgedQuestion | None) -> Answer:
    """The answer that says the articles do not hold one, with the closest passages."""
    citations = tuple(_citation(n, hit, index, ()) for n, hit in enumerate(hits[:3], start=1))
    return Answer(question, ABSTAIN_MESSAGE[_message_language(question, language, bridged)], True, citations,
                  scoring_question or question)


def _names_no_holder(question: str, short: tuple[int, Span] | None, chosen: Sequence[ScoredSentence]) -> bool:
    """Whether sentences found for a who-holds-an-office question name no
    holder of it.

    «وزیر امور خارجه روسیه کیست؟» found his deputy («سرگئی ریابکوف معاون
    وزیر امور خارجه روسیه»), which leaves no short answer; «سفیر روسیه در
    تهران کیست؟» and "Who is Russia's ambassador to Iran?" found Iran's
    ambassador in Russia («سفیر جمهوری اسلامی ایران در فدراسیون روسیه»), who
    was given as the answer: the sentences write the office only as another
    country's.
    """
    keys = question_keys(question)
    offices = asked_offices(question, keys)
    if not offices:
        return False
    if short is None:
        return True
    owner = asked_office_owner(question, keys)
    if owner is None:
        return False
    owners = {found for sentence in chosen for office in offices for found in office_owners(office, sentence.text)}
    return bool(owners) and owner not in owners


def _reader_finds_answer(question: str, language: str, chosen: Sequence[ScoredSentence],
                         check_answerable: AnswerabilityCheck | None, parameters: AnswerParameters) -> bool:
    """Whether the trained reader finds an answer in the chosen sentences.

    Only for Persian questions: the reader reads an English or Arabic
    question's words poorly against Persian sentences, and its margins there
    run as low for answerable questions as for unanswerable ones.
    """
    if check_answerable is None or language != "fa" or not chosen:
        return True
    return check_answerable(question, [sentence.text for sentence in chosen]) >= parameters.min_reader_margin


def _message_language(question: str, language: str, bridged: BridgedQuestion | None) -> str:
    """The language to abstain in: the question's, but Latin letters that
    hold no English word ("xyz", "asdfgh qwerty": no function word, nothing
    the glossary or the names by sound know) are no English, and get the
    page's Persian."""
    if language != "en" or (bridged is not None and (bridged.concepts or bridged.absent_names
                                                     or bridged.absent_words)):
        return language
    english = {word.casefold() for word in re.findall(r"[A-Za-z']+", question)}
    return language if english & ENGLISH_FUNCTION_WORDS else "fa"


def _short_answer(question: str, chosen: Sequence[ScoredSentence], hits: Sequence[Hit], index: AnswerSource,
                  find_span: SpanFinder, max_sentences: int, bridged: BridgedQuestion | None = None,
                  ) -> tuple[list[ScoredSentence], tuple[int, Span] | None]:
    """Find the short answer in the chosen sentences.

    A yes/no question gets the clause that says so
    (:func:`qa.yes_no.yes_no_clause`), "what did X say about Y" a
    quoted clause or nothing (:func:`qa.speakers.quoted_clause`); other
    questions go through
    :data:`QUESTION_STEPS`, then ``find_span``; before them an English or
    Arabic "which X" question takes the name written after X
    (:func:`_named`), and a "where" question reads the best sentence with
    the one that goes on about its event (:func:`_with_continuation`).
    For a "who" question, a sentence whose speaker is given only by title is read with the speaker's
    name written before it, and asked who a named person is, a sentence
    whose speaker is given by name with the speaker's title (:func:`_speakers`);
    "who said ...?" is
    answered by the speaker of the sentence found
    (:func:`qa.speakers.speaker_of`). When the answer lies in another sentence
    of the passage, that sentence joins the answer right after.

    Args:
        question: The standalone question (for a follow-up, its rewrite:
            «او کجا رفت؟» has no words to align the answer with,
            «پزشکیان کجا رفت؟» does).
        chosen: The answer's sentences, best first.
        hits: The passages they come from.
        index: The index holding the articles.
        find_span: The span finder.
        max_sentences: Most sentences an answer shows.
        bridged: An English or Arabic question in the articles' words
            (what it asks was said is found by them, and the noun a
            "which" question asks by).

    Returns:
        The answer's sentences and (passage rank, span in the article) of
        the short answer, or None.
    """
    chosen = list(chosen)
    kind = question_shape(question).kind
    asks_person = kind == "person"
    # For a "who" question each sentence is read with what names its speaker
    # written before it: the name of a speaker given by title, or, asked who
    # a named person is, the title of a speaker given by name.
    link = speaker_title if asked_name(question) else speaker_name
    names = _speakers(chosen, hits, index, link) if asks_person else [None] * len(chosen)
    texts = [f"{_article_text(sentence, hits, index)[name.start:name.end]}، {sentence.text}"
             if name else sentence.text for sentence, name in zip(chosen, names)]
    if is_yes_no(question):
        found = yes_no_clause(question, texts, bridged)
    elif asks_quote(question):
        # What someone said is in a quote, or not in these sentences: given
        # none, the reader answered «نخستوزیر روسیه درباره تحریم‌ها چه گفت؟»
        # with «رئیسجمهور».
        found = quoted_clause(question, texts, bridged)
    else:
        continued = _with_continuation(kind, chosen, texts, hits, index)
        found = None
        if continued[0] != texts[0]:
            # The place of the best sentence's event is in the sentence that
            # goes on about it: another sentence's place is another event's
            # (the reader, given an Arabic question, preferred «در کرملین»
            # of the next meeting to «در عشقآباد» of the first; given a
            # Persian one, it read the first sentence only).
            found = _known_place(continued[0], len(texts[0]))
            continued = continued[:1]
        texts = continued
        found = found or _named(kind, texts, bridged) \
            or next(filter(None, (step(question, texts) for step in QUESTION_STEPS)), None) \
            or _owner(question, kind, texts, find_span(question, texts, bridged=bridged)) \
            or _office_speaker(question, chosen, names)
    if found is None:
        return chosen, None
    position, span = found
    sentence, name = chosen[position], names[position]
    if name is not None and span.start < name.end - name.start:
        # The answer is the name written before the title's sentence.
        answer = Span(name.start + span.start, name.start + min(span.end, name.end - name.start))
    else:
        shift = name.end - name.start + len("، ") if name is not None else 0
        start, end = max(span.start - shift, 0), span.end - shift
        if end <= start:
            return chosen, None
        answer = Span(sentence.span.start + start, sentence.span.start + end)
    if asks_person and asks_speaker(question):
        # «چه کسی گفت ...؟» is answered by who speaks in the sentence, not by
        # another person it names («... خطاب به دکتر پزشکیان گفت: ...»).
        in_passage = _passage_position(sentence, hits)
        speaker = None if in_passage is None else speaker_of(
            _article_text(sentence, hits, index), hits[sentence.hit_rank].chunk.sentences, in_passage)
        if speaker is not None and not (speaker.start <= answer.start and answer.end <= speaker.end):
            answer = speaker
    if not sentence.span.start <= answer.start < sentence.span.end:
        # The answer is in another sentence of the passage (the name of a
        # speaker given by title or pronoun): it is cited beside this one.
        _add_sentence(chosen, position, answer, hits, index, max_sentences)
    return chosen, (sentence.hit_rank, answer)


def _with_continuation(kind: str | None, chosen: Sequence[ScoredSentence], texts: list[str], hits: Sequence[Hit],
                       index: AnswerSource) -> list[str]:
    """For a "where" question (``kind`` ``place``), the best sentence read
    together with the next sentence of its passage when that one goes on
    about the same event: it opens with «این» or «آن» and a noun of the best
    sentence. News writes the event first and its place after: «... برای
    نخستین بار با یکدیگر دیدار کردند.» then «این دیدار در ... عشقآباد ... انجام شد.»

    Returns:
        ``texts`` with the first replaced by the article's text from the
        best sentence's start to the next one's end (so offsets into it
        are offsets from the best sentence's start), or ``texts`` as given.
    """
    if not chosen or kind != "place":
        return texts
    sentence = chosen[0]
    position = _passage_position(sentence, hits)
    passage = hits[sentence.hit_rank].chunk.sentences
    if position is None or position + 1 >= len(passage):
        return texts
    following = passage[position + 1]
    text = _article_text(sentence, hits, index)
    if not goes_on(sentence.text, text[following.start:following.end]):
        return texts
    return [text[sentence.span.start:following.end], *texts[1:]]


def _known_place(text: str, start: int) -> tuple[int, Span] | None:
    """The first place of the glossary (:func:`qa.bridge.places`) written
    after «در» or «به» from ``start`` on: «این دیدار در حاشیه همایش ... در
    عشقآباد ...» → «عشقآباد». Returns (0, its span) or None."""
    known = place_names()
    for word in sentence_words(text):
        if word.start >= start and word.key in known and follows_place_preposition(text, word.start):
            return 0, Span(word.start, word.end)
    return None


def _owner(question: str, kind: str | None, texts: Sequence[str],
           found: tuple[int, Span] | None) -> tuple[int, Span] | None:
    """Asked whose something is («به یادبود چه کسانی ...؟»,
    :func:`qa.short_answer.owner_noun`), the span found when it follows the
    noun; else the name the best sentence writes after the noun
    («بنای یادبود سرباز گمنام»), which the reader, seeing «کسانی», may not
    consider at all (it answered «سربازان روس», people of another phrase).
    Any other question: ``found`` as it is."""
    noun = owner_noun(question) if kind == "person" else None
    if noun is None or (found is not None and follows_word(texts[found[0]], found[1].start, noun)):
        return found
    named = frozenset(content_words(question)) - {noun}
    return named_after(((noun,),), texts, named) or found


def _named(kind: str | None, texts: Sequence[str], bridged: BridgedQuestion | None) -> tuple[int, Span] | None:
    """For an English or Arabic "which" question, the name written after
    the noun it asks by (:func:`qa.naming.named_after`: "At which airport
    ...?" → «فرودگاه مهرآباد»). A date or a number (``kind``) is not a
    name: "On what date ...?" is read by the reader."""
    if bridged is None or not bridged.asked or kind in ("date", "number"):
        return None
    return named_after(bridged.asked, texts, frozenset(bridged.tokens), places())


def _article_text(sentence: ScoredSentence, hits: Sequence[Hit], index: AnswerSource) -> str:
    return index.articles[hits[sentence.hit_rank].chunk.doc_id].text


def _passage_position(sentence: ScoredSentence, hits: Sequence[Hit]) -> int | None:
    """Index of the sentence among its passage's sentences (None if it is not one of them)."""
    sentences = hits[sentence.hit_rank].chunk.sentences
    return sentences.index(sentence.span) if sentence.span in sentences else None


def _add_sentence(chosen: list[ScoredSentence], position: int, inside: Span, hits: Sequence[Hit],
                  index: AnswerSource, max_sentences: int) -> None:
    """Put the passage's sentence holding ``inside`` right after ``chosen[position]``
    (unless the answer has it already), keeping at most ``max_sentences``."""
    sentence = chosen[position]
    chunk = hits[sentence.hit_rank].chunk
    holding = next(s for s in chunk.sentences if s.start <= inside.start and inside.end <= s.end)
    if any(hits[other.hit_rank].chunk.doc_id == chunk.doc_id and other.span == holding for other in chosen):
        return
    text = _article_text(sentence, hits, index)
    chosen.insert(position + 1, ScoredSentence(sentence.hit_rank, holding, text[holding.start:holding.end],
                                               sentence.similarity, sentence.overlap, sentence.cue,
                                               sentence.overlap_vouches))
    while len(chosen) > max_sentences:
        chosen.pop(max(i for i in range(len(chosen)) if i not in (position, position + 1)))


def _office_speaker(question: str, chosen: Sequence[ScoredSentence],
                    names: Sequence[Span | None]) -> tuple[int, Span] | None:
    """Asked who holds an office, the name of a sentence's speaker given by
    that office: «سفیر جمهوری اسلامی ایران در فدراسیون روسیه ... گفت:»
    followed by «کاظم جلالی ... افزود:» answers "Who is Iran's ambassador to
    Russia?" with «کاظم جلالی». Tried when the reader finds nothing: it was
    trained on Persian questions and finds no span for this English one
    (the Persian question it answers itself).

    Returns:
        (sentence position, the name's span in the sentence's text as read,
        name first), or None.
    """
    offices = asked_offices(question)
    if not offices:
        return None
    for position, (sentence, name) in enumerate(zip(chosen, names)):
        if name is not None:
            written = search_key(sentence.text).replace(" ", "")
            if any(office in written for office in offices):
                return position, Span(0, name.end - name.start)
    return None


def _speakers(chosen: Sequence[ScoredSentence], hits: Sequence[Hit], index: AnswerSource,
              link: Callable[[str, Sequence[Span], int], Span | None]) -> list[Span | None]:
    """What ``link`` finds for each sentence's speaker, in the sentence's
    passage: :func:`qa.speakers.speaker_name` («سفیر جمهوری اسلامی ایران ...
    گفت» → «کاظم جلالی») or :func:`qa.speakers.speaker_title` (the other way
    round); None where it finds nothing."""
    names: list[Span | None] = []
    for sentence in chosen:
        position = _passage_position(sentence, hits)
        names.append(None if position is None else
                     link(_article_text(sentence, hits, index), hits[sentence.hit_rank].chunk.sentences, position))
    return names
