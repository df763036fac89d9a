"""The assistant: one object that the CLI and the web app share.

It owns the embedder and the loaded index, answers questions (with the
conversation so far), and rebuilds the index while it keeps answering from
the previous one until the new one is complete.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

from .answer import AnswerabilityCheck, SpanFinder, compose_answer
from .chunking import ChunkingSettings
from .config import Settings
from .embedding import Embedder, check_compatible, create_embedder
from .indexing import Progress, build_index
from .library import AddResult, TrashedFile, add_files, list_trash, move_to_trash, restore
from .conversation import Turn, rewrite_question
from .retrieval import Retriever
from .store import (
    BuildLock, IndexUnavailable, LoadedIndex, Manifest, VectorStoreChoice, active_build, load_index, read_manifest,
)
from .short_answer import best_span
from .types import Answer, Article, BuildSummary

log = logging.getLogger(__name__)


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
        self._reload_guard = threading.Lock()
        # A build made elsewhere (the CLI) that could not be loaded: not retried
        # on every question; the message is shown in the index status.
        self._unloadable: tuple[Path, str] | None = None
        self._span_finder: SpanFinder | None = None
        # The trained reader's verdict whether sentences answer at all (None
        # with the rules, which have no such sense).
        self._check_answerable: AnswerabilityCheck | None = None
        self._span_finder_guard = threading.Lock()
        # Which method finds short answers, once chosen ("reader", or "rules"
        # with the reason the reader could not be used).
        self.short_answer_method: str | None = None

    @property
    def embedder(self) -> Embedder:
        """The embedder (created on first use: loading the model takes seconds)."""
        if self._embedder is None:
            self._embedder = create_embedder(self.settings.embedder, self.settings.model_cache, self.settings.backend)
        return self._embedder

    @property
    def span_finder(self) -> SpanFinder:
        """What finds the short answer: the trained reader, or the rules.

        The reader is prepared on first use (exported into the model cache
        once, about 20 s; loaded in under a second after that). When it
        cannot be used the rules answer and the reason is logged once and
        kept in :attr:`short_answer_method`.
        """
        if self._span_finder is None:
            with self._span_finder_guard:
                if self._span_finder is None:
                    self._span_finder = self._create_span_finder()
        return self._span_finder

    def prepare_short_answers(self) -> str:
        """Load what finds short answers now (not on the first question).

        Returns:
            :attr:`short_answer_method`: ``reader``, or ``rules`` with the reason.
        """
        self.span_finder  # noqa: B018 - the property loads it
        assert self.short_answer_method is not None
        return self.short_answer_method

    def _create_span_finder(self) -> SpanFinder:
        if self.settings.short_answer == "rules":
            self.short_answer_method = "rules"
            return best_span
        from .bundled_model import BundledModelError, ensure_model
        from .reader import READER_WEIGHTS, ReaderError, ReaderSettings, SpanReader, ensure_reader, reader_available

        if not reader_available(READER_WEIGHTS):
            log.warning("short answers come from the rules: no trained reader at %s", READER_WEIGHTS)
            self.short_answer_method = "rules (no trained reader)"
            return best_span
        try:
            prepared = ensure_model(self.settings.model_cache)
            reader = SpanReader(prepared, ensure_reader(prepared), ReaderSettings.for_weights(READER_WEIGHTS))
            # ONNX Runtime's first run allocates and plans (about a second):
            # done here, not in the first user's question.
            reader.find_span("کی؟", ["امروز."])
        except (ReaderError, BundledModelError, OSError, ValueError) as error:
            log.warning("short answers come from the rules: the reader cannot be used (%s)", error)
            self.short_answer_method = f"rules ({error})"
            return best_span
        self.short_answer_method = "reader"
        self._check_answerable = reader.no_answer_margin
        return reader.find_span

    def has_index(self) -> bool:
        """Tell whether an index exists on disk (it may still be stale or damaged)."""
        try:
            read_manifest(self.settings.index_dir)
            return True
        except IndexUnavailable:
            return False

    def reload(self) -> LoadedIndex:
        """Load the index from disk (replacing the one in memory).

        The index files are checked before the model is loaded, so a missing
        or damaged index is reported at once.

        Raises:
            IndexUnavailable: Missing, damaged or made by another embedder.
        """
        with self._reload_guard:
            index = load_index(self.settings.index_dir)
            texts, vectors = index.probe_passages()
            problem = check_compatible(self.embedder, index.manifest.embedder_id, texts, vectors)
            if problem:
                raise IndexUnavailable(
                    f"The index in {self.settings.index_dir} cannot be searched with this embedder: {problem}. "
                    f"Run `qa index build` to rebuild it."
                )
            self._retriever = Retriever(index, self.embedder)
            self._unloadable = None
            return index

    def retriever(self) -> Retriever:
        """The retriever over the current index.

        Loads the index on first use, and again when the index on disk was
        replaced by another process (``qa index build`` while the app runs).
        """
        retriever = self._retriever
        if retriever is None:
            self.reload()
            retriever = self._retriever
        else:
            current = active_build(self.settings.index_dir)
            if current == retriever.index.path:
                self._unloadable = None
            elif current is not None and (self._unloadable is None or self._unloadable[0] != current):
                try:
                    self.reload()
                    retriever = self._retriever
                except IndexUnavailable as error:
                    # Keep answering from the index in memory.
                    log.warning("new index not loaded: %s", error)
                    self._unloadable = (current, str(error))
        assert retriever is not None
        return retriever

    @property
    def reload_problem(self) -> str | None:
        """Why the newest index on disk is not the one answering, if it is not."""
        return self._unloadable[1] if self._unloadable else None

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
        for doc_id in self.index.chunks.doc_ids():
            counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts

    def build(self, full: bool = False, progress: Progress | None = None, dense_index: str = "auto",
              vector_store: str | None = None) -> BuildSummary:
        """Build or update the index, then answer from the new one.

        The build lock is taken before the model is loaded, so a second build
        fails at once rather than after the model's start.

        Args:
            full: Rebuild everything.
            progress: Called with ``(stage, done, total)``.
            dense_index: Vector index kind: ``auto`` (exact up to 50,000
                chunks, HNSW above), ``flat`` or ``hnsw``.
            vector_store: ``faiss`` or ``milvus``; None for ``settings.vector_store``.

        Returns:
            The build summary.

        Raises:
            BuildLocked: Another build of the index is running.
        """
        with BuildLock(self.settings.index_dir):
            summary = build_index(
                self.settings.data_dir, self.settings.index_dir, self.embedder,
                ChunkingSettings(self.settings.chunk_tokens, self.settings.overlap_sentences),
                full=full, progress=progress, vector_store=self.vector_store_choice(vector_store, dense_index),
                max_article_bytes=self.settings.max_article_bytes,
            )
            self.reload()
        return summary

    def vector_store_choice(self, store: str | None = None, kind: str = "auto") -> VectorStoreChoice:
        """Where a build puts its vectors: the store named (or the configured
        one), with the Milvus URI when the store is Milvus."""
        store = store or self.settings.vector_store
        return VectorStoreChoice(store, self.settings.milvus_uri if store == "milvus" else None, kind)

    def add_articles(self, uploads: Sequence[tuple[Path, str]],
                     progress: Progress | None = None) -> tuple[AddResult, BuildSummary | None]:
        """Check and save uploaded article files, then update the index.

        Args:
            uploads: ``(temporary file, name the user gave it)`` pairs.
            progress: Build progress callback.

        Returns:
            What was saved or refused, and the build summary (None when
            nothing was saved).

        Raises:
            BuildLocked: A build is running; nothing was saved.
        """
        with BuildLock(self.settings.index_dir):
            result = add_files(self.settings.data_dir, uploads, self.settings.max_article_bytes)
            summary = self.build(progress=progress) if result.saved else None
        return result, summary

    def remove_article(self, path: str, progress: Progress | None = None) -> tuple[TrashedFile, BuildSummary]:
        """Move an article file to the trash, then update the index.

        Raises:
            BuildLocked: A build is running; nothing was moved.
            LibraryError: No such article file.
        """
        with BuildLock(self.settings.index_dir):
            trashed = move_to_trash(self.settings.data_dir, path)
            return trashed, self.build(progress=progress)

    def restore_article(self, entry: str, progress: Progress | None = None) -> tuple[str, BuildSummary]:
        """Move a file back from the trash, then update the index.

        Raises:
            BuildLocked: A build is running; nothing was moved.
            LibraryError: No such trash entry, or its name is taken again.
        """
        with BuildLock(self.settings.index_dir):
            path = restore(self.settings.data_dir, entry)
            return path, self.build(progress=progress)

    def trash(self) -> list[TrashedFile]:
        """Files in the data directory's trash, newest first."""
        return list_trash(self.settings.data_dir)

    def ask_batch(self, questions: Sequence[str], k: int | None = None, mode: str | None = None,
                  histories: Sequence[Sequence[Turn | str]] | None = None) -> list[Answer]:
        """Answer several questions (one model call for all of them).

        Args:
            questions: Questions.
            k: Passages to retrieve (default ``settings.k``).
            mode: ``hybrid``, ``dense`` or ``lexical`` (default ``settings.mode``).
            histories: For each question, the earlier turns of its conversation
                (:class:`~qa.conversation.Turn`, or just the questions). A
                follow-up is answered as the standalone question it is
                rewritten into (``Answer.retrieval_query``).

        Returns:
            One answer per question, in order.
        """
        k = k or self.settings.k
        mode = mode or self.settings.mode
        retriever = self.retriever()
        index = retriever.index
        histories = histories or [()] * len(questions)
        texts = [rewrite_question(q.strip(), [turn if isinstance(turn, Turn) else Turn(turn) for turn in h],
                                  knows=retriever.knows_any)
                 for q, h in zip(questions, histories)]
        vectors = self.embedder.embed_queries(texts)
        bridged = [retriever.bridged(text) for text in texts]
        hits = retriever.search_batch(texts, k, mode, query_vectors=vectors, bridged=bridged)
        find_span = self.span_finder
        return [compose_answer(q.strip(), vector, found, index, scoring_question=text, find_span=find_span,
                               bridged=written, check_answerable=self._check_answerable)
                for q, text, vector, found, written in zip(questions, texts, vectors, hits, bridged)]

    def ask(self, question: str, history: Sequence[Turn | str] = (), k: int | None = None,
            mode: str | None = None) -> Answer:
        """Answer one question; ``history`` holds the earlier turns (see :meth:`ask_batch`)."""
        return self.ask_batch([question], k, mode, [history])[0]


def default_assistant(**overrides) -> Assistant:
    """Create an assistant from ``QA_*`` settings with CLI overrides applied."""
    settings = Settings.from_env().with_overrides(**overrides)
    return Assistant(settings)
