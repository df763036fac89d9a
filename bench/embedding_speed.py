"""Every embedding backend side by side, cold starts, memory, builds, latency.

    python bench/embedding_speed.py [--json] [--synthetic-copies 20] [--skip-first-start]

All in one run, on this machine, on the same texts (PersianQA paragraphs
from ../shared when present, otherwise the seed articles' paragraphs):

* per backend (each in its own process, so memory and threads are its own):
  tokens/s (wall, all cores), tokens per CPU-second, single-query p50,
  lowest cosine to the sentence-transformers fp32 reference, PersianQA
  paragraph hit@1 (dense, question -> paragraph), peak RSS with the model
  loaded and the texts embedded;
* bulk embedding on two cores: one process with 1 thread, one with 2
  intra-op threads, and two 1-thread processes on half the texts each;
* the backend ``auto`` picks here;
* first-ever start (model preparation and the backend measurement, empty cache);
* cold ``qa ask`` on a built index (new process: imports, index, model,
  answer) and the app's start until it has answered a first question;
* seed index build and question latency p50/p95, model loaded.

Output: ``{"cpu", "default_backend", "backends": {NAME: {...}}, ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERSIANQA = ROOT.parent / "shared" / "eval" / "persianqa_test.json"
QUESTIONS = ["سفیر ایران در روسیه کیست؟", "پزشکیان کی وارد مسکو شد؟", "اجلاس بریکس کجا برگزار شد؟",
             "حجم تجارت ایران و روسیه چقدر است؟", "When did Pezeshkian arrive in Moscow?",
             "پیمان راهبردی ایران و روسیه چه زمانی امضا شد؟"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def texts_and_questions() -> tuple[list[str], list[tuple[str, int]], str]:
    """Paragraphs to embed, and (question, index of its paragraph) pairs."""
    if PERSIANQA.is_file():
        data = json.loads(PERSIANQA.read_text())["data"]
        paragraphs, questions = [], []
        for article in data:
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    if not qa.get("is_impossible") and qa.get("answers"):
                        questions.append((qa["question"], len(paragraphs)))
                paragraphs.append(paragraph["context"])
        return paragraphs, questions, "PersianQA test paragraphs"
    paragraphs = [line.strip() for path in sorted((ROOT / "data").glob("*.txt"))
                  for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 80]
    return paragraphs, [], "seed article paragraphs (../shared absent: no hit@1)"


def worker(args) -> None:
    """Measure one backend in this process; print JSON, save vectors."""
    import numpy as np

    from qa.bundled_model import ensure_model
    from qa.config import Settings
    from qa.embedding import BACKENDS

    prepared = ensure_model(Settings.from_env().model_cache)
    spec = BACKENDS[args.worker]
    if args.threads and args.worker.startswith("onnx"):
        from qa.onnx_embedding import OnnxEmbedder

        embedder = OnnxEmbedder(prepared, args.worker,
                                prepared.onnx_int8 if args.worker.endswith("int8") else prepared.onnx_fp32,
                                threads=args.threads)
    else:
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        embedder = spec.create(prepared)
    paragraphs, questions, _ = texts_and_questions()
    index, shards = (int(part) for part in args.shard.split("/"))
    paragraphs = paragraphs[index::shards]
    tokens = sum(embedder.count_tokens(paragraphs))
    embedder.embed_documents(paragraphs[:4])  # warm-up
    if args.start_at:  # parallel shards start together
        time.sleep(max(0.0, args.start_at - time.time()))
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed_documents(paragraphs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    result = {"tokens": tokens, "seconds": wall, "tokens_per_s": tokens / wall, "tokens_per_cpu_s": tokens / cpu}
    if args.vectors:  # the full measurement; thread and shard runs time the bulk embedding only
        latencies = []
        for question in QUESTIONS * 5:
            began = time.perf_counter()
            embedder.embed_query(question)
            latencies.append((time.perf_counter() - began) * 1000)
        result["query_p50_ms"] = statistics.median(latencies)
        if questions:
            query_vectors = embedder.embed_queries([question for question, _ in questions])
            best = np.argmax(query_vectors @ vectors.T, axis=1)
            result["hit@1"] = float(np.mean([best[row] == gold for row, (_, gold) in enumerate(questions)]))
        np.save(args.vectors, vectors, allow_pickle=False)
    result["rss_mb"] = peak_rss_mb()
    print(json.dumps(result))


def run_worker(backend: str, vectors: Path | None = None, threads: int = 0, shard: str = "0/1",
               start_at: float = 0.0) -> subprocess.Popen:
    command = [sys.executable, __file__, "--worker", backend, "--shard", shard, "--threads", str(threads),
               "--start-at", str(start_at)]
    if vectors:
        command += ["--vectors", str(vectors)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"worker failed: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


def measure_backends(scratch: Path) -> dict:
    import numpy as np

    from qa.embedding import BACKENDS, REFERENCE_BACKEND

    results: dict[str, dict] = {}
    for name, spec in BACKENDS.items():
        problem = spec.problem()
        if problem:
            results[name] = {"problem": problem}
            continue
        results[name] = finish(run_worker(name, scratch / f"{name}.npy"))
    reference = np.load(scratch / f"{REFERENCE_BACKEND}.npy")
    for name, result in results.items():
        if "problem" not in result:
            vectors = np.load(scratch / f"{name}.npy")
            result["cosine_min"] = float((vectors * reference).sum(axis=1).min())
            result["speedup"] = result["tokens_per_s"] / results[REFERENCE_BACKEND]["tokens_per_s"]
    return results


def measure_two_cores(backend: str) -> dict:
    one = finish(run_worker(backend, threads=1))
    two = finish(run_worker(backend, threads=2))
    start = time.time() + 8.0  # both loaded by then
    pair = [run_worker(backend, threads=1, shard=f"{shard}/2", start_at=start) for shard in (0, 1)]
    halves = [finish(process) for process in pair]
    tokens = sum(half["tokens"] for half in halves)
    return {"backend": backend, "one_thread_tokens_per_s": one["tokens_per_s"],
            "two_threads_tokens_per_s": two["tokens_per_s"],
            "two_processes_tokens_per_s": tokens / max(half["seconds"] for half in halves)}


def run_timed(command: list[str], env: dict | None = None) -> tuple[float, str]:
    began = time.perf_counter()
    output = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-2000:])
    return time.perf_counter() - began, output.stdout


COLD_ASK = (
    "import json, sys, time; from qa.cli import main; main(['ask', sys.argv[1], '--index', sys.argv[2], '--json']); "
    "print(json.dumps({'rss_mb': [int(l.split()[1]) / 1024 for l in open('/proc/self/status') "
    "if l.startswith('VmHWM:')][0], 'torch': 'torch' in sys.modules}))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_app_start(data_dir: Path, index_dir: Path) -> float:
    """Seconds from `python app.py` to a first answer through the app's API."""
    from gradio_client import Client

    port = free_port()
    env = {**os.environ, "QA_DATA_DIR": str(data_dir), "QA_INDEX_DIR": str(index_dir), "QA_PORT": str(port)}
    began = time.perf_counter()
    app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if app.poll() is not None or time.perf_counter() - began > 120:
                    raise RuntimeError("the app did not start")
                time.sleep(0.05)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        client.predict(QUESTIONS[0], api_name="/ask")
        return time.perf_counter() - began
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:  # uvicorn waits for open connections
            app.kill()
            app.wait()


