"""Settings: defaults live here, and this is the only module that reads ``QA_*``.

Every other module receives a :class:`Settings` (or plain arguments) so that
tests and the CLI can override any value without touching the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

DEFAULT_EMBEDDER = "e5-small"
RETRIEVAL_MODES = ("hybrid", "dense", "lexical")
# The names of qa.vector_index.VECTOR_STORES (kept equal by a test; this
# module imports nothing heavy).
VECTOR_STORE_NAMES = ("faiss", "milvus")
# How the short answer is found: the trained span reader (qa.reader) or the
# rules of qa.short_answer.
SHORT_ANSWER_METHODS = ("reader", "rules")


def _default_model_cache(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "persian-news-qa" / "models"


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(value)


_flag.expected = "flag (1 or 0)"  # type: ignore[attr-defined]


def _megabytes(value: str) -> int:
    megabytes = float(value)
    if not megabytes > 0:
        raise ValueError(value)
    return int(megabytes * 1_000_000)


_megabytes.expected = "size in megabytes"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Settings:
    """Run-time settings of the assistant, the CLI and the web app.

    Attributes:
        data_dir: Directory of articles (``QA_DATA_DIR``).
        index_dir: Directory of the built index (``QA_INDEX_DIR``).
        embedder: Embedder name: ``e5-small`` or ``sentence-transformers:<model>``
            (``QA_EMBEDDER``).
        backend: How the bundled model runs: ``auto`` (the backend measured
            fastest on this CPU among those that keep the vectors) or a name
            from ``qa.embedding.BACKENDS`` (``QA_BACKEND``).
        model_cache: Where the bundled model is materialized (``QA_MODEL_CACHE``).
        chunk_tokens: Token budget of one chunk, in the embedder's tokens.
        overlap_sentences: Sentences repeated at the start of the next chunk.
        k: Passages retrieved per question (``QA_K``).
        mode: ``hybrid``, ``dense`` or ``lexical`` (``QA_MODE``).
        host: Address the web app binds (``QA_HOST``).
        port: Port of the web app (``QA_PORT``).
        auth: ``user:password`` for the readers of the web app (``QA_AUTH``).
        admin: ``user:password`` of the one user who may change the index
            from the web app (``QA_ADMIN``).
        readonly: No index tab and no index changes from the web app
            (``QA_READONLY=1``).
        max_article_bytes: Largest article file read by a build or accepted
            by the upload form (``QA_MAX_ARTICLE_MB``, in megabytes).
        vector_store: Where builds put the vectors: ``faiss`` (files in the
            index directory) or ``milvus`` (``QA_VECTOR_STORE``).
        milvus_uri: Milvus server or cluster, ``http://host:19530``; unset
            means a Milvus Lite file inside each build (``QA_MILVUS_URI``).
        short_answer: How the short answer is found: ``reader`` (the trained
            span reader; the rules when it cannot be loaded) or ``rules``
            (``QA_SHORT_ANSWER``).
    """

    data_dir: Path = Path("data")
    index_dir: Path = Path("index")
    embedder: str = DEFAULT_EMBEDDER
    backend: str = "auto"
    # The user's cache, not the working directory: a bare Settings() (a bench
    # script's) wrote 1.2 GB of model files into the checkout, where
    # `git add -A` took them in.
    model_cache: Path = field(default_factory=lambda: _default_model_cache(os.environ))
    chunk_tokens: int = 200
    overlap_sentences: int = 1
    k: int = 10
    mode: str = "hybrid"
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None
    admin: str | None = None
    readonly: bool = False
    max_article_bytes: int = 5_000_000
    vector_store: str = "faiss"
    milvus_uri: str | None = None
    short_answer: str = "reader"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from defaults overridden by ``QA_*`` variables.

        Args:
            environ: Mapping to read instead of ``os.environ`` (for tests).

        Returns:
            The settings.

        Raises:
            ValueError: When a variable holds a value of the wrong kind.
        """
        env = os.environ if environ is None else environ
        settings = cls(model_cache=_default_model_cache(env))
        overrides: dict[str, object] = {}
        for key, name, kind in (
            ("QA_DATA_DIR", "data_dir", Path),
            ("QA_INDEX_DIR", "index_dir", Path),
            ("QA_EMBEDDER", "embedder", str),
            ("QA_BACKEND", "backend", str),
            ("QA_MODEL_CACHE", "model_cache", Path),
            ("QA_K", "k", int),
            ("QA_MODE", "mode", str),
            ("QA_HOST", "host", str),
            ("QA_PORT", "port", int),
            ("QA_AUTH", "auth", str),
            ("QA_ADMIN", "admin", str),
            ("QA_READONLY", "readonly", _flag),
            ("QA_MAX_ARTICLE_MB", "max_article_bytes", _megabytes),
            ("QA_VECTOR_STORE", "vector_store", str),
            ("QA_MILVUS_URI", "milvus_uri", str),
            ("QA_SHORT_ANSWER", "short_answer", str),
        ):
            value = env.get(key)
            if value:
                try:
                    overrides[name] = kind(value)
                except ValueError:
                    raise ValueError(f"{key}={value!r} is not a valid {getattr(kind, 'expected', kind.__name__)}") from None
        settings = replace(settings, **overrides)
        for key, credentials in (("QA_AUTH", settings.auth), ("QA_ADMIN", settings.admin)):
            if credentials is not None and not all(credentials.partition(":")[::2]):
                raise ValueError(f"{key} must be user:password")
        if settings.vector_store not in VECTOR_STORE_NAMES:
            raise ValueError(f"QA_VECTOR_STORE must be one of {', '.join(VECTOR_STORE_NAMES)}, "
                             f"not {settings.vector_store!r}")
        if settings.short_answer not in SHORT_ANSWER_METHODS:
            raise ValueError(f"QA_SHORT_ANSWER must be one of {', '.join(SHORT_ANSWER_METHODS)}, "
                             f"not {settings.short_answer!r}")
        if settings.mode not in RETRIEVAL_MODES:
            raise ValueError(f"QA_MODE must be one of {', '.join(RETRIEVAL_MODES)}, not {settings.mode!r}")
        return settings

    def with_overrides(self, **values: object) -> "Settings":
        """Return a copy with the given non-``None`` values replaced."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})
