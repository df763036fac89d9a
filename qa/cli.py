"""The ``qa`` command: build the index, ask, evaluate, serve.

    qa index build [--data DIR] [--index DIR] [--embedder NAME] [--backend NAME] [--full] [--dense-index KIND] [--json]
    qa index info  [--index DIR] [--json]
    qa ask QUESTION [--index DIR] [--backend NAME] [--k N] [--mode hybrid|dense|lexical] [--short-answer reader|rules] [--json]
    qa ask --file FILE|- [--json]
    qa eval FILE [--index DIR] [--k N] [--mode ...] [--json]
    qa serve [--host H] [--port P]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from .config import RETRIEVAL_MODES, SHORT_ANSWER_METHODS, VECTOR_STORE_NAMES, Settings
from .progress import terminal_progress

EXIT_ERROR = 1
EXIT_USAGE = 2


def _quiet_libraries() -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    for noisy in ("transformers", "sentence_transformers", "httpx", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False))


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env().with_overrides(
        data_dir=getattr(args, "data", None), index_dir=getattr(args, "index", None),
        embedder=getattr(args, "embedder", None), backend=getattr(args, "backend", None), k=getattr(args, "k", None),
        mode=getattr(args, "mode", None), vector_store=getattr(args, "vector_store", None),
        host=getattr(args, "host", None), port=getattr(args, "port", None),
        short_answer=getattr(args, "short_answer", None),
    )


def command_build(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    assistant = Assistant(_settings(args))
    summary = assistant.build(full=args.full, progress=terminal_progress(sys.stderr.isatty() and not args.json),
                              dense_index=args.dense_index, vector_store=args.vector_store)
    if args.json:
        _print_json(summary.to_dict())
    else:
        for note in summary.notes:
            print(f"note: {note}")
        for skipped in summary.skipped:
            print(f"skipped {skipped.path}: {skipped.reason}")
        print(summary.one_line())
    return 0


def command_info(args: argparse.Namespace) -> int:
    from .store import read_manifest

    index_dir = _settings(args).index_dir
    manifest = read_manifest(index_dir)
    info = {key: value for key, value in manifest.to_dict().items() if key not in ("files", "documents")}
    info["index_dir"] = str(index_dir)
    if args.json:
        _print_json(info)
    else:
        for key, value in info.items():
            print(f"{key:14} {value}")
    return 0


def command_verify(args: argparse.Namespace) -> int:
    from .store import verify_index

    index_dir = _settings(args).index_dir
    bad = verify_index(index_dir)
    if args.json:
        _print_json({"index_dir": str(index_dir), "ok": not bad, "damaged": bad})
    elif bad:
        for name in bad:
            print(f"damaged or missing: {name}")
        print("Run `qa index build --full` to rebuild the index.")
    else:
        print(f"{index_dir}: every file matches its checksum.")
    return 0 if not bad else EXIT_ERROR


def format_answer(answer) -> str:
    """Return the human form of an answer: the short answer, the sentences, then numbered sources."""
    lines = [answer.note] if answer.note else []
    if answer.rewritten_question:
        lines.append(f"(asked as: {answer.rewritten_question})")
    lines += [f"{answer.short_answer.text} [{answer.short_answer.n}]"] if answer.short_answer else []
    lines += [answer.answer, ""]
    heading = "Closest passages (they do not answer the question):" if answer.abstained else "Sources:"
    lines.append(heading)
    for citation in answer.citations:
        meta = " · ".join(part for part in (citation.source, citation.date, citation.path) if part)
        lines.append(f"[{citation.n}] {citation.title} ({meta})")
        spans = citation.evidence or ()
        for span in spans:
            lines.append(f"    «{citation.text[span.start - citation.start:span.end - citation.start].strip()}»")
    return "\n".join(lines)


def read_question_lines(lines) -> list[tuple[str | None, str]]:
    """Read ``qa ask --file`` input: one question per line, plain text or JSON.

    A JSON line ``{"conversation": ID, "question": Q}`` belongs to conversation
    ``ID``: its earlier lines (in file order) are the conversation so far. A
    plain line, or JSON without ``conversation``, is a question on its own.

    Args:
        lines: The file's lines.

    Returns:
        ``(conversation id or None, question)`` per non-empty line.

    Raises:
        ValueError: A JSON line that is not an object with a text ``question``
            (the message names the line).
    """
    rows: list[tuple[str | None, str]] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        if not text.startswith("{"):
            rows.append((None, text))
            continue
        try:
            record = json.loads(text)
        except ValueError as error:
            raise ValueError(f"line {number}: not valid JSON ({error})") from None
        question = record.get("question") if isinstance(record, dict) else None
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f'line {number}: a JSON line needs "question" (text)')
        conversation = record.get("conversation")
        rows.append((None if conversation is None else str(conversation), question.strip()))
    return rows


def command_ask(args: argparse.Namespace) -> int:
    from .assistant import Assistant

    if args.file is None and not args.question:
        print("qa ask: give a QUESTION or --file FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.file is not None:
        handle = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
        with handle:
            rows = read_question_lines(handle)  # a bad line is reported before the model loads
        assistant = Assistant(_settings(args))
        questions = [question for _, question in rows]
        if all(conversation is None for conversation, _ in rows):
            answers = assistant.ask_batch(questions, k=args.k, mode=args.mode) if rows else []
        else:
            # A follow-up builds on the earlier answer, so a conversation is asked in order.
            from .conversation import Turn

            turns: dict[str, list[Turn]] = {}
            answers = []
            for conversation, question in rows:
                earlier = turns.setdefault(conversation, []) if conversation is not None else []
                answer = assistant.ask(question, history=earlier, k=args.k, mode=args.mode)
                earlier.append(Turn.of(answer))
                answers.append(answer)
        for (conversation, _), answer in zip(rows, answers):
            if args.json:
                record = answer.to_dict()
                if conversation is not None:
                    record = {"conversation": conversation, **record}
                _print_json(record)
            else:
                print(format_answer(answer) + "\n")
        return 0
    assistant = Assistant(_settings(args))
    answer = assistant.ask(" ".join(args.question), k=args.k, mode=args.mode)
    if args.json:
        _print_json(answer.to_dict())
    else:
        print(format_answer(answer))
    return 0


def command_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, format_table

    modes = [args.mode] if args.mode else list(RETRIEVAL_MODES)
    result = evaluate(Path(args.file), _settings(args), modes=modes, k=args.k)
    if args.json:
        _print_json(result)
    else:
        print(format_table(result))
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from .web import serve

    serve(_settings(args))
    return 0


# Kept in step with qa.embedding.BACKENDS by a test; written out here so that
# `qa --help` and argument parsing do not import the embedding stack.
BACKEND_CHOICES = ("auto", "sentence-transformers-fp32", "sentence-transformers-bf16", "onnx-fp32", "onnx-int8")
BACKEND_HELP = ("how e5-small runs: auto (default, env QA_BACKEND) = the fastest backend measured on this CPU "
                "whose vectors stay within cosine 0.99 of fp32")


def _add_question_options(parser: argparse.ArgumentParser, mode_help: str) -> None:
    """Options shared by the commands that ask questions (ask, eval)."""
    parser.add_argument("--index", type=Path, help="index directory (default: index, env QA_INDEX_DIR)")
    parser.add_argument("--embedder", help="embedder the index was built with (default e5-small)")
    parser.add_argument("--backend", choices=BACKEND_CHOICES, help=BACKEND_HELP)
    parser.add_argument("--k", type=int, help="passages to retrieve (default 10, env QA_K)")
    parser.add_argument("--mode", choices=RETRIEVAL_MODES, help=mode_help)
    parser.add_argument("--short-answer", choices=SHORT_ANSWER_METHODS,
                        help="how the short answer is found: reader (default, the trained span reader) or rules "
                             "(env QA_SHORT_ANSWER)")
    parser.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``qa`` command."""
    parser = argparse.ArgumentParser(prog="qa", description="Ask questions about Persian news articles, with cited sources.")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build or inspect the index").add_subparsers(dest="index_command", required=True)
    build = index.add_parser("build", help="build or update the index of the data directory")
    build.add_argument("--data", type=Path, help="article directory (default: data, env QA_DATA_DIR)")
    build.add_argument("--index", type=Path, help="index directory (default: index, env QA_INDEX_DIR)")
    build.add_argument("--embedder", help="e5-small (default) or sentence-transformers:<model id or path>")
    build.add_argument("--backend", choices=BACKEND_CHOICES, help=BACKEND_HELP)
    build.add_argument("--full", action="store_true", help="rebuild everything, reusing nothing")
    build.add_argument("--dense-index", choices=("auto", "flat", "hnsw"), default="auto",
                       help="vector index: exact (flat) or approximate (hnsw); auto = flat up to 50,000 chunks")
    build.add_argument("--vector-store", choices=VECTOR_STORE_NAMES,
                       help="faiss (default: files in the index directory) or milvus (a Milvus Lite file in the "
                            "index, or the server of QA_MILVUS_URI); env QA_VECTOR_STORE")
    build.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    build.set_defaults(run=command_build)
    info = index.add_parser("info", help="show what the index holds")
    info.add_argument("--index", type=Path)
    info.add_argument("--json", action="store_true")
    info.set_defaults(run=command_info)
    verify = index.add_parser("verify", help="check every index file against its SHA-256 (opening checks only size and time)")
    verify.add_argument("--index", type=Path)
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=command_verify)

    ask = commands.add_parser("ask", help="answer a question with cited sources")
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument("--file", help="one question per line ('-' for standard input), plain or JSON "
                                    "{\"conversation\": ID, \"question\": Q} (same ID: one conversation, in file "
                                    "order); JSON Lines out with --json")
    _add_question_options(ask, mode_help="retrieval mode (default hybrid, env QA_MODE)")
    ask.set_defaults(run=command_ask)

    evaluation = commands.add_parser("eval", help="measure retrieval and answers on a question file")
    evaluation.add_argument("file", help="our JSON Lines questions or a SQuAD-format JSON file")
    _add_question_options(evaluation, mode_help="measure one mode (default: all three)")
    evaluation.set_defaults(run=command_eval)

    serve = commands.add_parser("serve", help="start the chat web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--data", type=Path)
    serve.add_argument("--index", type=Path)
    serve.set_defaults(run=command_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qa`` command; returns the exit status."""
    _quiet_libraries()
    args = build_parser().parse_args(argv)
    from .corpus import CorpusError
    from .embedding import EmbedderError
    from .indexing import BuildError
    from .store import BuildLocked, IndexUnavailable

    try:
        return args.run(args)
    except (IndexUnavailable, BuildLocked, BuildError, CorpusError, EmbedderError, ValueError, OSError) as error:
        print(f"qa: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
