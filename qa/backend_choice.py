"""Pick the bundled model's backend for this machine, by measurement, once.

Machines differ (AVX-512 VNNI makes int8 fast, bf16 needs its own
instructions), so the default backend is not fixed in code: at the first
start with ``--backend auto`` every backend this machine can run embeds the
same texts, each in a process of its own; those whose vectors stay at cosine
>= 0.99 to the fp32 reference are candidates and the fastest (wall time, best
round) wins. The result
is written into the model cache with the CPU it was measured on, so later
starts read it (no torch import) and a cache moved to another CPU is
measured again.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .embedding import (
    AUTO_BACKEND, BACKENDS, COMPATIBLE_MIN_COSINE, REFERENCE_BACKEND, Embedder, EmbedderError, cpu_flags,
)

if TYPE_CHECKING:
    from .bundled_model import PreparedModel

log = logging.getLogger(__name__)

CHOICE_FILE = "backend-choice.json"
# Flags that change which backend is fastest; the rest of /proc/cpuinfo's
# list does not matter here.
_RELEVANT_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")

# Fixed texts for the speed and agreement checks: news-style Persian passages
# (with the ZWNJ-less spellings, Arabic letters and digit forms our articles
# have), short questions, and English. Written for this project.
PROBE_TEXTS: tuple[str, ...] = (
    "رئیسجمهور کشورمان صبح امروز برای شرکت در نشست سران وارد پایتخت روسیه شد و در فرودگاه مورد استقبال مقام‌های دو کشور قرار گرفت.",
    "وزیران امور خارجه دو کشور در دیدار دوجانبه درباره گسترش همکاری‌های اقتصادی، ترانزیتی و انرژی گفت‌وگو کردند.",
    "بر اساس این گزارش حجم مبادلات تجاری دو کشور در سال گذشته به بیش از ۴ میلیارد دلار رسید که نسبت به سال قبل ۱۵ درصد افزایش داشت.",
    "سفير دو كشور در گفتگو با خبرنگاران اعلام كرد كه متن نهايي توافقنامه جامع همكاري به زودي براي امضا آماده مي‌شود.",
    "کریدور شمال-جنوب که بندرهای جنوبی ایران را از راه آذربایجان به روسیه وصل می‌کند، زمان حمل کالا را تا ۴۰ درصد کاهش می‌دهد.",
    "این نشست روز ۱۴۰۳/۰۸/۰۲ در شهر کازان برگزار شد و رهبران بیش از سی کشور در آن حضور داشتند.",
    "کارشناسان می‌گویند تحریم‌های یک‌جانبه غرب دو کشور را به سوی استفاده از پول‌های ملی در تجارت سوق داده است.",
    "پیمان همکاری راهبردی برای مدت بیست سال امضا شد و زمینه‌های دفاعی، فرهنگی، علمی و فناوری را در بر می‌گیرد.",
    "خبرگزاری رسمی گزارش داد که قرارداد ساخت نیروگاه هسته‌ای تازه در استان هرمزگان در حاشیه این سفر نهایی شد.",
    "سخنگوی وزارت امور خارجه در نشست هفتگی خود به پرسش‌های خبرنگاران درباره مذاکرات منطقه‌ای پاسخ داد.",
    "بانک‌های مرکزی دو کشور سامانه‌های پیام‌رسان مالی خود را به هم متصل کرده‌اند تا کارت‌های بانکی در هر دو کشور کار کنند.",
    "در این دیدار بر اهمیت همسایگی، رویکردهای مشترک در عرصه بین‌المللی و شتاب بخشیدن به اجرای توافق‌ها تأکید شد.",
    "پزشکیان کی وارد مسکو شد؟",
    "سفیر ایران در روسیه کیست؟",
    "حجم تجارت دو کشور چقدر است؟",
    "When did the president arrive in Moscow?",
    "The two countries signed a twenty-year strategic partnership treaty covering defence, energy and transport.",
    "Trade between Iran and Russia grew by fifteen percent last year, according to the customs office.",
    "هل وقّع البلدان معاهدة الشراكة الاستراتيجية؟",
    "۱۲۳۴ و ١٢٣٤ و 1234 درصد؛ «نقل قول» و (پرانتز) — و ... !؟",
)


@dataclass(frozen=True)
class BackendMeasurement:
    """One backend on this machine.

    Attributes:
        backend: Registry name.
        tokens_per_s: Document tokens embedded per wall second (best round).
        cosine_min: Lowest cosine to the fp32 reference over the probe texts.
        problem: Why it could not run here (then the figures are 0).
    """

    backend: str
    tokens_per_s: float = 0.0
    cosine_min: float = 0.0
    problem: str | None = None


@dataclass(frozen=True)
class BackendChoice:
    """What ``auto`` chose on one CPU, and the measurements behind it."""

    backend: str
    cpu: dict
    measurements: tuple[BackendMeasurement, ...]
    measured_at: str

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return asdict(self)


def cpu_signature() -> dict:
    """Describe this CPU as far as backend speed depends on it."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = cpu_flags()
    return {"model": model, "cores": os.cpu_count() or 1,
            "flags": sorted(flag for flag in _RELEVANT_FLAGS if flag in flags)}


