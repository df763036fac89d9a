"""The span reader as a torch module: built for training, and for the one-time ONNX export.

The reader is the bundled e5-small encoder with its top
:data:`FIRST_TRAINED_LAYER`.. layers fine-tuned on PQuAD and a linear head
giving a start and an end score per token (bench/train_reader.py). Only the
trained layers and the head ship with the package (``qa/models/``, fp16,
safetensors: no pickle); the lower layers and the word embeddings are the
bundled ones, so the file stays near 20 MB instead of 470 MB.

This module imports torch and transformers; the app reaches it only once,
when the reader's ONNX file is first written into the model cache
(:func:`export_reader_onnx`). Answering uses :mod:`qa.reader`.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel

# Layers below this index stay as bundled: freezing them halves training time
# and keeps the shipped weights under the 30 MB the package may carry.
FIRST_TRAINED_LAYER = 6


class SpanReaderModule(torch.nn.Module):
    """Encoder + start/end head.

    Args:
        encoder: An ``XLMRobertaModel`` (the bundled e5-small).
    """

    def __init__(self, encoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, 2)

    def forward(self, input_ids, attention_mask):
        """Return (start, end) logits, each ``(batch, tokens)``."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.head(hidden)
        return logits[..., 0], logits[..., 1]

    def freeze_lower_layers(self) -> None:
        """Leave only the top layers and the head trainable."""
        for parameter in self.encoder.parameters():
            parameter.requires_grad_(False)
        for layer in self.encoder.encoder.layer[FIRST_TRAINED_LAYER:]:
            for parameter in layer.parameters():
                parameter.requires_grad_(True)

    def trained_state(self) -> dict[str, torch.Tensor]:
        """The tensors that differ from the bundled model (top layers and head), fp16."""
        prefixes = tuple(f"encoder.encoder.layer.{i}." for i in range(FIRST_TRAINED_LAYER, len(self.encoder.encoder.layer)))
        return {name: tensor.detach().to(torch.float16).contiguous() for name, tensor in self.state_dict().items()
                if name.startswith(prefixes) or name.startswith("head.")}


def build_reader_module(encoder_dir: Path, weights: Path | None = None) -> SpanReaderModule:
    """Build the reader from the prepared encoder, with trained weights if given.

    Args:
        encoder_dir: The prepared model's Hugging Face directory
            (``PreparedModel.sentence_transformers_dir``).
        weights: A file written by :func:`save_reader_weights`; None leaves
            the head untrained (for training).

    Returns:
        The module, in eval mode.
    """
    # Eager attention: the SDPA path builds its mask with code the ONNX
    # tracer cannot follow.
    encoder = AutoModel.from_pretrained(str(encoder_dir), add_pooling_layer=False, attn_implementation="eager")
    module = SpanReaderModule(encoder)
    if weights is not None:
        state = {name: tensor.float() for name, tensor in load_file(str(weights)).items()}
        missing = set(state) - set(module.state_dict())
        if missing:
            raise ValueError(f"{weights} holds tensors the reader does not have: {sorted(missing)[:3]}")
        module.load_state_dict(state, strict=False)
    return module.eval()


def save_reader_weights(module: SpanReaderModule, path: Path, info: dict) -> None:
    """Write the trained tensors (safetensors) and ``info`` beside them (``.json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(module.trained_state(), str(path))
    path.with_suffix(".json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def export_reader_onnx(module: SpanReaderModule, target: Path) -> None:
    """Export the reader to ONNX: input_ids, attention_mask -> start_logits, end_logits."""
    target.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.tensor([[0, 581, 2, 2, 6, 2], [0, 581, 2, 2, 6, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0]])
    dynamic = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(), (ids, mask), str(target), input_names=["input_ids", "attention_mask"],
            output_names=["start_logits", "end_logits"], opset_version=17, dynamo=False,
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "start_logits": dynamic,
                          "end_logits": dynamic},
        )
