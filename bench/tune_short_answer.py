"""Tune and measure the short-answer finders on PQuAD (gold sentence given).

    python bench/tune_short_answer.py [--json] [--no-tune]
    python bench/tune_short_answer.py --compare          # rules vs the trained reader
    python bench/tune_short_answer.py --write-held-out F # for `qa eval F`

PQuAD validation (../shared/eval/pquad_validation.json, CC BY-SA 4.0) is
split by article with a fixed seed (bench/pquad.py): the first half tunes
the weights of qa.short_answer.ShortAnswerWeights (a small grid search); the
reader trains on the first 80 %; the last 20 % is held out from both.
Each answerable question is paired with the sentence of its paragraph that
holds the first gold answer (and, for ``--compare``, with the whole
paragraph's sentences); the finder picks a span. Reports token F1 and exact
match (max over gold answers). The end-to-end figures (retrieval + sentence
choice + span) come from `qa eval`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pquad import SEED, load_articles, reader_split, split_articles, write_squad  # noqa: E402

from qa.evaluation import exact_match, token_f1  # noqa: E402
from qa.short_answer import DEFAULT_WEIGHTS, best_span, question_shape  # noqa: E402
from qa.text import split_sentences  # noqa: E402


def paragraph_examples(articles: list[dict]) -> list[tuple[str, list[str], list[str]]]:
    """(question, the paragraph's sentences, gold answers) of answerable questions."""
    rows = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            sentences = [context[s.start:s.end] for s in split_sentences(context)]
            for qa in paragraph["qas"]:
                if not qa.get("is_impossible") and qa.get("answers"):
                    rows.append((qa["question"], sentences, [a["text"] for a in qa["answers"]]))
    return rows


def measure_finder(find_span, rows) -> dict:
    """F1 / EM of ``find_span(question, sentences)`` over (question, sentences, golds) rows."""
    f1 = em = 0.0
    started = time.perf_counter()
    for question, sentences, golds in rows:
        found = find_span(question, sentences)
        prediction = sentences[found[0]][found[1].start:found[1].end] if found else ""
        f1 += max(token_f1(prediction, gold) for gold in golds)
        em += max(exact_match(prediction, gold) for gold in golds)
    return {"questions": len(rows), "f1": round(f1 / len(rows), 4), "em": round(em / len(rows), 4),
            "ms_per_question": round((time.perf_counter() - started) * 1000 / len(rows), 1)}


def compare(held_out: list[dict], weights: Path | None = None) -> dict:
    """Rules and reader on the held-out articles: gold sentence, and whole paragraph."""
    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.reader import READER_WEIGHTS, ReaderSettings, SpanReader, ensure_reader

    weights = weights or READER_WEIGHTS
    prepared = ensure_model(Settings.from_env().model_cache)
    reader = SpanReader(prepared, ensure_reader(prepared, weights), ReaderSettings.for_weights(weights))
    sentence_rows = [(question, [sentence], golds) for question, sentence, golds in examples(held_out)]
    paragraph_rows = paragraph_examples(held_out)
    return {finder: {"gold_sentence": measure_finder(find_span, sentence_rows),
                     "gold_paragraph": measure_finder(find_span, paragraph_rows)}
            for finder, find_span in (("rules", best_span), ("reader", reader.find_span))}


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
                        help="write the articles held out from both rules and reader (last 20 %%) as a SQuAD "
                             "file (for `qa eval FILE`) and stop")
    parser.add_argument("--compare", action="store_true",
                        help="measure the rules and the trained reader on the held-out 20 %% and stop")
    parser.add_argument("--weights", type=Path, help="reader weights for --compare (default: the shipped ones)")
    args = parser.parse_args()
    data = load_articles()
    if args.write_held_out:
        write_squad(reader_split(data)[1], args.write_held_out, "pquad-held-out")
        return
    if args.compare:
        print(json.dumps(compare(reader_split(data)[1], args.weights), ensure_ascii=False, indent=None if args.json else 1))
        return
    tuning, held_out = split_articles(data, 0.5)
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
