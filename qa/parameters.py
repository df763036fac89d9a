"""Tuning values, typed and in one place.

Every number that changes what is retrieved or answered lives here, with the
reason it has its value. Modules take the default object and callers may pass
another (benchmarks sweep them). Nothing here imports from the rest of ``qa``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLDS_FILE = Path(__file__).with_name("abstention_thresholds.json")
# The embedder whose thresholds serve an embedder not yet calibrated.
DEFAULT_THRESHOLDS_OF = "e5-small"


def read_thresholds(path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    """Return the abstention thresholds by embedder and question language.

    Args:
        path: The JSON file ``bench/calibrate_abstention.py --write`` keeps.

    Returns:
        ``{embedder: {language: threshold}}``.
    """
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RetrievalParameters:
    """How dense, sentence and BM25 results are found and fused.

    Attributes:
        rrf_k: Reciprocal-rank-fusion constant (60, the value of Cormack et
            al., 2009): it damps the difference between the first ranks.
        near_duplicate_jaccard: Two passages sharing this share of their
            words are one passage told twice (the same wire story in two articles).
        fusion_weights: Weights of the (passage, sentence, BM25) rankings in
            the fusion. Chosen by ``bench/fusion.py`` as the only variant of
            its grid that never fell below dense or BM25 alone on hit@1,
            hit@5 or MRR on the seed development set, our own questions and
            PersianQA (equal weights lost to both on the seed set).
        bridge_fusion_weights: The same for an English or Arabic question,
            whose BM25 side reads its bridge (``qa/bridge.py``). Chosen on
            the 20 questions of bench/cross_lingual.jsonl and
            cross_lingual_held_out.jsonl: BM25 at 0.75 had the best hit@5
            (1.0, 0.917), containment (1.0, 0.75) and short-answer F1
            (0.812, 0.428) of 0.25-1.5; at 1.0 and above the glossary's words
            outweighed the meaning (F1 0.625 on the first 8).
        depth_factor: Each retriever returns ``depth_factor * k`` candidates
            (at least ``min_depth``) before fusion.
        min_depth: See ``depth_factor``.
    """

    rrf_k: int = 60
    near_duplicate_jaccard: float = 0.8
    fusion_weights: tuple[float, float, float] = (0.5, 0.5, 1.0)
    bridge_fusion_weights: tuple[float, float, float] = (0.5, 0.5, 0.75)
    depth_factor: int = 4
    min_depth: int = 30


@dataclass(frozen=True)
class AnswerParameters:
    """How sentences are scored, picked and when the assistant abstains.

    Attributes:
        max_sentences: Supporting sentences in an answer.
        overlap_weight: Weight of shared rare words next to cosine similarity.
        cue_weight: Bonus for a sentence that holds what the question asks
            for (a date for «کی», a number for «چند»).
        follow_margin: A further sentence is kept only within this margin of
            the best one.
        dominant_overlap: A sentence holding at least this share of the
            question's words (weighted by rarity) ...
        dominance_margin: ... and this much more than every other sentence
            goes first, whatever its similarity (see
            ``answer.put_dominant_first``).
        min_sentence_words: Shorter lines («برچسبها», «انتهای پیام») are page
            furniture, never an answer sentence.
        bridged_later_sentence_penalty: For an English or Arabic question,
            what the reader's span score (start + end logits) loses per
            sentence after the first: the reader cannot align such a
            question's words with Persian sentences, so their order decides
            unless it is much surer of a later one. Chosen on
            ``bench/cross_lingual_fresh.jsonl`` (F1 0.304 → 0.415; the first
            20 questions unchanged at 1 and 2, 4 lost one), checked on
            ``bench/cross_lingual_unseen.jsonl``, written after (0.321 → 0.446).
        min_reader_margin: A Persian question whose chosen sentences the
            trained reader gives no span for, by this much (its best span's
            start + end logits less those of ``<s>``, "no answer"), is not
            answered (``qa.reader.SpanReader.no_answer_margin``). Chosen on
            PersianQA's test set, which the reader never saw: the highest
            value (in steps of 0.5) at which at most 0.5 % of its answerable
            questions abstain (2 of 651; 3.2 % of its unanswerable ones do,
            where the reader reads the sentences the answer would show).
            Measured afterwards on the PQuAD held-out articles and
            ``bench/out_of_corpus_near.jsonl`` (README).
        abstain_below: Best-sentence score under which the sources are taken
            not to hold the answer, by embedder and by question language.
            Read from ``qa/abstention_thresholds.json``, which
            ``bench/calibrate_abstention.py --write`` updates for the embedder
            it measured; an embedder without its own entry uses e5-small's.
    """

    max_sentences: int = 3
    overlap_weight: float = 0.05
    cue_weight: float = 0.02
    follow_margin: float = 0.05
    dominant_overlap: float = 0.4
    dominance_margin: float = 0.05
    min_sentence_words: int = 3
    bridged_later_sentence_penalty: float = 2.0
    min_reader_margin: float = -8.5
    abstain_below: dict[str, dict[str, float]] = field(default_factory=lambda: read_thresholds())

    def threshold(self, embedder: str, language: str) -> float:
        """Return the abstention threshold of an embedder for a question language."""
        table = self.abstain_below.get(embedder) or self.abstain_below[DEFAULT_THRESHOLDS_OF]
        return table.get(language, table["fa"])


@dataclass(frozen=True)
class VectorIndexParameters:
    """How vector indexes are built and searched.

    Attributes:
        hnsw_threshold: Up to this many vectors, exact search (FAISS flat,
            Milvus FLAT); above, HNSW. Exact search reads every vector per
            query, so its cost grows with the corpus while HNSW's barely
            does (``bench/scale.py`` measures both).
        hnsw_neighbors: HNSW ``M`` (links per node): memory and build time
            grow with it, and so does recall.
        hnsw_ef_construction: HNSW build beam.
        hnsw_ef_search: HNSW search beam; kept above the deepest search
            retrieval asks for (3 x 40 sentences), or HNSW returns fewer.
        milvus_insert_batch: Rows per Milvus insert call (numpy rows; larger
            batches hit gRPC's message size limit at 384 dimensions).
        segment_vectors: Vectors per FAISS file: a build holds one segment in
            memory at a time, written and memory-mapped when full, so its
            memory stops growing with the corpus (100,000 384-dimension
            vectors with their HNSW graph are ~180 MB); a search asks every
            segment and merges.
    """

    hnsw_threshold: int = 50_000
    hnsw_neighbors: int = 32
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 128
    milvus_insert_batch: int = 5_000
    segment_vectors: int = 100_000


DEFAULT_RETRIEVAL = RetrievalParameters()
DEFAULT_ANSWER = AnswerParameters()
DEFAULT_VECTOR_INDEX = VectorIndexParameters()
