"""Which fusion of the three retrievers never loses to its parts?

For each question of each evaluation set, the dense (passage), sentence and
BM25 rankings are computed once (depth 40); then every fusion variant is
scored offline: hit@1, hit@5 and MRR of the passage holding the evidence.

    python bench/fusion.py [FILE ...]   (default: the seed development set,
                                         PersianQA test, our own questions)

A SQuAD file gets a temporary index of its paragraphs, as in `qa eval`.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.assistant import Assistant  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluation import read_questions  # noqa: E402
from qa.retrieval import fuse  # noqa: E402
from qa.text import search_tokens  # noqa: E402

DEPTH = 40
DEFAULT_FILES = [ROOT.parent / "shared" / "eval" / "seed_questions.jsonl", ROOT / "tests" / "questions.jsonl",
                 ROOT.parent / "shared" / "eval" / "persianqa_test.json"]


def rankings_of(path: Path, embedder, scratch: Path):
    """Return (is_hit, dense, sentence, lexical) per answerable question."""
    settings = Settings.from_env()
    questions, data_dir = read_questions(path, scratch / "data")
    if data_dir is not None:
        settings = settings.with_overrides(data_dir=data_dir, index_dir=scratch / "index")
        assistant = Assistant(settings, embedder)
        assistant.build()
    else:
        assistant = Assistant(settings, embedder)
    index = assistant.index
    questions = [q for q in questions if q.answerable]
    vectors = assistant.embedder.embed_queries([q.question for q in questions])
    dense = index.dense_search_batch(vectors, DEPTH)
    sentence = index.sentence_search_batch(vectors, DEPTH)
    lexical = index.lexical_search_batch([search_tokens(q.question) for q in questions], DEPTH)
    return [(q.is_hit, d, s, l) for q, d, s, l in zip(questions, dense, sentence, lexical)]


def score(rows, rank) -> tuple[float, float, float]:
    hit1 = hit5 = mrr = 0.0
    for is_hit, dense, sentence, lexical in rows:
        ranked = rank(dense, sentence, lexical)
        position = next((n for n, hit in enumerate(ranked, start=1) if is_hit(hit.chunk)), None)
        hit1 += position == 1
        hit5 += position is not None and position <= 5
        mrr += 1 / position if position else 0
    return hit1 / len(rows), hit5 / len(rows), mrr / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = [f for f in (args.files or DEFAULT_FILES) if f.is_file()]
    from qa.embedding import create_embedder

    embedder = create_embedder("e5-small", Settings.from_env().model_cache)
    variants = {"dense": lambda d, s, l: d, "sentence": lambda d, s, l: s, "lexical": lambda d, s, l: l}
    for wd, ws, wl in itertools.product((1.0, 0.5, 0.0), (1.0, 0.5, 0.0), (1.0, 0.5, 0.25)):
        if wd or ws:
            variants[f"rrf d{wd} s{ws} l{wl}"] = (lambda wd, ws, wl: lambda d, s, l: fuse([d, s, l], weights=[wd, ws, wl]))(wd, ws, wl)
    results = {}
    for path in files:
        with tempfile.TemporaryDirectory() as scratch:
            rows = rankings_of(path, embedder, Path(scratch))
        results[path.name] = {name: score(rows, rank) for name, rank in variants.items()}
        print(f"{path.name}: {len(rows)} answerable questions", file=sys.stderr)
    names = list(results)
    print(f"{'variant':28}" + "".join(f"{name[:22]:>26}" for name in names))
    for variant in variants:
        cells = "".join(f"{'%.3f/%.3f/%.3f' % results[name][variant]:>26}" for name in names)
        print(f"{variant:28}{cells}")


if __name__ == "__main__":
    main()
