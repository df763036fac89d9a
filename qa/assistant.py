"""The assistant: one object that the CLI and the web app share.

It owns the embedder and the loaded index, answers questions (with the
conversation so far), and rebuilds the index while it keeps answering from
the previous one until the new one is complete.
"""

from __future__ import annotations

from typing import Sequence

from .answer import compose_answer
from .chunking import ChunkingSettings
from .config import Settings
from .embedding import Embedder, create_embedder
from .indexing import Progress, build_index
from .retrieval import Retriever, retrieval_query
from .store import IndexUnavailable, LoadedIndex, Manifest, load_index, read_manifest
from .types import Answer, Article, BuildSummary



class Assistant:
    """Answers questions about the articles of one index.

    Args:
        settings: Directories, embedder, retrieval defaults.
        embedder: An embedder to use instead of creating ``settings.embedder``.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        # One reference to the index and its retriever: replacing it is atomic,
        # so questions asked during a rebuild use the old index until the swap.
        self._retriever: Retriever | None = None

    @property
    def embedder(self) -> Embedder:
        """The embedder (created on first use: loading the model takes seconds)."""
        if self._embedder is None:
            self._embedder = create_embedder(self.settings.embedder, self.settings.model_cache)
        return self._embedder

    def has_index(self) -> bool:
        """Tell whether an index exists on disk (it may still be stale or damaged)."""
        try:
            read_manifest(self.settings.index_dir)
            return True
        except IndexUnavailable:
            return False

    def reload(self) -> LoadedIndex:
        """Load the index from disk (replacing the one in memory).

        Raises:
            IndexUnavailable: Missing, damaged or made by another embedder.
        """
        index = load_index(self.settings.index_dir, self.embedder.id)
        self._retriever = Retriever(index, self.embedder)
        return index

    def retriever(self) -> Retriever:
        """The retriever over the loaded index (loading it on first use)."""
        retriever = self._retriever
        if retriever is None:
            self.reload()
            retriever = self._retriever
        assert retriever is not None
        return retriever

    @property
    def index(self) -> LoadedIndex:
        """The loaded index (loaded on first use)."""
        return self.retriever().index

    def manifest(self) -> Manifest:
        """The manifest of the index on disk."""
        return read_manifest(self.settings.index_dir)

    def articles(self) -> list[Article]:
        """Articles of the loaded index, by ``doc_id``."""
        return sorted(self.index.articles.values(), key=lambda article: article.doc_id)

    def chunk_counts(self) -> dict[str, int]:
        """Number of stored chunks per article."""
        counts: dict[str, int] = {}
        for chunk in self.index.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        return counts

    def build(self, full: bool = False, progress: Progress | None = None, dense_index: str = "auto") -> BuildSummary:
        """Build or update the index, then answer from the new one.

        Args:
            full: Rebuild everything.
            progress: Called with ``(stage, done, total)``.
            dense_index: FAISS index kind: ``auto`` (exact up to 50,000 chunks,
                HNSW above), ``flat`` or ``hnsw``.

        Returns:
            The build summary.
        """
        summary = build_index(
            self.settings.data_dir, self.settings.index_dir, self.embedder,
            ChunkingSettings(self.settings.chunk_tokens, self.settings.overlap_sentences),
            full=full, progress=progress, dense_kind=dense_index,
        )
        self.reload()
        return summary

    def ask_batch(self, questions: Sequence[str], k: int | None = None, mode: str | None = None,
                  histories: Sequence[Sequence[str]] | None = None) -> list[Answer]:
        """Answer several questions (one model call for all of them).

        Args:
            questions: Questions.
            k: Passages to retrieve (default ``settings.k``).
            mode: ``hybrid``, ``dense`` or ``lexical`` (default ``settings.mode``).
            histories: For each question, the earlier questions of its conversation.

        Returns:
            One answer per question, in order.
        """
        k = k or self.settings.k
        mode = mode or self.settings.mode
        retriever = self.retriever()
        index = retriever.index
        histories = histories or [()] * len(questions)
        texts = [retrieval_query(q.strip(), h) for q, h in zip(questions, histories)]
        vectors = self.embedder.embed_queries(texts)
        hits = retriever.search_batch(texts, k, mode, query_vectors=vectors)
        return [compose_answer(q.strip(), vector, found, index, scoring_question=text)
                for q, text, vector, found in zip(questions, texts, vectors, hits)]

    def ask(self, question: str, history: Sequence[str] = (), k: int | None = None,
            mode: str | None = None) -> Answer:
        """Answer one question; ``history`` holds the earlier questions."""
        return self.ask_batch([question], k, mode, [history])[0]


def default_assistant(**overrides) -> Assistant:
    """Create an assistant from ``QA_*`` settings with CLI overrides applied."""
    settings = Settings.from_env().with_overrides(**overrides)
    return Assistant(settings)
