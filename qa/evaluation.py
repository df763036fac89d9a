"""Measure retrieval and answers on a question file (``qa eval``).

Two formats:

* our JSON Lines (``../shared/eval/seed_questions.jsonl``): ``question``,
  ``answerable``, and for answerable ones ``doc``, ``evidence`` and ``answer``
  words. A passage is a hit when it comes from ``doc`` and contains
  ``evidence`` (compared by search key). Asked against the given index.
  Dialogs (``tests/dialogs.jsonl``) add ``dialog`` (lines with the same id
  are one conversation, in file order) and ``short`` (the gold short
  answer); their follow-up turns get their own metrics.
* SQuAD (``persianqa_test.json``): every paragraph becomes an article of a
  temporary index; a passage is a hit when it covers a gold answer span.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .assistant import Assistant
from .config import Settings
from .conversation import Turn
from .retrieval import MODES
from .text import search_key
from .types import Answer, Chunk

METRICS = ("hit@1", "hit@5", "mrr", "answer_containment", "short_answer_em", "short_answer_f1", "mean_answer_chars",
           "abstain_rate_answerable", "abstain_rate_unanswerable", "latency_p50_ms", "latency_p95_ms")
# Only for files with dialogs: the turns after the first of each dialog.
FOLLOW_UP_METRICS = ("follow_up_cited", "follow_up_short_answer_f1")


@dataclass(frozen=True)
class EvalQuestion:
    """One evaluation question with a test for its passages and answers."""

    question: str
    answerable: bool
    is_hit: Callable[[Chunk], bool]
    answers: tuple[str, ...]
    all_answers_required: bool
    dialog: str | None = None


def read_questions(path: Path, data_dir: Path) -> tuple[list[EvalQuestion], Path | None]:
    """Read a question file.

    Args:
        path: JSON Lines or SQuAD JSON.
        data_dir: Where a SQuAD file's paragraphs are written as articles.

    Returns:
        The questions, and the data directory to index for a SQuAD file (None
        for our format, which is asked against the existing index).
    """
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        questions = []
        for line in raw.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            evidence = search_key(row.get("evidence", ""))
            doc = row.get("doc")
            questions.append(EvalQuestion(
                question=row["question"],
                answerable=bool(row.get("answerable", True)),
                is_hit=lambda chunk, doc=doc, evidence=evidence: chunk.doc_id == doc and evidence in search_key(chunk.text),
                answers=tuple(row.get("answer", [])) or ((row["short"],) if row.get("short") else ()),
                all_answers_required=True,
                dialog=None if row.get("dialog") is None else str(row["dialog"]),
            ))
        return questions, None
    data = json.loads(raw)["data"]
    data_dir.mkdir(parents=True, exist_ok=True)
    questions = []
    records = []
    for article in data:
        for paragraph in article["paragraphs"]:
            doc_id = f"squad#{len(records) + 1}"
            records.append({"title": article.get("title", ""), "text": paragraph["context"]})
            for qa in paragraph["qas"]:
                spans = tuple((a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa.get("answers", []))
                answerable = not qa.get("is_impossible", False) and bool(spans)
                questions.append(EvalQuestion(
                    question=qa["question"],
                    answerable=answerable,
                    is_hit=lambda chunk, doc_id=doc_id, spans=spans: chunk.doc_id == doc_id and any(
                        chunk.start <= start and end <= chunk.end for start, end in spans),
                    answers=tuple(a["text"] for a in qa.get("answers", [])),
                    all_answers_required=False,
                ))
    with (data_dir / "squad.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return questions, data_dir


_ANSWER_PUNCTUATION = re.compile(r"[^\w\s]")


def answer_tokens(text: str) -> list[str]:
    """Tokens compared by the short-answer metrics: Persian search keys
    (ZWNJ, Arabic letters, digit forms unified), punctuation removed."""
    return _ANSWER_PUNCTUATION.sub(" ", search_key(text)).split()


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 of a predicted answer against one gold answer.

    Args:
        prediction: Predicted short answer ("" for none).
        gold: A gold answer.

    Returns:
        F1 of the two token bags, in [0, 1].
    """
    predicted, expected = answer_tokens(prediction), answer_tokens(gold)
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, gold: str) -> bool:
    """Whether a prediction equals a gold answer after normalization."""
    return answer_tokens(prediction) == answer_tokens(gold)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def evaluate_mode(assistant: Assistant, questions: list[EvalQuestion], mode: str, k: int) -> dict[str, float]:
    """Ask every question in one retrieval mode and compute the metrics.

    Args:
        assistant: Assistant with the index to evaluate.
        questions: Questions.
        mode: Retrieval mode.
        k: Passages retrieved (at least 5 are retrieved for hit@5).

    Returns:
        Metrics keyed as in :data:`METRICS`.
    """
    ranks, contained, lengths, latencies = [], [], [], []
    short_f1: list[float] = []
    short_em: list[bool] = []
    follow_up_cited: list[bool] = []
    follow_up_f1: list[float] = []
    abstained_answerable = abstained_unanswerable = 0
    answerable_count = sum(q.answerable for q in questions)
    retriever = assistant.retriever()
    # Loaded before the clock starts: latency is per question, not the load.
    assistant.prepare_short_answers()
    turns: dict[str, list[Turn]] = {}
    for question in questions:
        history = turns.setdefault(question.dialog, []) if question.dialog is not None else []
        began = time.perf_counter()
        answer = assistant.ask(question.question, history=history, k=k, mode=mode)
        latencies.append((time.perf_counter() - began) * 1000)
        follow_up = bool(history)
        if question.dialog is not None:
            history.append(Turn.of(answer))
        if not question.answerable:
            abstained_unanswerable += answer.abstained
            continue
        abstained_answerable += answer.abstained
        hits = retriever.search(answer.retrieval_query or question.question, max(k, 5), mode)
        rank = next((number for number, hit in enumerate(hits, start=1) if question.is_hit(hit.chunk)), None)
        ranks.append(rank)
        answer_key = search_key(answer.answer) if not answer.abstained else ""
        found = [search_key(text) in answer_key for text in question.answers if search_key(text)]
        contained.append(bool(found) and (all(found) if question.all_answers_required else any(found)))
        predicted = answer.short_answer.text if answer.short_answer and not answer.abstained else ""
        golds = [text for text in question.answers if answer_tokens(text)]
        best_f1 = max((token_f1(predicted, gold) for gold in golds), default=0.0)
        if golds:
            short_f1.append(best_f1)
            short_em.append(any(exact_match(predicted, gold) for gold in golds))
        if follow_up:
            follow_up_cited.append(_cites(answer, question))
            follow_up_f1.append(best_f1)
        if not answer.abstained:
            lengths.append(len(answer.answer))
    unanswerable_count = len(questions) - answerable_count
    return {
        "hit@1": sum(r == 1 for r in ranks) / max(1, len(ranks)),
        "hit@5": sum(r is not None and r <= 5 for r in ranks) / max(1, len(ranks)),
        "mrr": sum(1 / r for r in ranks if r) / max(1, len(ranks)),
        "answer_containment": sum(contained) / max(1, len(contained)),
        "short_answer_em": sum(short_em) / max(1, len(short_em)),
        "short_answer_f1": sum(short_f1) / max(1, len(short_f1)),
        "mean_answer_chars": statistics.mean(lengths) if lengths else 0.0,
        "abstain_rate_answerable": abstained_answerable / max(1, answerable_count),
        "abstain_rate_unanswerable": abstained_unanswerable / max(1, unanswerable_count) if unanswerable_count else 0.0,
        "latency_p50_ms": _percentile(latencies, 0.5),
        "latency_p95_ms": _percentile(latencies, 0.95),
        **({"follow_up_cited": sum(follow_up_cited) / len(follow_up_cited),
            "follow_up_short_answer_f1": sum(follow_up_f1) / len(follow_up_f1)} if follow_up_cited else {}),
    }


