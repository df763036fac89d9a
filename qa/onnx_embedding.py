"""The bundled model run by ONNX Runtime: no torch on this path.

A question is answered by importing ``tokenizers``, ``onnxruntime`` and
numpy only, so a cold ``qa ask`` does not pay the seconds torch,
transformers and sentence-transformers take to import. The graph is the
encoder exported by :mod:`qa.bundled_model` (fp32, or its int8 quantization);
mean pooling over the attention mask matches the sentence-transformers model
it came from.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .embedding import BUNDLED_MODEL_ID, BUNDLED_NAME, Embedder, EmbedderError

if TYPE_CHECKING:
    from .bundled_model import PreparedModel

QUERY_PREFIX = "query: "
DOCUMENT_PREFIX = "passage: "


@lru_cache(maxsize=1)
def _onnxruntime():
    # Checked once: the error says what to install.
    try:
        import onnxruntime
    except ImportError:
        raise EmbedderError("The ONNX backends need ONNX Runtime: pip install onnxruntime") from None
    onnxruntime.set_default_logger_severity(3)
    return onnxruntime


def cpu_session(model_path: Path, threads: int | None = None):
    """Open an ONNX model on the CPU with every graph optimization.

    Args:
        model_path: The ``.onnx`` file.
        threads: Intra-op threads; None lets ONNX Runtime use every physical core.

    Returns:
        The ``onnxruntime.InferenceSession`` (ONNX Runtime's own errors pass through).
    """
    runtime = _onnxruntime()
    options = runtime.SessionOptions()
    options.graph_optimization_level = runtime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    return runtime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=4)
def shared_tokenizer(tokenizer_file: str):
    """Return the ``tokenizers`` tokenizer of a file, loaded once per process.

    XLM-R's tokenizer is 250,000 pieces: each copy held about 290 MB, and the
    embedder and the short-answer reader each loaded one. Its users never
    switch on padding or truncation (state shared between threads); they cut
    and pad the ids themselves.

    Args:
        tokenizer_file: Path of ``tokenizer.json``.

    Returns:
        The ``tokenizers.Tokenizer``.
    """
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from tokenizers import Tokenizer

    return Tokenizer.from_file(tokenizer_file)


class OnnxEmbedder(Embedder):
    """The bundled model's encoder in ONNX Runtime.

    Args:
        prepared: The prepared bundled model (tokenizer and ONNX files).
        backend: Registry name recorded in the index (``onnx-int8``).
        model_path: The ``.onnx`` file to run.
        threads: Intra-op threads; None lets ONNX Runtime use every physical core.

    Raises:
        EmbedderError: When ONNX Runtime is missing or the model cannot be loaded.
    """

    query_prefix = QUERY_PREFIX
    document_prefix = DOCUMENT_PREFIX
    # One text per run. Dynamic int8 quantization scales activations by the
    # range of the whole input tensor, padding and neighbours included, so a
    # batched text's vector would depend on its batch (cosine 0.996 to its
    # own single-text vector). On CPU one text per run is as fast as batches
    # of 4 or 64 (bench/embedding_speed.py), and spends nothing on padding.
    batch_size = 1

    def __init__(self, prepared: "PreparedModel", backend: str, model_path: Path,
                 threads: int | None = None) -> None:
        _onnxruntime()  # before the try below: its message says what to install
        self.name = BUNDLED_NAME
        self._backend = backend
        self.max_tokens = prepared.max_tokens
        try:
            # Neither padding nor truncation is switched on in the tokenizer:
            # count_tokens needs the full length, and toggling shared state
            # would race between threads. Both are done in numpy below.
            self._tokenizer = shared_tokenizer(str(prepared.tokenizer_file))
            self._session = cpu_session(model_path, threads)
        except Exception as error:  # noqa: BLE001 - ONNX Runtime raises its own types
            raise EmbedderError(f"Cannot load the ONNX model {model_path} ({error.__class__.__name__}: {error})") from error
        self._pad_id = self._tokenizer.token_to_id("<pad>")
        self._end_id = self._tokenizer.token_to_id("</s>")
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def model_name(self) -> str:
        return BUNDLED_MODEL_ID

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        rows = self._token_ids(texts)
        # Truncate as transformers does: keep <s>, the first tokens and </s>.
        rows = [ids if len(ids) <= self.max_tokens else ids[:self.max_tokens - 1] + [self._end_id] for ids in rows]
        width = max(len(ids) for ids in rows)
        input_ids = np.full((len(rows), width), self._pad_id, np.int64)
        mask = np.zeros((len(rows), width), np.int64)
        for row, ids in enumerate(rows):
            input_ids[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1
        hidden = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / weights.sum(axis=1)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self._token_ids([self.model_input(text, "document") for text in texts])]
