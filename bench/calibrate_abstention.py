"""Derive the abstention thresholds of qa/answer.py from data.

For every development question (answerable and not) and every out-of-corpus
question, compute the evidence of the best answer sentence over the seed
index, then print, per question language, the weakest answerable and the
strongest unanswerable evidence and the midpoint between them.

    python bench/calibrate_abstention.py [--index index]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.answer import question_language, score_sentences
from qa.assistant import Assistant
from qa.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings.from_env().with_overrides(index_dir=args.index)
    assistant = Assistant(settings)
    if not assistant.has_index():
        assistant.build()
    files = [ROOT.parent / "shared" / "eval" / "seed_questions.jsonl", ROOT / "bench" / "out_of_corpus.jsonl"]
    questions = [json.loads(line) for path in files for line in path.read_text().splitlines() if line.strip()]
    index = assistant.index
    groups: dict[str, dict[bool, list[float]]] = {}
    for question in questions:
        text = question["question"]
        vector = assistant.embedder.embed_query(text)
        hits = assistant.retriever().search(text, settings.k, settings.mode)
        scored = score_sentences(text, vector, hits, index)
        evidence = scored[0].evidence if scored else 0.0
        language = question_language(question["question"])
        groups.setdefault(language, {True: [], False: []})[bool(question["answerable"])].append(evidence)
        print(f"{question['id']:6} {language} answerable={question['answerable']!s:5} evidence={evidence:.3f}")
    for language, values in sorted(groups.items()):
        weakest, strongest = min(values[True], default=1.0), max(values[False], default=0.0)
        print(f"{language}: weakest answerable {weakest:.3f}, strongest unanswerable {strongest:.3f}, "
              f"threshold {(weakest + strongest) / 2:.3f}")


if __name__ == "__main__":
    main()
