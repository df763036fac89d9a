"""Derive the abstention thresholds (qa/abstention_thresholds.json) from data.

For every development question (answerable and not) the evidence of the
best answer sentence is computed over the seed index: our own questions
(tests/questions.jsonl), the cross-lingual ones (bench/cross_lingual.jsonl,
_held_out, _fresh, _unseen and _named; the two blind sets stay out), the
out-of-corpus ones (bench/out_of_corpus.jsonl) and, when ../shared is
beside the checkout, the shared development questions. Per question
language it prints the weakest answerable and the strongest unanswerable
evidence and the midpoint between them (or, when they overlap or no
unanswerable question counts, a threshold just under the weakest
answerable); --write stores them for the embedder
measured. Questions that are not answered whatever their evidence (no
content word the articles hold, a name or most of the words they never
write) do not count.

    python bench/calibrate_abstention.py [--index index] [--embedder NAME] [--write]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.answer import best_evidence, has_substance, score_sentences
from qa.text import question_language
from qa.assistant import Assistant
from qa.config import Settings
from qa.parameters import THRESHOLDS_FILE, read_thresholds

ROOT = Path(__file__).resolve().parent.parent
# The blind sets (bench/cross_lingual_blind*.jsonl) and the near-topic
# questions (bench/out_of_corpus_near.jsonl, stopped by the reader and the
# office checks, not by evidence) stay out: they measure what this chose.
FILES = [ROOT / "tests" / "questions.jsonl"] + [ROOT / "bench" / f"cross_lingual{name}.jsonl" for name in (
    "", "_held_out", "_fresh", "_unseen", "_named")] + [
    ROOT / "bench" / "out_of_corpus.jsonl", ROOT.parent / "shared" / "eval" / "seed_questions.jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--embedder", default=None, help="embedder to calibrate (default: QA_EMBEDDER or e5-small)")
    parser.add_argument("--write", action="store_true", help="store the thresholds in qa/abstention_thresholds.json")
    args = parser.parse_args()
    settings = Settings.from_env().with_overrides(index_dir=args.index, embedder=args.embedder)
    assistant = Assistant(settings)
    if not assistant.has_index():
        assistant.build()
    questions = [json.loads(line) for path in FILES if path.is_file()
                 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    index = assistant.index
    groups: dict[str, dict[bool, list[float]]] = {}
    for question in questions:
        text = question["question"]
        vector = assistant.embedder.embed_query(text)
        retriever = assistant.retriever()
        hits = retriever.search(text, settings.k, settings.mode)
        bridged = retriever.bridged(text)
        scored = score_sentences(text, vector, hits, index, bridged.concepts if bridged else ())
        evidence = best_evidence(scored)
        language = question_language(text)
        answerable = bool(question.get("answerable", True))
        # A question without substance is not answered whatever its evidence.
        substance = has_substance(text, index, bridged)
        if substance or answerable:
            groups.setdefault(language, {True: [], False: []})[answerable].append(evidence)
        gated = "" if substance else "  (no substance: not answered)"
        print(f"{question['id']:6} {language} answerable={answerable!s:5} evidence={evidence:.3f}{gated}")
    thresholds = {}
    for language, values in sorted(groups.items()):
        weakest, strongest = min(values[True], default=1.0), max(values[False], default=0.0)
        if values[False] and weakest > strongest:
            thresholds[language], note = round((weakest + strongest) / 2, 3), ""
        else:
            # Overlapping, the threshold goes just under the weakest
            # answerable question: a wrong answer still shows its sources, a
            # false abstention hides what the articles hold. With every
            # unanswerable question stopped before its evidence counted,
            # nothing says how much lower it may go.
            thresholds[language] = round(weakest - 0.002, 3)
            note = ("  (they overlap: the unanswerable questions above it will be answered)" if values[False]
                    else "  (no unanswerable question reaches the threshold)")
        strongest_text = f"{strongest:.3f}" if values[False] else "none"
        print(f"{language}: weakest answerable {weakest:.3f}, strongest unanswerable {strongest_text}, "
              f"threshold {thresholds[language]:.3f}{note}")
    if args.write:
        table = read_thresholds()
        table[index.manifest.embedder] = thresholds
        THRESHOLDS_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"written to {THRESHOLDS_FILE} for {index.manifest.embedder}")


if __name__ == "__main__":
    main()
