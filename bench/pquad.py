"""The PQuAD validation set and its fixed split by article, shared by the benches.

PQuAD validation (../shared/eval/pquad_validation.json, CC BY-SA 4.0,
AUT-NLP/PQuAD) is the only set we train or tune on. It is split by article,
never by question, so no paragraph is seen on both sides: the titles are
sorted, shuffled with :data:`SEED`, and cut at a fraction.

* The reader (bench/train_reader.py) trains on the first 80 % and is measured
  on the last 20 % (:func:`reader_split`).
* The short-answer rules (bench/tune_short_answer.py) were tuned on the first
  50 %; that half lies inside the reader's training part, so the last 20 % is
  held out from both.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

PQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "pquad_validation.json"
SEED = 13
READER_TRAIN_FRACTION = 0.8


def load_articles(path: Path = PQUAD) -> list[dict]:
    """Return the SQuAD-format articles of ``path``."""
    return json.loads(path.read_text(encoding="utf-8"))["data"]


def split_articles(data: list[dict], fraction: float) -> tuple[list[dict], list[dict]]:
    """Return (first part, rest): a seeded shuffle of the articles by title, cut at ``fraction``.

    Args:
        data: SQuAD-format articles.
        fraction: Share of the articles in the first part.

    Returns:
        The two lists of articles; the same call always gives the same split.
    """
    articles = sorted(data, key=lambda article: article["title"])
    random.Random(SEED).shuffle(articles)
    cut = int(len(articles) * fraction)
    return articles[:cut], articles[cut:]


def reader_split(data: list[dict]) -> tuple[list[dict], list[dict]]:
    """Return (training, held-out) articles for the span reader."""
    return split_articles(data, READER_TRAIN_FRACTION)


def write_squad(articles: list[dict], path: Path, version: str) -> None:
    """Write ``articles`` as a SQuAD file that `qa eval` reads."""
    path.write_text(json.dumps({"version": version, "data": articles}, ensure_ascii=False), encoding="utf-8")