# What a build embeds: passages of a few sentences and single sentences.
PROBE_PASSAGES: tuple[str, ...] = tuple(" ".join(PROBE_TEXTS[i:i + 4]) for i in range(0, 12, 4))
PROBE_DOCUMENTS: tuple[str, ...] = PROBE_PASSAGES + PROBE_TEXTS


def measure_backend(embedder: Embedder, reference: np.ndarray | None, texts: Sequence[str] = PROBE_DOCUMENTS,
                    rounds: int = 5, min_seconds: float = 1.0) -> tuple[BackendMeasurement, np.ndarray]:
    """Measure one backend: speed (best round after a warm-up) and agreement
    with the reference vectors.

    Args:
        embedder: The backend's embedder.
        reference: The reference backend's vectors of ``texts``; None when
            ``embedder`` is the reference.
        texts: Texts to embed.
        rounds: Fewest timed rounds.
        min_seconds: Rounds go on (up to 50) until this much time is spent:
            a round of a fast backend lasts ~0.1 s, and on a shared or virtual
            machine a few such rounds can all land in a slow moment.

    Returns:
        The measurement and the backend's vectors of ``texts``.
    """
    tokens = sum(embedder.count_tokens(texts))
    vectors = embedder.embed_documents(texts)  # also the warm-up
    best = float("inf")
    spent = 0.0
    count = 0
    while count < rounds or (spent < min_seconds and count < 50):
        began = time.perf_counter()
        embedder.embed_documents(texts)
        took = time.perf_counter() - began
        best, spent, count = min(best, took), spent + took, count + 1
    cosine = float((vectors * (vectors if reference is None else reference)).sum(axis=1).min())
    return BackendMeasurement(embedder.backend, tokens / best, cosine), vectors


def measure_backends(prepared: "PreparedModel", texts: Sequence[str] = PROBE_DOCUMENTS, rounds: int = 5,
                     isolated: bool = True) -> list[BackendMeasurement]:
    """Measure every registered backend this machine can run, reference first.

    Each backend is measured in a process of its own, as the app runs it:
    timed right after torch in one process, ONNX Runtime was slowed (a 0.3 s
    pause before its rounds raised int8 from 6,800 to 8,700 tokens/s). With
    that, short sentences only (torch embeds them in one call, ONNX one by
    one) and rounds of 0.1 s, a fresh machine twice ranked bf16 above int8,
    which is 1.7 times faster on passages.

    Args:
        prepared: The prepared bundled model.
        texts: Texts to embed (the probe documents when ``isolated``).
        rounds: Timed rounds per backend.
        isolated: One process per backend; False measures in this process
            (tests, with fake backends).

    Returns:
        One measurement per registered backend (``problem`` set where it
        cannot run here).
    """
    with tempfile.TemporaryDirectory(prefix="qa-backends-") as scratch:
        reference_file = Path(scratch) / "reference.npy"
        measurements = []
        reference: np.ndarray | None = None
        for name, backend in BACKENDS.items():
            problem = backend.problem() if name != REFERENCE_BACKEND else None
            if problem is not None:
                measurements.append(BackendMeasurement(name, problem=problem))
                continue
            try:
                if isolated:
                    measurement = _measure_in_process(prepared, name, reference_file, rounds)
                else:
                    measurement, vectors = measure_backend(backend.create(prepared), reference, texts, rounds)
                    if name == REFERENCE_BACKEND:
                        reference = vectors
            except EmbedderError as error:
                measurement = BackendMeasurement(name, problem=str(error))
            measurements.append(measurement)
    return measurements


