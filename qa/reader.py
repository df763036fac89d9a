"""The span reader: a trained model that points at the short answer in the answer's sentences.

The reader reads the question and the sentences an answer cites, as one
passage, and scores every token as the start and the end of the answer
(qa/reader_model.py; trained by bench/train_reader.py on PQuAD). The best
span that stays inside one sentence is the short answer. It replaces the
rules of :mod:`qa.short_answer` where it is available; the rules stay as the
fallback (no trained weights, another bundle) and for the fast tests.

The trained layers ship in the package (``qa/models/reader-e5-small.*``).
On first use they are merged with the bundled encoder and exported to ONNX
and int8 into the model cache, once (:func:`ensure_reader`, about 20 s, the
only step that imports torch); answering then imports ONNX Runtime and
``tokenizers`` only.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .files import sha256_file
from .short_answer import (fits_kind, follows_place_preposition, follows_word, office_fits, owner_noun, question_keys,
                           question_shape, reader_question, repeats_question, sentence_words, trim_to_kind)
from .parameters import DEFAULT_ANSWER
from .text import question_language, search_key, unify_letters
from .types import BridgedQuestion, Span

if TYPE_CHECKING:
    from .bundled_model import PreparedModel

log = logging.getLogger(__name__)

_WHERE = frozenset({"کجا", "کجاست"})
READER_WEIGHTS = Path(__file__).resolve().parent / "models" / "reader-e5-small.safetensors"
READER_ONNX = "reader_int8.onnx"
_DONE = "qa-reader.json"


class ReaderError(RuntimeError):
    """The reader cannot be prepared or loaded."""


@dataclass(frozen=True)
class ReaderSettings:
    """How the reader reads (written beside the weights by the training script).

    Attributes:
        max_length: Longest input in tokens (question, sentences, markers).
        max_answer_tokens: Longest span in tokens.
    """

    max_length: int = 384
    max_answer_tokens: int = 30

    @classmethod
    def for_weights(cls, weights: Path) -> "ReaderSettings":
        """Read the settings the weights were trained with."""
        info = json.loads(weights.with_suffix(".json").read_text(encoding="utf-8"))
        return cls(int(info["max_length"]), int(info["max_answer_tokens"]))


def reader_available(weights: Path = READER_WEIGHTS) -> bool:
    """Tell whether trained reader weights ship with this installation."""
    return weights.is_file() and weights.with_suffix(".json").is_file()


def ensure_reader(prepared: "PreparedModel", weights: Path = READER_WEIGHTS) -> Path:
    """Return the reader's ONNX file in the model cache, exporting it once.

    The export goes into a temporary directory renamed into place when
    complete, keyed by the weights' hash, so new weights are exported again
    and a process killed mid-export leaves nothing half-written.

    Args:
        prepared: The prepared bundled model (encoder and tokenizer).
        weights: The trained tensors (safetensors).

    Returns:
        Path of the int8 ONNX reader.

    Raises:
        ReaderError: When the weights are missing or the export fails.
    """
    if not reader_available(weights):
        raise ReaderError(f"No trained reader at {weights}: run python bench/train_reader.py")
    digest = sha256_file(weights)[:12]
    entry = prepared.root / f"reader-{digest}"
    if (entry / _DONE).is_file() and (entry / READER_ONNX).is_file():
        return entry / READER_ONNX
    log.warning("Preparing the short-answer reader (once, about 20 s) in %s", entry)
    started = time.monotonic()
    temporary = Path(tempfile.mkdtemp(prefix=entry.name + ".tmp-", dir=prepared.root))
    try:
        try:
            from .bundled_model import quantize_onnx
            from .reader_model import build_reader_module, export_reader_onnx

            module = build_reader_module(prepared.sentence_transformers_dir, weights)
            export_reader_onnx(module, temporary / "reader.onnx")
            quantize_onnx(temporary / "reader.onnx", temporary / READER_ONNX)
            (temporary / "reader.onnx").unlink()
        except Exception as error:  # noqa: BLE001 - torch and ONNX raise many types
            raise ReaderError(f"Cannot prepare the reader ({error.__class__.__name__}: {error})") from error
        (temporary / _DONE).write_text(json.dumps({"weights": str(weights), "sha256": sha256_file(weights)}))
        if entry.exists():
            shutil.rmtree(entry)
        os.replace(temporary, entry)
        for other in prepared.root.glob("reader-*"):
            if other != entry and ".tmp-" not in other.name:
                shutil.rmtree(other, ignore_errors=True)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    log.warning("Reader ready in %.1f s", time.monotonic() - started)
    return entry / READER_ONNX


class SpanReader:
    """Finds the short answer in a few sentences with the trained reader.

    Args:
        prepared: The prepared bundled model (its tokenizer).
        model_path: The reader's ONNX file (:func:`ensure_reader`).
        settings: Lengths the reader was trained with.
        threads: Intra-op threads; None lets ONNX Runtime use every physical core.
        later_sentence_penalty: What an English or Arabic question's span
            loses per sentence after the first
            (:attr:`qa.parameters.AnswerParameters.bridged_later_sentence_penalty`).
    """

    def __init__(self, prepared: "PreparedModel", model_path: Path, settings: ReaderSettings = ReaderSettings(),
                 threads: int | None = None,
                 later_sentence_penalty: float = DEFAULT_ANSWER.bridged_later_sentence_penalty) -> None:
        from .embedding import EmbedderError
        from .onnx_embedding import cpu_session, shared_tokenizer

        self.settings = settings
        self.later_sentence_penalty = later_sentence_penalty
        self._read = functools.lru_cache(maxsize=32)(self._read_uncached)
        try:
            # The embedder's tokenizer, not a second copy (290 MB each).
            self._tokenizer = shared_tokenizer(str(prepared.tokenizer_file))
            self._session = cpu_session(model_path, threads)
        except EmbedderError as error:  # ONNX Runtime is not installed
            raise ReaderError(str(error)) from error
        except Exception as error:  # noqa: BLE001 - ONNX Runtime raises its own types
            raise ReaderError(f"Cannot load the reader {model_path} ({error.__class__.__name__}: {error})") from error

    def no_answer_margin(self, question: str, sentences: Sequence[str]) -> float:
        """How much surer the reader is of its best span than of no answer.

        The reader was trained SQuAD 2.0 style: for a question its passage
        does not answer it points at ``<s>``. The margin is the best span's
        score (start + end logits, inside one sentence) less that of ``<s>``;
        well below zero, the sentences do not answer the question, however
        close in meaning they are («حجم تجارت ایران و روسیه ... چند میلیارد
        دلار بود؟» found sentences on trade between the two at 0.865).

        Args:
            question: The (standalone) question.
            sentences: The answer's sentences, best first.

        Returns:
            The margin; infinity when there is nothing to read (no verdict).
        """
        texts = list(sentences)
        if not texts or not question.strip():
            return float("inf")
        reading = self._read(question, tuple(texts), ())
        if reading is None:
            return float("inf")
        _, bounds, _, sequence_ids, offsets, starts, ends = reading
        spans = best_token_spans(starts, ends, token_sentences(sequence_ids, offsets, bounds),
                                 self.settings.max_answer_tokens, keep=1)
        if not spans:
            return float("inf")
        first, last = spans[0]
        return float(starts[first] + ends[last] - starts[0] - ends[0])

    def _read_uncached(self, question: str, texts: tuple[str, ...], first_words: tuple[str, ...]):
        """Run the reader over the sentences joined into one passage
        (through :attr:`_read`, which keeps the last few readings: a Persian
        question's sentences are read once for :meth:`no_answer_margin` and
        again, mostly the same, for :meth:`find_span`).

        Returns:
            (passage, each sentence's bounds in it, the question as read,
            token sequence ids, token offsets, start scores, end scores), or
            None when the question leaves no room for the passage.
        """
        # Sentences joined by a space, as they stand in a paragraph: the reader
        # was trained on whole paragraphs.
        context = ""
        bounds = []
        for text in texts:
            if context:
                context += " "
            bounds.append((len(context), len(context) + len(text)))
            context += text
        # Pasted text writes Arabic ي/ك, which the reader barely saw in
        # training («پزشكيان با كدام نخست‌وزير...» lost the name); the
        # passage keeps its length, so offsets still point into it.
        # An Arabic question is read with the Persian question word of its kind.
        asked = reader_question(question, first_words)
        encoding = self._tokenizer.encode(unify_letters(asked), unify_letters(context))
        ids, sequence_ids, offsets = fit_length(encoding.ids, encoding.sequence_ids, encoding.offsets,
                                                self.settings.max_length)
        if not any(sequence == 1 for sequence in sequence_ids):
            return None
        inputs = np.array([ids], dtype=np.int64)
        starts, ends = self._session.run(None, {"input_ids": inputs, "attention_mask": np.ones_like(inputs)})
        return context, bounds, asked, sequence_ids, offsets, starts[0], ends[0]

    def find_span(self, question: str, sentences: Sequence[str], *,
                  bridged: BridgedQuestion | None = None) -> tuple[int, Span] | None:
        """Return (sentence index, character span in that sentence) of the short answer.

        Args:
            question: The (standalone) question.
            sentences: The answer's sentences, best first.
            bridged: An English or Arabic question in the articles' words:
                an English question is read with them
                (:func:`qa.short_answer.reader_question`), and no span that
                holds a name the question gives is its answer.

        Returns:
            The best span that lies inside one sentence, trimmed of spaces and
            edge punctuation, or None when there is no sentence or no span.
        """
        texts = list(sentences)
        if not texts or not question.strip():
            return None
        reading = self._read(question, tuple(texts), bridged.first_words if bridged else ())
        if reading is None:
            return None  # a question longer than the whole input: no room for a span
        context, bounds, asked, sequence_ids, offsets, starts, ends = reading
        given = frozenset(search_key(name) for name in bridged.names) if bridged else frozenset()
        sentence_of = token_sentences(sequence_ids, offsets, bounds)
        # The reader cannot align an English or Arabic question's words with
        # a Persian sentence: there the sentences' order (by meaning and the
        # bridge's concepts) decides, unless the reader is much surer of a
        # later sentence ("In which city ... the Tomb of the Unknown
        # Soldier?" took «ترکمنستان» from the third sentence).
        penalty = self.later_sentence_penalty if question_language(question) != "fa" else 0.0
        scored = []
        # Penalised, or for a place after «در»/«به» or a name after the noun
        # it owns (below), spans ranked below the reader's first ten may
        # come first.
        kind = question_shape(question).kind
        owner = owner_noun(question) if kind == "person" else None
        keep = 20 if penalty or kind == "place" or owner is not None else 10
        for first, last in best_token_spans(starts, ends, sentence_of, self.settings.max_answer_tokens,
                                            keep=keep):
            start, end = balance_quotes(context, *widen_to_words(
                context, *trim_span(context, offsets[first][0], offsets[last][1])))
            if start < end:
                sentence = int(sentence_of[first])
                scored.append((float(starts[first] + ends[last]) - penalty * sentence, sentence, start, end))
        scored.sort(key=lambda item: -item[0])  # stable: equal scores keep the reader's order
        spans = [(sentence, start, end) for _, sentence, start, end in scored]
        if given:
            # A name the question gives is not what it asks for («مسعود
            # پزشکیان» for "Whom did Pezeshkian meet ...?" and for «ما الذي
            # قال بزشكيان إن إيران لا تخشاه؟»): no answer rather than that.
            spans = [span for span in spans if not gives_name(context, span[1], span[2], given)]
        if not spans:
            return None
        # The reader sometimes reads «کی» (when) as colloquial "who" and
        # answers a name: the best span of the kind the question word asks
        # for wins over a better-scored span of another kind.
        # Nor is a span that only repeats the question an answer («رئیسجمهور»
        # for «چه کسی ... از رئیس‌جمهور ایران استقبال کرد؟»), or an English
        # question's words as the articles write them («پزشکیان» for "Whose
        # crimes did Pezeshkian call a common threat ...?").
        fitting = [span for span in spans if fits_kind(kind, context[span[1]:span[2]])
                   and not repeats_question(asked, context[span[1]:span[2]])]
        if kind == "place" and (penalty or _WHERE & set(question_keys(question))):
            # Nor can it tell the place of a "where" question from another
            # noun of the sentence («همایش بینالمللی» over «در عشقآباد»): a
            # span written after «در» or «به» first. (Not for «کدام کشور»,
            # asked in Persian: the name of a country is the answer there,
            # whatever it follows.)
            fitting = [span for span in fitting if follows_place_preposition(context, span[1])] or fitting
        if owner is not None:
            # Asked whose memorial («به یادبود چه کسانی»), the owner's name
            # is written right after the noun; the reader, seeing «کسانی»,
            # took any people of the sentence («سربازان روس»).
            fitting = [span for span in fitting if follows_word(context, span[1], owner)] or fitting
        if kind == "person" and fitting:
            # Asked who holds an office, or whom its holder met, the names
            # the offices rule out leave no answer rather than a guess.
            keys = question_keys(question)
            fitting = [span for span in fitting if office_fits(
                question, texts[span[0]], span[1] - bounds[span[0]][0], span[2] - bounds[span[0]][0], keys,
                texts[:span[0]] + texts[span[0] + 1:])]
            if not fitting:
                return None
        position, start, end = fitting[0] if fitting else spans[0]
        first, last = trim_to_kind(kind, context[start:end])
        start, end = start + first, start + last
        return position, Span(start - bounds[position][0], end - bounds[position][0])


def gives_name(text: str, start: int, end: int, names: frozenset[str]) -> bool:
    """Whether ``text[start:end]`` holds one of ``names`` (search keys) or
    is written right before one: «مسعود» of «مسعود پزشکیان» is part of the
    name, as «دکتر» is of «دکتر پزشکیان».

    Args:
        text: The reader's context.
        start: Where the span starts.
        end: Where it ends.
        names: Search keys of the names.
    """
    if not names.isdisjoint(word.key for word in sentence_words(text[start:end])):
        return True
    after = sentence_words(text[end:end + 40])
    return bool(after) and not text[end:end + after[0].start].strip() and after[0].key in names


def fit_length(ids: Sequence[int], sequence_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]],
               max_length: int) -> tuple[list[int], list[int | None], list[tuple[int, int]]]:
    """Cut an encoded (question, passage) pair to ``max_length`` tokens from the passage's end.

    What the tokenizer's own ``only_second`` truncation does, without
    switching it on: the tokenizer is shared between threads (and with the
    embedder), so its settings are never changed.

    Args:
        ids: Token ids, ending with the closing marker.
        sequence_ids: 0 for question tokens, 1 for passage tokens, None for markers.
        offsets: Character span of each token in its sequence.
        max_length: Longest input in tokens.

    Returns:
        The three lists, cut: the passage loses its last tokens, the closing
        marker stays. When even the question does not fit, no passage token
        is left.
    """
    if len(ids) <= max_length:
        return list(ids), list(sequence_ids), list(offsets)
    keep = max_length - 1  # and the closing marker
    return ([*ids[:keep], ids[-1]], [*sequence_ids[:keep], sequence_ids[-1]], [*offsets[:keep], offsets[-1]])


def token_sentences(sequence_ids: Sequence[int | None], offsets: Sequence[tuple[int, int]],
                    bounds: Sequence[tuple[int, int]]) -> np.ndarray:
    """Return, per token, the index of the context sentence it lies in (-1: question, markers).

    Args:
        sequence_ids: 0 for question tokens, 1 for context tokens, None for markers.
        offsets: Character span of each token in its sequence.
        bounds: Character span of each sentence in the context.
    """
    sentence_of = np.full(len(sequence_ids), -1)
    for token, sequence in enumerate(sequence_ids):
        start, end = offsets[token]
        if sequence == 1 and end > start:
            sentence_of[token] = next((i for i, (first, last) in enumerate(bounds) if first <= start < last), -1)
    return sentence_of


def best_token_spans(starts: np.ndarray, ends: np.ndarray, sentence_of: np.ndarray,
                     max_tokens: int, candidates: int = 20, keep: int = 10) -> list[tuple[int, int]]:
    """Return the (first, last) tokens of the best spans inside one sentence, best first.

    A span's score is its first token's start score plus its last token's end
    score; it must not run backwards, exceed ``max_tokens`` or cross from one
    sentence into the next (a short answer is cited to one sentence).

    Args:
        starts: Start score per token.
        ends: End score per token.
        sentence_of: Sentence index per token, -1 for tokens outside the context.
        max_tokens: Longest span in tokens.
        candidates: How many best starts and ends are paired.
        keep: How many spans to return at most.

    Returns:
        Token index pairs; empty when no token lies in a sentence.
    """
    inside = np.flatnonzero(sentence_of >= 0)
    if not len(inside):
        return []
    start_order = inside[np.argsort(-starts[inside], kind="stable")][:candidates]
    end_order = inside[np.argsort(-ends[inside], kind="stable")][:candidates]
    scored = [(float(starts[first] + ends[last]), int(first), int(last))
              for first in start_order for last in end_order
              if first <= last < first + max_tokens and sentence_of[first] == sentence_of[last]]
    scored.sort(key=lambda item: -item[0])
    return [(first, last) for _, first, last in scored[:keep]]


def best_token_span(starts: np.ndarray, ends: np.ndarray, sentence_of: np.ndarray,
                    max_tokens: int) -> tuple[int, int] | None:
    """Return the best span of :func:`best_token_spans`, or None."""
    spans = best_token_spans(starts, ends, sentence_of, max_tokens, keep=1)
    return spans[0] if spans else None


# Punctuation the reader may take in at a span's edge; the short answer
# should not start or end with it (quotes stay: «...» is part of a title).
_EDGE = " \t\n\u200c.,،;؛:!?؟()[]"
_SENTENCE_END = re.compile(r"[.!?؟\n]")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start``/``end`` inwards past spaces, ZWNJ and edge punctuation."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def balance_quotes(text: str, start: int, end: int, reach: int = 40) -> tuple[int, int]:
    """Give a span the guillemet its other half is missing.

    The reader ends a span inside a quoted name as often as at its edge
    («بنیاد آمریکایی «دفاع از دموکراسیها» without its closing »). A quote
    opened in the span is closed by taking in the » that follows within
    ``reach`` characters; failing that, the span ends before the «. A quote
    closed in the span is opened the same way, looking back.

    Args:
        text: The passage the span points into.
        start: Span start.
        end: Span end.
        reach: How far to look for the missing half.

    Returns:
        The new ``(start, end)``; the span itself when it is balanced.
    """
    span = text[start:end]
    if span.count("«") > span.count("»"):
        closing = text.find("»", end, end + reach)
        opening = span.rfind("«")
        if closing != -1 and not _SENTENCE_END.search(text[end:closing]) and "«" not in text[end:closing]:
            end = closing + 1
        elif opening > 0:
            start, end = trim_span(text, start, start + opening)
        else:
            start, end = trim_span(text, start + 1, end)
    elif span.count("»") > span.count("«"):
        opening = text.rfind("«", max(0, start - reach), start)
        closing = span.find("»")
        if opening != -1 and not _SENTENCE_END.search(text[opening:start]) and "»" not in text[opening:start]:
            start = opening
        elif closing < len(span) - 1:
            start, end = trim_span(text, start + closing + 1, end)
        else:
            start, end = trim_span(text, start, end - 1)
    return start, end


def widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start``/``end`` outwards to the edges of the words they cut.

    The reader points at word pieces, and now and then its span starts or
    ends inside a word: «صد سال» of «پانصد سال», «سرود» of «سرودهای», «ان» of
    «ایران». Only a cut between two letters is widened: a digit run into a
    word («سال۲۰۱۴») is the text's own joining, and a ZWNJ ends a word part.
    """
    while 0 < start < end and text[start - 1].isalpha() and text[start].isalpha():
        start -= 1
    while start < end < len(text) and text[end - 1].isalpha() and text[end].isalpha():
        end += 1
    return start, end
