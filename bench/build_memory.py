"""Peak memory of `build_index` as the corpus grows.

    python bench/build_memory.py [--chunks 10000 40000] [--json]

For each size, a data directory of synthetic Persian articles (sentences of
the seed articles recombined, 30 to an article) is built by the real
`qa.indexing.build_index` in a fresh process, and that process's peak
resident memory (VmHWM) is reported with the build time. The embedder here
gives each text a seeded random unit vector (no model runs: the model's own
memory does not grow with the corpus and would hide what does). Prints one
row per size and the growth per 10,000 chunks between the first and last.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SENTENCES_PER_ARTICLE = 30


def write_articles(target: Path, chunks: int, seed: int = 13) -> None:
    """Write enough synthetic articles for about ``chunks`` passages."""
    from scale import source_sentences

    pool = source_sentences()
    picker = random.Random(seed)
    target.mkdir(parents=True)
    # About 4.5 passages an article at the default 200-token budget.
    for number in range(max(1, chunks * 2 // 9)):
        sentences = picker.sample(pool, SENTENCES_PER_ARTICLE)
        (target / f"synthetic_{number:07d}.txt").write_text(
            sentences[0][:60] + "\n" + "\n".join(sentences), encoding="utf-8")


def random_embedder():
    """An embedder giving each text a unit vector seeded by its bytes."""
    from qa.embedding import Embedder

    class RandomEmbedder(Embedder):
        name = "random"
        dimension = 384
        max_tokens = 512
        query_prefix = "query: "
        document_prefix = "passage: "

        @property
        def backend(self) -> str:
            return "random"

        @property
        def model_name(self) -> str:
            return "random-vectors"

        def embed_batch(self, texts):
            rows = np.empty((len(texts), self.dimension), np.float32)
            for row, text in enumerate(texts):
                rows[row] = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(self.dimension)
            return rows

        def count_tokens(self, texts):
            return [len(text.split()) + 2 for text in texts]

    return RandomEmbedder()


def build_once(data_dir: Path, index_dir: Path) -> dict:
    """Build in this process; return the figures (run in a fresh process)."""
    from qa.indexing import build_index
    from scale import peak_rss_megabytes

    started = time.perf_counter()
    summary = build_index(data_dir, index_dir, random_embedder())
    return {"articles": summary.articles, "chunks": summary.chunks,
            "build_s": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak_rss_megabytes())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--build", nargs=2, type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build_once(*args.build)))
        return
    from scale import cpu_name

    rows = []
    for chunks in args.chunks:
        with tempfile.TemporaryDirectory(prefix="qa-build-memory-") as scratch:
            write_articles(Path(scratch) / "data", chunks)
            output = subprocess.run([sys.executable, __file__, "--build", str(Path(scratch) / "data"),
                                     str(Path(scratch) / "index")], check=True, capture_output=True, text=True)
            rows.append(json.loads(output.stdout.strip().splitlines()[-1]))
    growth = None
    if len(rows) > 1 and rows[-1]["chunks"] > rows[0]["chunks"]:
        growth = round((rows[-1]["peak_rss_mb"] - rows[0]["peak_rss_mb"])
                       / (rows[-1]["chunks"] - rows[0]["chunks"]) * 10_000)
    report = {"cpu": cpu_name(), "rows": rows, "peak_rss_mb_per_10k_chunks": growth}
    print(json.dumps(report, ensure_ascii=False, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
