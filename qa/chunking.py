"""Split articles into sentence-aligned chunks within a token budget.

Chunks are made of whole sentences (hazm's sentence tokenizer; line breaks are
boundaries too) up to a budget counted in the embedder's own tokens, with one
sentence repeated at the start of the next chunk so that an answer spanning a
boundary is still found. A sentence longer than the budget is cut at spaces.
Every chunk keeps offsets into the article: ``article.text[start:end] == text``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .text import split_sentences
from .types import Article, Chunk, Span

TokenCounter = Callable[[Sequence[str]], list[int]]
_NON_SPACE = re.compile(r"\S+")


@dataclass(frozen=True)
class ChunkingSettings:
    """How articles are cut; recorded in the index manifest.

    Attributes:
        max_tokens: Budget of one chunk in embedder tokens (prefix included).
        overlap_sentences: Sentences repeated at the start of the next chunk.
    """

    max_tokens: int = 200
    overlap_sentences: int = 1


def chunk_id_for(text: str) -> str:
    """Return the content-derived id of a passage (same text, same id)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _word_spans(text: str, span: Span, max_chars: int) -> list[Span]:
    """Return the words of ``text[span]`` by offsets; a "word" longer than
    ``max_chars`` (a run with no spaces) is cut into pieces of that length."""
    spans: list[Span] = []
    for match in _NON_SPACE.finditer(text, span.start, span.end):
        for start in range(match.start(), match.end(), max_chars):
            spans.append(Span(start, min(start + max_chars, match.end())))
    return spans


def _split_long(text: str, span: Span, count_tokens: TokenCounter, max_tokens: int) -> list[Span]:
    """Cut one over-long sentence at spaces into pieces within the budget.

    Linear in the sentence length: every word costs at least one token, so a
    piece never holds more than ``max_tokens`` words, and the halving search
    for its end only ever tokenizes that many words.
    """
    # A run with no spaces (hostile or binary-ish text) is cut every
    # max_tokens characters, so no single "word" makes a giant piece.
    words = _word_spans(text, span, max(1, max_tokens))
    pieces: list[Span] = []
    begin = 0
    while begin < len(words):
        low, high = begin + 1, min(len(words), begin + max_tokens)
        while low < high:
            middle = (low + high + 1) // 2
            candidate = text[words[begin].start:words[middle - 1].end]
            if count_tokens([candidate])[0] <= max_tokens:
                low = middle
            else:
                high = middle - 1
        pieces.append(Span(words[begin].start, words[low - 1].end))
        begin = low
    return pieces


def chunk_article(article: Article, count_tokens: TokenCounter,
                  settings: ChunkingSettings = ChunkingSettings()) -> list[Chunk]:
    """Cut an article into chunks.

    Args:
        article: The article.
        count_tokens: The embedder's token counter (``Embedder.count_tokens``).
        settings: Budget and overlap.

    Returns:
        Chunks in article order, each with its sentence spans.
    """
    text = article.text
    sentences: list[Span] = []
    spans = split_sentences(text)
    counts = count_tokens([text[s.start:s.end] for s in spans])
    for span, count in zip(spans, counts):
        if count > settings.max_tokens:
            sentences.extend(_split_long(text, span, count_tokens, settings.max_tokens))
        else:
            sentences.append(span)
    if not sentences:
        return []
    sizes = count_tokens([text[s.start:s.end] for s in sentences])
    # Each sentence counted alone carries the prefix and special tokens once;
    # inside a chunk they are paid once per chunk.
    overhead = max(0, count_tokens([""])[0])
    groups: list[list[int]] = []
    current: list[int] = []
    used = overhead
    index = 0
    while index < len(sentences):
        cost = sizes[index] - overhead
        if current and used + cost > settings.max_tokens:
            groups.append(current)
            keep = current[-settings.overlap_sentences:] if settings.overlap_sentences else []
            # Never restart from the same sentences: that would loop forever.
            if keep and keep[0] == current[0]:
                keep = []
            current = list(keep)
            used = overhead + sum(sizes[i] - overhead for i in current)
            if current and used + cost > settings.max_tokens:
                current, used = [], overhead
            continue
        current.append(index)
        used += cost
        index += 1
    if current:
        groups.append(current)
    chunks = []
    for group in groups:
        start, end = sentences[group[0]].start, sentences[group[-1]].end
        passage = text[start:end]
        chunks.append(Chunk(
            chunk_id=chunk_id_for(passage),
            doc_id=article.doc_id,
            start=start,
            end=end,
            text=passage,
            sentences=tuple(sentences[i] for i in group),
        ))
    return chunks
