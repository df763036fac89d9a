"""Typed values that cross module boundaries.

Every module takes and returns these frozen dataclasses, never raw tuples or
FAISS arrays, so that a reader can follow a value from the article file to the
citation shown in the chat page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from .reasons import describe


@dataclass(frozen=True)
class Article:
    """One news article as read from the data directory.

    Attributes:
        doc_id: Stable identifier: the relative path without its extension
            (``000_579d1ee50203db0a``); ``#n`` is appended for the n-th record
            of a JSON Lines file.
        path: Path of the source file relative to the data directory (POSIX).
        title: Headline, or the opening words when the article has none.
        text: The article's own text, exactly as read; offsets point into it.
        source: News agency named in the text (``ایرنا``), if any.
        date: First Jalali date the text mentions, as ISO ``YYYY-MM-DD``.
        url: Source address, when the file gives one.
        content_hash: SHA-256 of ``title`` + ``text``; changes when either does.
    """

    doc_id: str
    path: str
    title: str
    text: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    content_hash: str = ""


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` in an article's original text."""

    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``article.text[start:end] == text``."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores.

    Attributes:
        chunk: The passage.
        score: Score used for ranking (cosine for dense, BM25 for lexical,
            reciprocal-rank-fusion score for hybrid).
        dense_score: Cosine similarity of query and passage, when computed.
        lexical_score: BM25 score, when the passage matched lexically.
    """

    chunk: Chunk
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class BridgedQuestion:
    """An English or Arabic question written in the articles' Persian words
    (see :mod:`qa.bridge`).

    Attributes:
        concepts: What the question names, each as the index's Persian
            tokens that write it («countries» → («کشور», «کشورها»)).
        absent_names: Names the question gives (English words with a capital)
            that neither the glossary nor any word of the index sounds like:
            "France" in articles that never mention it.
        absent_words: Glossary words of the question whose Persian the
            articles never write: "population" («جمعیت») in articles on
            Moscow that give none.
        about: The concepts written after "about" (Arabic «عن», «حول»):
            the topic of "What did the ambassador say about the agreement?",
            as opposed to who spoke.
        asked: The kind of thing a "which" question asks for, the noun
            first and then what describes it, as Persian writes them:
            "Which American foundation ...?" → («بنیاد»), («آمریکایی», ...).
        names: The index's words the question's names sound like
            ("Pezeshkian" → «پزشکیان»): what the question gives, never the
            answer it asks for.
        counted: The question's own words for what a "how many" question
            counts ("nuclear power plants", «محطة»); when one of them is
            among ``absent_words``, the articles never mention such things.
        modifiers: Concepts that say when or in which order, not what
            about ("first" → «نخستینبار»): they rank sentences, but a
            question naming only them names nothing the articles hold
            ("When did the first man land on the moon?").
    """

    concepts: tuple[tuple[str, ...], ...] = ()
    absent_names: tuple[str, ...] = ()
    about: tuple[tuple[str, ...], ...] = ()
    absent_words: tuple[str, ...] = ()
    asked: tuple[tuple[str, ...], ...] = ()
    names: tuple[str, ...] = ()
    counted: tuple[str, ...] = ()
    modifiers: tuple[tuple[str, ...], ...] = ()

    @property
    def first_words(self) -> tuple[str, ...]:
        """The first Persian word of each concept, in the question's order."""
        return tuple(group[0] for group in self.concepts)

    @property
    def tokens(self) -> list[str]:
        """The concepts' tokens, each once: what BM25 is asked."""
        return list(dict.fromkeys(token for group in self.concepts for token in group))


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer, with the sentences used from it."""

    n: int
    doc_id: str
    path: str
    title: str
    source: str | None
    date: str | None
    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    evidence: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by ``qa ask --json`` and the web API."""
        data = asdict(self)
        data["evidence"] = [{"start": s.start, "end": s.end} for s in self.evidence]
        return data


@dataclass(frozen=True)
class ShortAnswer:
    """The few words that answer the question, inside one cited sentence.

    Attributes:
        text: The words, as the article writes them.
        n: Number of the citation whose sentence holds them.
        start: Offset of the first character in the article's text.
        end: Offset after the last character.
    """

    text: str
    n: int
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``{"text", "n", "start", "end"}``)."""
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """An extractive answer: sentences from the articles, each cited, and
    the short answer inside one of them when one is found."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    retrieval_query: str = ""
    short_answer: ShortAnswer | None = None
    note: str | None = None

    @property
    def rewritten_question(self) -> str | None:
        """The standalone question a follow-up was answered as (None when the
        question was answered as asked)."""
        return self.retrieval_query if self.retrieval_query and self.retrieval_query != self.question else None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by ``qa ask --json`` and the web API."""
        return {
            "question": self.question,
            "rewritten_question": self.rewritten_question,
            "note": self.note,
            "short_answer": self.short_answer.to_dict() if self.short_answer else None,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass(frozen=True)
class SkippedFile:
    """A file of the data directory that was skipped (or, for a warning,
    read with a change), and why.

    Attributes:
        path: Path relative to the data directory (``file.jsonl:3`` for a record).
        code: The reason's key in :data:`qa.reasons.REASONS`.
        params: Values for the reason's template.
    """

    path: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in English (CLI, JSON)."""
        return describe(self.code, self.params)

    @property
    def reason_persian(self) -> str:
        """The reason in Persian (chat page)."""
        return describe(self.code, self.params, persian=True)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"path", "code", "reason"}``."""
        return {"path": self.path, "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class BuildSummary:
    """What one ``qa index build`` did.

    ``embedded`` and ``reused`` count chunks; ``added``, ``changed``,
    ``removed`` and ``articles`` count articles.
    """

    articles: int
    chunks: int
    embedded: int
    reused: int
    added: int
    changed: int
    removed: int
    skipped: tuple[SkippedFile, ...]
    seconds: float
    index_dir: str
    full: bool = False
    up_to_date: bool = False
    notes: tuple[str, ...] = field(default=())
    warnings: tuple[SkippedFile, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``qa index build --json``."""
        data = asdict(self)
        data["skipped"] = [s.to_dict() for s in self.skipped]
        data["warnings"] = [w.to_dict() for w in self.warnings]
        data["notes"] = list(self.notes)
        data["seconds"] = round(self.seconds, 3)
        return data

    def one_line(self) -> str:
        """Return the human summary printed at the end of a build."""
        state = " (already up to date)" if self.up_to_date else ""
        return (
            f"{self.articles} articles, {self.chunks} chunks: embedded {self.embedded} now, "
            f"reused {self.reused}; {self.added} added, {self.changed} changed, "
            f"{self.removed} removed; {len(self.skipped)} files skipped; "
            f"{self.seconds:.1f} s -> {self.index_dir}{state}"
        )