def _measure_in_process(prepared: "PreparedModel", name: str, reference_file: Path, rounds: int) -> BackendMeasurement:
    """Run ``python -m qa.backend_choice`` for one backend; the reference writes ``reference_file``."""
    command = [sys.executable, "-m", "qa.backend_choice", name, str(prepared.root), str(reference_file), str(rounds)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise EmbedderError(lines[-1] if lines else f"exit status {result.returncode}")
    return BackendMeasurement(**json.loads(result.stdout.strip().splitlines()[-1]))


def _measure_main(arguments: Sequence[str]) -> None:
    """The measuring process: BACKEND MODEL_ROOT REFERENCE_FILE ROUNDS -> one JSON line."""
    from .bundled_model import PreparedModel

    name, root, reference_file, rounds = arguments
    embedder = BACKENDS[name].create(PreparedModel(Path(root)))
    reference = None if name == REFERENCE_BACKEND else np.load(reference_file, allow_pickle=False)
    measurement, vectors = measure_backend(embedder, reference, PROBE_DOCUMENTS, int(rounds))
    if name == REFERENCE_BACKEND:
        np.save(reference_file, vectors, allow_pickle=False)
    print(json.dumps(asdict(measurement)))


def pick_backend(measurements: Sequence[BackendMeasurement]) -> str:
    """Return the fastest backend whose vectors agree with the reference.

    Args:
        measurements: From :func:`measure_backends`.

    Returns:
        A backend name; the reference when no other qualifies.
    """
    candidates = [m for m in measurements if m.problem is None and m.cosine_min >= COMPATIBLE_MIN_COSINE]
    if not candidates:
        return REFERENCE_BACKEND
    return max(candidates, key=lambda m: m.tokens_per_s).backend


def read_choice(prepared: "PreparedModel") -> BackendChoice | None:
    """Return the choice recorded for this CPU, or None (none yet, other CPU, unreadable)."""
    try:
        data = json.loads((prepared.root / CHOICE_FILE).read_text())
        choice = BackendChoice(data["backend"], data["cpu"],
                               tuple(BackendMeasurement(**m) for m in data["measurements"]), data["measured_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if choice.cpu != cpu_signature() or choice.backend not in BACKENDS:
        return None
    return choice


def record_choice(prepared: "PreparedModel", choice: BackendChoice) -> None:
    """Write the choice into the model cache atomically (a reader sees the old file or the new)."""
    handle, temporary = tempfile.mkstemp(prefix=CHOICE_FILE, dir=prepared.root)
    with os.fdopen(handle, "w") as file:
        json.dump(choice.to_dict(), file, indent=1)
    os.replace(temporary, prepared.root / CHOICE_FILE)


def chosen_backend(prepared: "PreparedModel") -> str:
    """Return the backend ``auto`` means on this machine, measuring it the first time.

    Args:
        prepared: The prepared bundled model.

    Returns:
        A name from :data:`qa.embedding.BACKENDS`.
    """
    choice = read_choice(prepared)
    if choice is not None:
        return choice.backend
    log.warning("Measuring the embedding backends on this CPU (once, about 20 s)")
    measurements = measure_backends(prepared)
    backend = pick_backend(measurements)
    choice = BackendChoice(backend, cpu_signature(), tuple(measurements), time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    try:
        record_choice(prepared, choice)
    except OSError as error:  # a read-only cache still answers; it measures again next time
        log.warning("could not record the backend choice: %s", error)
    summary = ", ".join(f"{m.backend} {m.tokens_per_s:.0f} tokens/s cos {m.cosine_min:.3f}"
                        for m in measurements if m.problem is None)
    log.warning("Embedding backend for this CPU: %s (%s)", backend, summary)
    return backend


__all__ = ["AUTO_BACKEND", "BackendChoice", "BackendMeasurement", "PROBE_TEXTS", "chosen_backend",
           "cpu_signature", "measure_backend", "measure_backends", "pick_backend", "read_choice", "record_choice"]

if __name__ == "__main__":
    _measure_main(sys.argv[1:])