class Report(dict):
    """The report; each figure is also written to stderr as it is measured,
    so a long run that fails late still shows what it measured."""

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        print(json.dumps({key: value}), file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Embedding backends, cold starts, memory, builds.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--synthetic-copies", type=int, default=20)
    parser.add_argument("--skip-first-start", action="store_true", help="do not prepare the model into an empty cache")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--shard", default="0/1", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from qa.backend_choice import cpu_signature, pick_backend, BackendMeasurement
    from qa.bundled_model import ensure_model
    from qa.config import Settings

    settings = Settings.from_env()
    ensure_model(settings.model_cache)
    paragraphs, questions, source = texts_and_questions()
    report: dict = Report()
    report.update({"cpu": cpu_signature(), "texts": {"source": source, "paragraphs": len(paragraphs),
                                                     "questions": len(questions)}})
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        report["backends"] = measure_backends(scratch)
        report["default_backend"] = pick_backend([
            BackendMeasurement(name, r.get("tokens_per_s", 0.0), r.get("cosine_min", 0.0), r.get("problem"))
            for name, r in report["backends"].items()])
        report["two_cores"] = measure_two_cores(report["default_backend"])

        if not args.skip_first_start:
            probe = ("import time, logging; t = time.perf_counter(); from pathlib import Path; "
                     "from qa.embedding import create_embedder; import sys; "
                     "e = create_embedder('e5-small', Path(sys.argv[1])); e.embed_query('x'); "
                     "print(e.backend, time.perf_counter() - t)")
            seconds, out = run_timed([sys.executable, "-c", probe, str(scratch / "empty-cache")])
            report["first_start"] = {"seconds": seconds, "backend": out.split()[0]}

        seed_data = scratch / "seed"
        shutil.copytree(ROOT / "data", seed_data)
        index_dir = scratch / "seed-index"
        from qa.assistant import Assistant

        assistant = Assistant(settings.with_overrides(data_dir=seed_data, index_dir=index_dir))
        began = time.perf_counter()
        summary = assistant.build()
        full = time.perf_counter() - began
        began = time.perf_counter()
        assistant.build()
        again = time.perf_counter() - began
        report["seed_build"] = {"backend": assistant.embedder.backend, "articles": summary.articles,
                                "chunks": summary.chunks, "full_s": full, "unchanged_s": again}
        assistant.ask(QUESTIONS[0])
        latencies = []
        for question in QUESTIONS * 10:
            began = time.perf_counter()
            assistant.ask(question)
            latencies.append((time.perf_counter() - began) * 1000)
        report["seed_question_latency_ms"] = {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}

        cold = []
        for _ in range(3):
            seconds, out = run_timed([sys.executable, "-c", COLD_ASK, QUESTIONS[0], str(index_dir)])
            cold.append((seconds, json.loads(out.strip().splitlines()[-1])))
        best = min(cold, key=lambda item: item[0])
        report["cold_ask"] = {"seconds_best_of_3": best[0], "seconds_all": [round(c[0], 2) for c in cold],
                              "peak_rss_mb": best[1]["rss_mb"], "imported_torch": best[1]["torch"]}
        report["app_first_answer_s"] = measure_app_start(seed_data, index_dir)

        big = scratch / "synthetic"
        big.mkdir()
        # Distinct articles: every copy gets its own numbered lines.
        for copy in range(args.synthetic_copies):
            for source_file in sorted((ROOT / "data").glob("*.txt")):
                lines = source_file.read_text(encoding="utf-8").splitlines()
                text = "\n".join(f"{line} (نسخه {copy})" if line.strip() else line for line in lines)
                (big / f"{copy:03d}_{source_file.name}").write_text(text, encoding="utf-8")
        bulk = Assistant(settings.with_overrides(data_dir=big, index_dir=scratch / "big-index"))
        bulk.embedder  # loaded before the clock starts
        began = time.perf_counter()
        summary = bulk.build()
        report["synthetic_build"] = {"articles": summary.articles, "chunks": summary.chunks,
                                     "full_s": time.perf_counter() - began}

    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"CPU: {report['cpu']['model']}, {report['cpu']['cores']} cores, flags {' '.join(report['cpu']['flags'])}")
    print(f"texts: {report['texts']['paragraphs']} {source}, {report['texts']['questions']} questions")
    print(f"{'backend':28} {'tokens/s':>9} {'tok/CPU-s':>9} {'speedup':>7} {'query p50':>9} {'cos min':>7} "
          f"{'hit@1':>6} {'RSS MB':>7}")
    for name, r in report["backends"].items():
        if "problem" in r:
            print(f"{name:28} not run: {r['problem']}")
            continue
        print(f"{name:28} {r['tokens_per_s']:9.0f} {r['tokens_per_cpu_s']:9.0f} {r['speedup']:7.2f} "
              f"{r['query_p50_ms']:7.1f}ms {r['cosine_min']:7.4f} {r.get('hit@1', float('nan')):6.3f} {r['rss_mb']:7.0f}")
    print(f"default (auto) here: {report['default_backend']}")
    print(f"two cores ({report['two_cores']['backend']}): " + ", ".join(
        f"{key.replace('_tokens_per_s', '')} {value:.0f} tokens/s" for key, value in report["two_cores"].items()
        if key.endswith("tokens_per_s")))
    if "first_start" in report:
        print(f"first-ever start (prepare + measure + first query): {report['first_start']['seconds']:.1f} s")
    cold_ask = report["cold_ask"]
    print(f"cold qa ask: {cold_ask['seconds_best_of_3']:.2f} s (runs {cold_ask['seconds_all']}), peak RSS "
          f"{cold_ask['peak_rss_mb']:.0f} MB, torch imported: {cold_ask['imported_torch']}")
    print(f"app start to first answer: {report['app_first_answer_s']:.2f} s")
    print(f"seed build: {json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in report['seed_build'].items()})}")
    latency = report["seed_question_latency_ms"]
    print(f"question latency on the seed index: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms")
    print(f"synthetic build: {json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in report['synthetic_build'].items()})}")


if __name__ == "__main__":
    main()
