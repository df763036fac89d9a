"""How the index scales: build, open and ask at N synthetic chunks.

    python bench/scale.py [--chunks 200000] [--vector-store faiss|milvus] [--json]

Chunks are Persian: sentences of the seed articles (and of the PersianQA
paragraphs when ../shared is there) recombined, three to a chunk, ten chunks
to an article. Vectors are random unit vectors (no model runs: this measures
the store, not the embedder). The index is written by the real store code
(``qa.index_writer.IndexWriter``) into a temporary directory, then a fresh process
opens it and asks: dense search + sentence search + BM25 + fusion + cosines,
the retrieval path of every question, with fixed query vectors (stored
vectors plus noise) and query words taken from the chunks.

Prints ``{"cpu", "chunks", "sentences", "vector_store", "kind", "build_s",
"build_rss_mb", "open_s", "first_ask_ms", "ask_p50_ms", "ask_p95_ms",
"target_found", "rss_mb", "rss_anon_mb", "rss_file_mb", "disk_mb"}``
(``target_found``: share of questions whose source chunk is among the ten
hits; RSS figures are the reader's).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.chunking import chunk_id_for  # noqa: E402
from qa.corpus import load_corpus  # noqa: E402
from qa.parameters import VectorIndexParameters  # noqa: E402
from qa.index_writer import IndexWriter  # noqa: E402
from qa.layout import Manifest  # noqa: E402
from qa.memory import release_pages  # noqa: E402
from qa.store import VectorStoreChoice, load_index  # noqa: E402
from qa.text import split_sentences  # noqa: E402
from qa.types import Article, Chunk, Span  # noqa: E402

DIMENSION = 384
SENTENCES_PER_CHUNK = 3
CHUNKS_PER_ARTICLE = 10
QUESTIONS = 200


def cpu_name() -> str:
    """Return the CPU model and core count (every figure names its CPU)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def source_sentences() -> list[str]:
    """Sentences of the seed articles and, when present, of PersianQA paragraphs."""
    texts = [article.text for article in load_corpus(ROOT / "data").articles]
    persianqa = ROOT.parent / "shared" / "eval" / "persianqa_test.json"
    if persianqa.exists():
        for item in json.loads(persianqa.read_text(encoding="utf-8"))["data"]:
            texts += [paragraph["context"] for paragraph in item["paragraphs"]]
    sentences = []
    for text in texts:
        sentences += [text[span.start:span.end].strip() for span in split_sentences(text)]
    return [sentence for sentence in dict.fromkeys(sentences) if 20 <= len(sentence) <= 400]


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def unit_vector_file(path: Path, rng: np.random.Generator, count: int) -> np.ndarray:
    """Write ``count`` random unit vectors to a ``.npy`` file; return it memory-mapped."""
    vectors = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(count, DIMENSION))
    for start in range(0, count, 50_000):
        vectors[start:start + 50_000] = unit_vectors(rng, min(50_000, count - start))
        release_pages(vectors)
    return vectors


def write_synthetic_index(index_dir: Path, chunk_count: int, choice: VectorStoreChoice, seed: int = 13) -> Manifest:
    """Write an index of articles made of recombined real sentences, with random vectors.

    The articles go through the real writer one at a time, as a build sends them.
    """
    pool = source_sentences()
    picker = random.Random(seed)
    rng = np.random.default_rng(seed)
    with IndexWriter(index_dir, choice) as writer:
        number = 0
        while writer.chunk_count < chunk_count:
            doc_id = f"synthetic_{number:07d}"
            number += 1
            parts, pieces = [], []
            position = 0
            for _ in range(min(CHUNKS_PER_ARTICLE, chunk_count - writer.chunk_count)):
                spans = []
                start = position
                for sentence in picker.sample(pool, SENTENCES_PER_CHUNK):
                    spans.append(Span(position, position + len(sentence)))
                    parts.append(sentence)
                    position += len(sentence) + 1
                pieces.append((start, position - 1, tuple(spans)))
            text = " ".join(parts)
            article = Article(doc_id=doc_id, path=f"{doc_id}.txt", title=parts[0][:60], text=text)
            writer.add_article(article, [Chunk(chunk_id_for(text[start:end]), doc_id, start, end, text[start:end], spans)
                                         for start, end, spans in pieces])
        writer.write_tables()
        # Vectors go through memory-mapped files, as a build's embeddings
        # do: the figure is the store's memory, not this script's arrays.
        with tempfile.TemporaryDirectory(prefix="qa-scale-vectors-") as scratch:
            writer.write_vectors(unit_vector_file(Path(scratch) / "chunks.npy", rng, writer.chunk_count),
                                 unit_vector_file(Path(scratch) / "sentences.npy", rng, writer.sentence_count))
        return writer.commit("random", "random:none:384", {"synthetic": True}, "synthetic", 0.0)