def _cites(answer: Answer, question: EvalQuestion) -> bool:
    """Whether a passage the answer cites (with evidence) holds the question's evidence."""
    return not answer.abstained and any(
        citation.evidence and question.is_hit(Chunk(citation.chunk_id, citation.doc_id, citation.start, citation.end,
                                                     citation.text))
        for citation in answer.citations)


def evaluate(path: Path, settings: Settings, modes=MODES, k: int | None = None,
             assistant: Assistant | None = None) -> dict:
    """Evaluate a question file in each mode.

    Args:
        path: Question file (our JSON Lines or SQuAD JSON).
        settings: Settings (index used for JSON Lines files).
        modes: Modes to measure.
        k: Passages per question.
        assistant: Assistant to reuse (its embedder is reused for SQuAD files).

    Returns:
        ``{"questions", "answerable", "modes": {mode: metrics}}``.
    """
    k = k or settings.k
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as scratch:
        questions, data_dir = read_questions(path, Path(scratch) / "data")
        if data_dir is not None:
            eval_settings = settings.with_overrides(data_dir=data_dir, index_dir=Path(scratch) / "index")
            embedder = assistant.embedder if assistant else None
            assistant = Assistant(eval_settings, embedder)
            assistant.build()
        else:
            assistant = assistant or Assistant(settings)
        result = {
            "questions": len(questions),
            "answerable": sum(q.answerable for q in questions),
            "k": k,
            "modes": {mode: evaluate_mode(assistant, questions, mode, k) for mode in modes},
        }
    return result


def format_table(result: dict) -> str:
    """Return the evaluation result as a table for people."""
    modes = list(result["modes"])
    lines = [f"{result['questions']} questions, {result['answerable']} answerable, k={result['k']}",
             f"{'metric':28}" + "".join(f"{mode:>10}" for mode in modes)]
    for metric in METRICS + FOLLOW_UP_METRICS:
        if metric not in result["modes"][modes[0]]:
            continue
        cells = []
        for mode in modes:
            value = result["modes"][mode][metric]
            cells.append(f"{value:>10.1f}" if metric.endswith(("_ms", "_chars")) else f"{value:>10.3f}")
        lines.append(f"{metric:28}" + "".join(cells))
    return "\n".join(lines)
