"""Tune and measure the short-answer extractor on PQuAD (gold sentence given).

    python bench/tune_short_answer.py [--json] [--no-tune]

PQuAD validation (../shared/eval/pquad_validation.json, CC BY-SA 4.0) is
split by article with a fixed seed: half for tuning the weights of
qa.short_answer.ShortAnswerWeights (a small grid search), half held out.
Each answerable question is paired with the sentence of its paragraph that
holds the first gold answer; the extractor picks a span from that sentence.
Reports token F1 and exact match (max over gold answers) on both halves.
The end-to-end figures (retrieval + sentence choice + span) come from
`qa eval`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import asdict, replace
from pathlib import Path

from qa.evaluation import exact_match, token_f1
from qa.short_answer import DEFAULT_WEIGHTS, best_span, question_shape
from qa.text import split_sentences

PQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "pquad_validation.json"
SEED = 13


def split_articles(data: list[dict]) -> tuple[list[dict], list[dict]]:
    """Return (tuning, held-out) articles: a seeded shuffle of the titles, halved."""
    articles = sorted(data, key=lambda article: article["title"])
    random.Random(SEED).shuffle(articles)
    half = len(articles) // 2
    return articles[:half], articles[half:]


def examples(articles: list[dict]) -> list[tuple[str, str, list[str]]]:
    """(question, sentence holding the first gold answer, gold answers) of answerable questions."""
    rows = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            spans = split_sentences(context)
            for qa in paragraph["qas"]:
                if qa.get("is_impossible") or not qa.get("answers"):
                    continue
                start = qa["answers"][0]["answer_start"]
                sentence = next((context[s.start:s.end] for s in spans if s.start <= start < s.end), None)
                if sentence:
                    rows.append((qa["question"], sentence, [a["text"] for a in qa["answers"]]))
    return rows


def measure(rows, weights) -> dict:
    f1 = em = found = 0.0
    for question, sentence, golds in rows:
        best = best_span(question, [sentence], weights)
        prediction = sentence[best[1].start:best[1].end] if best else ""
        found += bool(best)
        f1 += max(token_f1(prediction, gold) for gold in golds)
        em += max(exact_match(prediction, gold) for gold in golds)
    return {"questions": len(rows), "f1": f1 / len(rows), "em": em / len(rows), "answered": found / len(rows)}


GRID = {
    "alignment": (0.5, 1.0),
    "nearness": (0.25, 0.5),
    "length": (-0.1, 0.0),
    "edge_stopword": (0.5, 1.0),
    "min_score": (-10.0,),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-tune", action="store_true", help="measure the current weights only")
    parser.add_argument("--write-held-out", type=Path, metavar="FILE",
                        help="write the held-out articles as a SQuAD file (for `qa eval FILE`) and stop")
    args = parser.parse_args()
    data = json.loads(PQUAD.read_text(encoding="utf-8"))["data"]
    tuning, held_out = split_articles(data)
    if args.write_held_out:
        args.write_held_out.write_text(json.dumps({"version": "pquad-held-out", "data": held_out}, ensure_ascii=False),
                                       encoding="utf-8")
        return
    tuning_rows, held_out_rows = examples(tuning), examples(held_out)
    best_weights, best = DEFAULT_WEIGHTS, measure(tuning_rows, DEFAULT_WEIGHTS)
    if not args.no_tune:
        names = list(GRID)
        for values in itertools.product(*(GRID[name] for name in names)):
            weights = replace(DEFAULT_WEIGHTS, **dict(zip(names, values)))
            result = measure(tuning_rows, weights)
            if result["f1"] > best["f1"]:
                best_weights, best = weights, result
    report = {"split_seed": SEED, "tuning_articles": len(tuning), "held_out_articles": len(held_out),
              "weights": asdict(best_weights), "tuning": best, "held_out": measure(held_out_rows, best_weights),
              "question_types": {}}
    for question, _, _ in held_out_rows:
        kind = question_shape(question).kind or "none"
        report["question_types"][kind] = report["question_types"].get(kind, 0) + 1
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