def memory_megabytes(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, RssAnon, RssFile...)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_megabytes() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, it is
    not inherited from the parent that started the process)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_megabytes(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def measure_asks(index_dir: Path) -> dict:
    """Open the index and ask (run in a fresh process, so that RSS is the reader's)."""
    from qa.retrieval import Retriever

    started = time.perf_counter()
    index = load_index(index_dir)
    open_s = time.perf_counter() - started
    rng = np.random.default_rng(7)
    picker = random.Random(7)
    rows = rng.integers(0, len(index.chunks), QUESTIONS)
    stored = index.chunk_vectors_for([index.chunks[int(row)] for row in rows])
    queries = stored + 0.05 * rng.standard_normal(stored.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    words = [" ".join(picker.sample(index.chunks[int(row)].text.split(), 4)) for row in rows]
    retriever = Retriever(index, embedder=None)
    times = []
    found = 0
    for text, vector, row in zip(words, queries, rows):
        started = time.perf_counter()
        hits = retriever.search_batch([text], k=10, query_vectors=vector.reshape(1, -1))[0]
        times.append((time.perf_counter() - started) * 1000)
        found += any(hit.chunk.chunk_id == index.chunks[int(row)].chunk_id for hit in hits)
    index.close()
    return {
        "open_s": round(open_s, 3),
        "first_ask_ms": round(times[0], 1),
        "ask_p50_ms": round(float(np.percentile(times[1:], 50)), 1),
        "ask_p95_ms": round(float(np.percentile(times[1:], 95)), 1),
        "target_found": round(found / QUESTIONS, 3),
        "rss_mb": round(peak_rss_megabytes()),
        # File-backed pages are the memory-mapped index files a search has
        # read: the kernel drops them under memory pressure and reads them
        # again. Anonymous memory is what the process truly holds.
        "rss_anon_mb": round(memory_megabytes("RssAnon")),
        "rss_file_mb": round(memory_megabytes("RssFile")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=200_000)
    parser.add_argument("--vector-store", choices=("faiss", "milvus"), default="faiss")
    parser.add_argument("--kind", choices=("auto", "flat", "hnsw"), default="auto")
    parser.add_argument("--hnsw-neighbors", type=int, default=VectorIndexParameters().hnsw_neighbors)
    parser.add_argument("--hnsw-ef-construction", type=int, default=VectorIndexParameters().hnsw_ef_construction)
    parser.add_argument("--keep", type=Path, help="write the index here and keep it")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the reader process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_asks(args.measure)))
        return
    index_dir = args.keep or Path(tempfile.mkdtemp(prefix="qa-scale-"))
    parameters = VectorIndexParameters(hnsw_neighbors=args.hnsw_neighbors,
                                       hnsw_ef_construction=args.hnsw_ef_construction)
    started = time.perf_counter()
    manifest = write_synthetic_index(index_dir, args.chunks, VectorStoreChoice(args.vector_store, kind=args.kind,
                                                                              parameters=parameters))
    build_s = time.perf_counter() - started
    build_rss = peak_rss_megabytes()
    reader = subprocess.run([sys.executable, __file__, "--measure", str(index_dir)], capture_output=True, text=True)
    if reader.returncode != 0:
        raise SystemExit(f"the reader process failed:\n{reader.stderr[-3000:]}")
    report = {
        "cpu": cpu_name(), "chunks": manifest.chunks, "sentences": manifest.sentences,
        "articles": manifest.articles, "vector_store": args.vector_store,
        "kind": manifest.vector_store["chunks"]["kind"],
        "hnsw_neighbors": args.hnsw_neighbors, "hnsw_ef_construction": args.hnsw_ef_construction,
        "build_s": round(build_s, 1), "build_rss_mb": round(build_rss),
        **json.loads(reader.stdout.strip().splitlines()[-1]),
        "disk_mb": round(disk_megabytes(index_dir)),
    }
    if not args.keep:
        shutil.rmtree(index_dir, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:22} {value}")


if __name__ == "__main__":
    main()
