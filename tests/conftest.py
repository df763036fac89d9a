"""Shared fixtures: a tiny real sentence-transformers model built from the
seed articles, and the real bundled model over the real articles."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_tiny_model(target: Path) -> Path:
    """Build and save a tiny BERT sentence-transformers model: random weights,
    a WordPiece vocabulary trained on the seed articles. Loaded afterwards by
    the real ``sentence-transformers:<path>`` code path."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors, trainers
    from tokenizers.models import WordPiece
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    texts = [path.read_text(encoding="utf-8") for path in sorted(DATA.glob("*.txt"))]
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=2000, special_tokens=specials))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")),
                                                 ("[SEP]", tokenizer.token_to_id("[SEP]"))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=128)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    hf_dir = target / "hf"
    BertModel(config, add_pooling_layer=False).save_pretrained(hf_dir)
    fast.save_pretrained(hf_dir)
    transformer = models.Transformer(str(hf_dir), max_seq_length=128)
    model = SentenceTransformer(modules=[transformer, models.Pooling(32, pooling_mode="mean"), models.Normalize()],
                                device="cpu")
    model.save(str(target / "model"))
    return target / "model"


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def tiny_embedder(tiny_model_dir):
    from qa.embedding import create_embedder

    return create_embedder(f"sentence-transformers:{tiny_model_dir}", Path("unused"))


@pytest.fixture()
def seed_data(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def bundled_embedder():
    """The bundled model on onnx-int8, or on the backend QA_BACKEND names.

    Not `auto`: auto picks the backend measured fastest at first start, and
    on a busy machine that measurement can go either way (a fresh CI machine
    once picked sentence-transformers-bf16 over int8). The answer tests must
    not depend on it; test_backends.py covers every backend and the choice.
    """
    import os

    from qa.config import Settings
    from qa.embedding import create_embedder

    return create_embedder("e5-small", Settings.from_env().model_cache, os.environ.get("QA_BACKEND") or "onnx-int8")


@pytest.fixture(scope="session")
def seed_assistant(bundled_embedder, tmp_path_factory):
    """The real assistant: bundled model, the real articles, a fresh index."""
    from qa.assistant import Assistant
    from qa.config import Settings

    settings = Settings.from_env().with_overrides(data_dir=DATA, index_dir=tmp_path_factory.mktemp("seed-index"))
    assistant = Assistant(settings, bundled_embedder)
    assistant.build()
    return assistant


class HashEmbedder:
    """A deterministic fake embedder for tests where the real model is not
    what is tested: each word gets a fixed random vector (seeded by its hash),
    a text is the sum of its words.

    Args:
        backend: Backend name recorded in the index.
        model: Model identity.
        dimension: Vector size.
        distortion: Weight of a fixed vector added to every text, to play a
            backend (or a damaged model) whose vectors differ.
    """

    def __new__(cls, *args, **kwargs):
        from qa.embedding import Embedder

        # Built on first use so that importing conftest does not import qa.
        if not hasattr(cls, "_implementation"):
            cls._implementation = _hash_embedder_class(Embedder)
        return cls._implementation(*args, **kwargs)


def _hash_embedder_class(base):
    import hashlib

    import numpy as np

    class _HashEmbedder(base):
        query_prefix = "query: "
        document_prefix = "passage: "

        def __init__(self, backend: str = "hash", model: str = "hash-model", dimension: int = 64,
                     distortion: float = 0.0) -> None:
            self.name = "hash"
            self._backend, self._model = backend, model
            self.dimension, self.max_tokens = dimension, 512
            self._offset = distortion * self._word_vector("\0offset")

        @property
        def backend(self) -> str:
            return self._backend

        @property
        def model_name(self) -> str:
            return self._model

        def _word_vector(self, word: str) -> np.ndarray:
            seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
            return np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)

        def embed_batch(self, texts):
            rows = []
            for text in texts:
                vector = sum((self._word_vector(word) for word in text.split()), np.zeros(self.dimension, np.float32))
                rows.append(vector + self._offset)
            return np.stack(rows)

        def count_tokens(self, texts):
            return [len(self.model_input(text, "document").split()) + 2 for text in texts]

    return _HashEmbedder


def open_hash_index(data_dir: Path, index_dir: Path):
    """Build an index of ``data_dir`` with the HashEmbedder and open it.

    Returns:
        (loaded index, its Retriever, the embedder); close the index after use.
    """
    from qa.indexing import build_index
    from qa.retrieval import Retriever
    from qa.store import load_index

    embedder = HashEmbedder()
    build_index(data_dir, index_dir, embedder)
    index = load_index(index_dir)
    return index, Retriever(index, embedder), embedder


def found_text(sentences, found):
    """The text a step found, given its (sentence position, span), or None."""
    return None if found is None else sentences[found[0]][found[1].start:found[1].end]
