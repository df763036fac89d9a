"""The chat page (Gradio): wires the :class:`~qa.assistant.Assistant` to the page.

No retrieval logic lives here and no HTML is written here (see
:mod:`qa.rendering`). What the page holds is computed when a page loads and
after every change, never once at server start: a new tab, a build made with
the CLI and an upload from another tab are all seen.

Who may change the index: with no login configured (the default, bound to
127.0.0.1) the one local user may; with ``QA_AUTH``/``QA_ADMIN`` only the
``QA_ADMIN`` user sees the index tab, and every index action checks the
logged-in user again on the server; ``QA_READONLY=1`` removes the tab.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import gradio as gr

from .assistant import Assistant
from .config import RETRIEVAL_MODES, Settings
from .corpus import SUPPORTED_SUFFIXES, CorpusError
from .embedding import backend_of
from .indexing import BuildError
from .library import LibraryError
from .progress import Progress, StageClock, terminal_progress
from .rendering import (
    MODE_LABELS, add_result_html, articles_table_html, chat_messages, message_html, progress_html,
    removal_choices, render_sources, status_html, summary_html, trash_choices,
)
from .conversation import Turn
from .store import BuildLocked, IndexUnavailable, active_build, build_running

log = logging.getLogger(__name__)

CSS = """
.gradio-container { direction: rtl; }
.rtl, .rtl * { direction: rtl; text-align: right; }
bdi[dir=ltr] { direction: ltr; unicode-bidi: isolate; }
body, .gradio-container, .gradio-container * {
  font-family: Vazirmatn, "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, "DejaVu Sans", sans-serif; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0;
  scroll-margin: 80px; }
.source.not-answer { opacity: .8; border-style: dashed; }
.source.flash { animation: flash 1.6s ease-out; }
@keyframes flash { 0%, 40% { background: #ffe58a; box-shadow: 0 0 0 3px #f5b400; } 100% { background: transparent; } }
.source .meta { color: var(--body-text-color-subdued); font-size: .9em; }
.source mark { background: #ffe58a; color: #000; padding: 0 2px; border-radius: 3px; }
.source strong.short-answer { background: #f0a500; color: #000; padding: 0 2px; border-radius: 3px;
  outline: 2px solid #b36b00; }
p.short-answer { font-size: 1.1em; margin-bottom: 0.4em; }
p.note { color: #555; font-size: 0.9em; margin: 0 0 0.3em 0; }
.sources p.rewritten { color: #333; background: #f3f3f3; padding: 4px 6px; border-radius: 4px; }
.source .passage, .source .article { white-space: pre-wrap; line-height: 1.9; }
.source .article { max-height: 24em; overflow: auto; font-size: .95em; }
#chat .message, #chat .message * { unicode-bidi: plaintext; }
/* Gradio writes component labels left-to-right. */
[data-testid="block-info"], [data-testid="block-label"], .gradio-container label { direction: rtl; }
#chat .cite { color: var(--link-text-color, #2563eb); cursor: pointer; text-decoration: underline; white-space: nowrap; }
.report.error, .status .error { color: #b91c1c; }
.report progress { width: 100%; }
table.articles { width: 100%; border-collapse: collapse; }
table.articles th, table.articles td { border-bottom: 1px solid var(--border-color-primary); padding: 4px 8px; }
/* On a phone the columns stack: the sources come right after the answers,
   before the input box, the example questions and the settings. */
@media (max-width: 768px) {
  #chat-layout { flex-direction: column; }
  #chat-column, #sources-column { display: contents; }
  #chat { order: 1; } #sources { order: 2; } #chat-buttons { order: 4; }
  #chat-column > :has(#question) { order: 3; }  /* Gradio wraps the input box in a form */
  #examples { order: 5; } #settings { order: 6; }
}
"""

# Put into the page's own <head> (see PersianPage), so it runs before Gradio's
# scripts. The page is Persian only, but Gradio picks the language of its own
# words (upload box, buttons, messages) from the browser's language: pin it.
# Citation markers [n] in the chat scroll to their source card and flash it.
HEAD_SCRIPT = r"""<script>
try {
  Object.defineProperty(navigator, "language", { get: () => "fa" });
  Object.defineProperty(navigator, "languages", { get: () => ["fa"] });
} catch (error) {}
function showSource(number) {
  const card = document.querySelector("#sources #source-" + number);
  if (!card) return;
  card.scrollIntoView({ behavior: "smooth", block: "center" });
  card.classList.remove("flash");
  void card.offsetWidth;  // restart the animation on a second click
  card.classList.add("flash");
}
document.addEventListener("click", (event) => {
  const marker = event.target.closest && event.target.closest(".cite");
  // The chatbot's sanitizer drops data- attributes: read the number from "[n]".
  if (marker) showSource(marker.textContent.replace(/\D/g, ""));
}, true);  // capture: the chatbot stops clicks on its messages from bubbling
document.addEventListener("keydown", (event) => {
  const marker = event.target.closest && event.target.closest(".cite");
  if (marker && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); showSource(marker.textContent.replace(/\D/g, "")); }
}, true);
</script>"""
_HTML_TAG = re.compile(rb"<html\b[^>]*?\blang=\"[^\"]*\"", re.DOTALL)


class PersianPage:
    """ASGI middleware: serves the page as ``<html lang="fa" dir="rtl">`` with
    :data:`HEAD_SCRIPT` at the top of ``<head>``.

    Only the page itself (``GET /``) is touched; it is asked for uncompressed
    so that it can be edited.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in ("/", ""):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = dict(scope, headers=headers)
        start: dict = {}
        body = bytearray()

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            content = bytes(body)
            response_headers = list(start.get("headers", []))
            if any(k.lower() == b"content-type" and b"text/html" in v for k, v in response_headers):
                content = _HTML_TAG.sub(b'<html lang="fa" dir="rtl"', content, count=1)
                content = content.replace(b"<head>", b"<head>" + HEAD_SCRIPT.encode(), 1)
                response_headers = [(k, v) for k, v in response_headers if k.lower() != b"content-length"]
                response_headers.append((b"content-length", str(len(content)).encode()))
            await send({**start, "headers": response_headers})
            await send({"type": "http.response.body", "body": content})

        await self.app(scope, receive, capture)


NOT_ALLOWED = "اجازه تغییر نمایه را ندارید."
BUSY = "نمایه هم‌اکنون در حال ساخته شدن است (شاید از خط فرمان)؛ چیزی تغییر نکرد. پس از پایان آن دوباره بکوشید."
NO_INDEX = "نمایه آماده نیست. در زبانه «نمایه»، «بازسازی نمایه» را بزنید."
MAX_TURNS_KEPT = 50
# The browser keeps the conversation and settings across reloads. Gradio
# encrypts this storage with the secret; it only has to stay the same across
# server restarts, it guards nothing (the data is the user's own).
STORAGE_SECRET = "persian-news-qa-browser-state"


def _credentials(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    user, _, password = value.partition(":")
    return user, password


class AccessPolicy:
    """Who may log in, and who may change the index.

    Args:
        settings: ``auth`` (readers), ``admin`` (the index keeper), ``readonly``.
    """

    def __init__(self, settings: Settings) -> None:
        self.readers = _credentials(settings.auth)
        self.admin = _credentials(settings.admin)
        self.readonly = settings.readonly

    def logins(self) -> list[tuple[str, str]] | None:
        """The ``(user, password)`` pairs Gradio accepts; None: no login."""
        pairs = [pair for pair in (self.readers, self.admin) if pair]
        return pairs or None

    def may_change(self, username: str | None) -> bool:
        """Tell whether this user may upload, remove, restore and rebuild."""
        if self.readonly:
            return False
        if self.logins() is None:
            return True  # no login at all: the one local user
        return self.admin is not None and username == self.admin[0]


def _stream_work(work: Callable[[Progress], Any]) -> Iterator[str]:
    """Run ``work(progress)`` in a thread, yielding its progress as HTML.

    Returns (as the generator's value) what ``work`` returned; re-raises what
    it raised.
    """
    updates: queue.Queue = queue.Queue()
    outcome: dict[str, Any] = {}
    clock = StageClock()

    def progress(stage: str, done: int, total: int) -> None:
        updates.put(progress_html(stage, done, total, clock.update(stage, done, total)))

    def run() -> None:
        try:
            outcome["value"] = work(progress)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error
        finally:
            updates.put(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while True:
        item = updates.get()
        if item is None:
            break
        while not updates.empty():  # only the newest progress is worth drawing
            newer = updates.get()
            if newer is None:
                updates.put(None)
                break
            item = newer
        yield item
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _relabel(stream: Iterator, wrap: Callable) -> Iterator:
    """Yield ``wrap(item)`` for each item of ``stream``; return its value."""
    while True:
        try:
            item = next(stream)
        except StopIteration as stop:
            return stop.value
        yield wrap(item)


def _remove_temporary(paths: list[str]) -> None:
    """Delete Gradio's copies of uploaded files (they would outlive the server)."""
    for name in paths:
        path = Path(name)
        try:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
        except OSError:
            pass


def build_app(assistant: Assistant):
    """Create the Gradio Blocks app around an assistant.

    Args:
        assistant: The assistant every event uses.

    Returns:
        The (unlaunched) ``gr.Blocks``.
    """
    settings = assistant.settings
    policy = AccessPolicy(settings)

    def username(request: gr.Request | None) -> str | None:
        return getattr(request, "username", None) if request is not None else None

    def example_questions() -> list[list[str]]:
        try:
            articles = assistant.articles()
        except IndexUnavailable:
            return []
        titles = [a.title for a in articles if 10 < len(a.title) < 80 and not a.title.endswith("…")]
        return [[f"{title}؟"] for title in titles[:6]]

    def index_panel() -> dict:
        """Fresh values of everything the index tab shows."""
        building = build_running(settings.index_dir)
        try:
            retriever = assistant.retriever()
            manifest = retriever.index.manifest
            # The model and the backend that embedded the articles (the
            # questions may run on another compatible backend).
            backend = backend_of(manifest.embedder_id)
            stores = manifest.vector_store
            fields = {"articles": manifest.articles, "chunks": manifest.chunks,
                      "embedder": f"{manifest.embedder} ({backend})", "built_at": manifest.built_at,
                      "vectors": f"{stores['store']} ({str(stores['chunks'].get('kind', '')).lower()})"}
            articles = assistant.articles()
            counts = assistant.chunk_counts()
            problem = assistant.reload_problem
            shown = str(retriever.index.path)
        except IndexUnavailable as error:
            fields, articles, counts, problem, shown = None, [], {}, str(error), ""
        return {
            status: status_html(fields, problem, str(settings.data_dir), building),
            table: articles_table_html(articles, counts),
            to_remove: gr.update(choices=removal_choices(articles), value=None),
            confirm: False,
            trashed: gr.update(choices=trash_choices(assistant.trash()), value=None),
            shown_build: shown,
        }

    def after_change(report: str) -> dict:
        return {**index_panel(), log_box: report, uploads: None, examples: gr.update(samples=example_questions())}

    def guarded(work: Callable[[Progress], str]) -> Iterator[dict]:
        """Run an index change with live progress; every failure becomes a Persian message."""
        try:
            report = yield from _relabel(_stream_work(work), lambda item: {log_box: item})
        except BuildLocked:
            report = message_html(BUSY, "error")
        except LibraryError as error:
            report = message_html(error.problem.reason_persian, "error")
        except (BuildError, CorpusError):
            report = message_html("هیچ مقاله خوانایی در پوشه داده‌ها نیست؛ نمایه پیشین دست‌نخورده ماند.", "error")
        except IndexUnavailable as error:
            report = message_html(f"نمایه بارگذاری نشد: {error}", "error")
        yield after_change(report)

    # ---- chat -------------------------------------------------------------
    def ask(question: str, k: float, mode: str) -> str:
        """Answer a question about the articles; returns the JSON text of `qa ask --json`."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("پرسش خالی است.")
        # JSON text, not a JSON component: gradio_client would take the
        # citations' "path" keys for files and try to download them.
        return json.dumps(assistant.ask(question, k=int(k), mode=mode).to_dict(), ensure_ascii=False)

    def chat(question: str, saved: dict, k: float, mode: str):
        question = (question or "").strip()
        saved = saved or {}
        turns = list(saved.get("turns") or [])
        if not question:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            history = [Turn(t["question"], t.get("rewritten", ""), t.get("short_text", "")) for t in turns]
            answer = assistant.ask(question, history=history, k=int(k), mode=mode)
        except IndexUnavailable:
            turns.append({"question": question, "reply": NO_INDEX, "abstained": True})
            return "", chat_messages(turns), gr.skip(), {"turns": turns[-MAX_TURNS_KEPT:], "sources": saved.get("sources", "")}
        short = answer.short_answer
        turns.append({"question": question, "reply": answer.answer, "abstained": answer.abstained,
                      "short": f"{short.text} [{short.n}]" if short else "",
                      "rewritten": answer.retrieval_query, "short_text": short.text if short else "",
                      "note": answer.note or ""})
        sources_html = render_sources(answer, assistant.index.articles)
        return "", chat_messages(turns), sources_html, {"turns": turns[-MAX_TURNS_KEPT:], "sources": sources_html}

    def new_conversation():
        return [], render_sources(None, {}), {"turns": [], "sources": ""}, ""

    def remember_settings(k: float, mode: str):
        return {"k": int(k), "mode": mode}

    # ---- page load and refresh ----------------------------------------------
    def restore_page(saved_chat: dict, saved_settings: dict):
        """Page load, first step: the conversation and settings from browser
        storage, then the question box opens. The box stays closed until
        then: a question answered before this step ends would be wiped by it."""
        saved_chat = saved_chat or {}
        saved_settings = saved_settings or {}
        return {
            chatbot: chat_messages(saved_chat.get("turns") or []),
            sources: saved_chat.get("sources") or render_sources(None, {}),
            k: saved_settings.get("k", settings.k),
            mode: saved_settings.get("mode") if saved_settings.get("mode") in RETRIEVAL_MODES else settings.mode,
            box: gr.update(interactive=True),
        }

    def load(request: gr.Request):
        """Page load, second step: example questions and the index tab."""
        allowed = policy.may_change(username(request))
        values = {examples: gr.update(samples=example_questions())}
        if index_tab is not None:
            values[index_tab] = gr.update(visible=allowed)
            if allowed:
                values.update(index_panel())
        return values

    def refresh(shown: str, request: gr.Request):
        """Timer: notice an index built elsewhere (the CLI) and show it."""
        try:
            assistant.retriever()  # reloads when CURRENT points to a new build
        except IndexUnavailable:
            pass
        current = active_build(settings.index_dir)
        if index_tab is None or not policy.may_change(username(request)) or str(current or "") == shown:
            return {shown_build: gr.skip()}
        return {**index_panel(), examples: gr.update(samples=example_questions())}

    # ---- index tab -------------------------------------------------------------
    def rebuild(request: gr.Request):
        if not policy.may_change(username(request)):
            raise gr.Error(NOT_ALLOWED)
        yield from guarded(lambda progress: summary_html(assistant.build(progress=progress)))

    def add(files: list[str] | None, request: gr.Request):
        paths = [str(f) for f in (files or [])]
        try:
            if not policy.may_change(username(request)):
                raise gr.Error(NOT_ALLOWED)
            if not paths:
                yield after_change(message_html("فایلی انتخاب نشده است.", "error"))
                return

            def work(progress: Progress) -> str:
                result, summary = assistant.add_articles([(Path(p), Path(p).name) for p in paths], progress)
                return add_result_html(result) + (summary_html(summary) if summary else "")

            yield from guarded(work)
        finally:
            _remove_temporary(paths)

    def remove(path: str | None, confirmed: bool, request: gr.Request):
        if not policy.may_change(username(request)):
            raise gr.Error(NOT_ALLOWED)
        if not path:
            yield {log_box: message_html("مقاله‌ای برای حذف انتخاب نشده است.", "error")}
            return
        if not confirmed:
            yield {log_box: message_html("برای حذف، گزینه «تأیید حذف» را بزنید.", "error")}
            return

        def work(progress: Progress) -> str:
            trashed, summary = assistant.remove_article(path, progress)
            return (message_html(f"«{trashed.path}» به سطل بازیافت رفت؛ از فهرست «بازگرداندن» برمی‌گردد.")
                    + summary_html(summary))

        yield from guarded(work)

    def restore(entry: str | None, request: gr.Request):
        if not policy.may_change(username(request)):
            raise gr.Error(NOT_ALLOWED)
        if not entry:
            yield {log_box: message_html("فایلی برای بازگرداندن انتخاب نشده است.", "error")}
            return

        def work(progress: Progress) -> str:
            path, summary = assistant.restore_article(entry, progress)
            return message_html(f"«{path}» بازگردانده شد.") + summary_html(summary)

        yield from guarded(work)

    # ---- layout ------------------------------------------------------------------
    mode_choices = [(f"{label} — {hint}", name) for name, (label, hint) in MODE_LABELS.items()]
    index_tab = None
    with gr.Blocks(title="پرسش و پاسخ خبرهای فارسی", delete_cache=(600, 600)) as app:
        gr.Markdown("## پرسش و پاسخ خبرهای فارسی\nپرسش خود را درباره خبرها بنویسید؛ "
                    "هر جمله پاسخ با شماره منبعش [n] می‌آید و با زدن شماره، منبع نشان داده می‌شود.",
                    elem_classes=["rtl"])
        saved_chat = gr.BrowserState({"turns": [], "sources": ""}, storage_key="persian-news-qa-chat",
                                     secret=STORAGE_SECRET)
        saved_settings = gr.BrowserState({}, storage_key="persian-news-qa-settings", secret=STORAGE_SECRET)
        shown_build = gr.State("")
        with gr.Tabs():
            with gr.Tab("گفتگو", id="chat-tab"):
                with gr.Row(elem_id="chat-layout"):
                    with gr.Column(scale=3, elem_id="chat-column"):
                        # Answers are article sentences: escaped text, never markdown.
                        chatbot = gr.Chatbot(rtl=True, height=420, label="گفتگو", show_label=False, elem_id="chat",
                                             render_markdown=False, sanitize_html=True, feedback_options=None,
                                             buttons=[])
                        box = gr.Textbox(placeholder="پرسش خود را بنویسید و کلید اینتر یا «بپرس» را بزنید…", rtl=True,
                                         show_label=False, elem_id="question", lines=1, interactive=False)
                        with gr.Row(elem_id="chat-buttons"):
                            send = gr.Button("بپرس", variant="primary", elem_id="send")
                            clear_button = gr.Button("گفتگوی تازه", elem_id="clear")
                        examples = gr.Dataset(components=[box], samples=[], label="نمونه پرسش‌ها",
                                              elem_id="examples", type="values")
                        with gr.Accordion("تنظیمات", open=False, elem_id="settings"):
                            k = gr.Slider(1, 20, value=settings.k, step=1, label="تعداد بخش‌های بازیابی‌شده",
                                          info="پاسخ از میان این بخش‌ها برگزیده می‌شود", elem_id="k")
                            mode = gr.Radio(mode_choices, value=settings.mode, label="روش بازیابی",
                                            elem_id="mode")
                    with gr.Column(scale=2, elem_id="sources-column"):
                        sources = gr.HTML(render_sources(None, {}), elem_id="sources")
            if not settings.readonly:
                # Hidden until the page loads and the user is known to be allowed.
                with gr.Tab("نمایه", id="index-tab", visible=False, elem_classes=["rtl"]) as index_tab:
                    status = gr.HTML(elem_id="status")
                    rebuild_button = gr.Button("بازسازی نمایه", elem_id="rebuild")
                    log_box = gr.HTML(elem_id="build-log")
                    # The file picker offers only the supported types; a Latin list
                    # of suffixes in the label would be reordered by Gradio's LTR label.
                    uploads = gr.File(label="افزودن فایل مقاله",
                                      file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                    add_button = gr.Button("افزودن و به‌روزرسانی نمایه", elem_id="add")
                    table = gr.HTML(elem_id="articles")
                    with gr.Row():
                        to_remove = gr.Dropdown(choices=[], value=None, label="حذف مقاله (به سطل بازیافت)",
                                                elem_id="remove-choice")
                        confirm = gr.Checkbox(label="تأیید حذف", value=False, elem_id="confirm")
                        remove_button = gr.Button("حذف", variant="stop", elem_id="remove")
                    with gr.Row():
                        trashed = gr.Dropdown(choices=[], value=None, label="بازگرداندن از سطل بازیافت",
                                              elem_id="trash-choice")
                        restore_button = gr.Button("بازگرداندن", elem_id="restore")
        timer = gr.Timer(10)

        chat_inputs = [box, saved_chat, k, mode]
        chat_outputs = [box, chatbot, sources, saved_chat]
        box.submit(chat, chat_inputs, chat_outputs, api_name=False)
        send.click(chat, chat_inputs, chat_outputs, api_name=False)
        # The chatbot's own trash icon and the button both start afresh: the
        # next question must not lean on the old conversation.
        clear_button.click(new_conversation, None, [chatbot, sources, saved_chat, box], api_name=False)
        chatbot.clear(new_conversation, None, [chatbot, sources, saved_chat, box], api_name=False)
        examples.click(lambda sample: sample[0], examples, box, api_name=False)
        k.change(remember_settings, [k, mode], saved_settings, api_name=False, show_progress="hidden")
        mode.change(remember_settings, [k, mode], saved_settings, api_name=False, show_progress="hidden")

        page_outputs = [examples]
        panel_outputs: list = []
        if index_tab is not None:
            panel_outputs = [status, table, to_remove, confirm, trashed, shown_build]
            page_outputs += [index_tab, *panel_outputs]
            change_outputs = [*panel_outputs, log_box, uploads, examples]
            quiet = {"show_progress": "hidden"}
            rebuild_button.click(rebuild, None, change_outputs, api_name="rebuild", **quiet)
            add_button.click(add, [uploads], change_outputs, api_name=False, **quiet)
            remove_button.click(remove, [to_remove, confirm], change_outputs, api_name=False, **quiet)
            restore_button.click(restore, [trashed], change_outputs, api_name=False, **quiet)
        app.load(restore_page, [saved_chat, saved_settings], [chatbot, sources, k, mode, box], api_name=False,
                 show_progress="hidden").then(load, None, page_outputs, api_name=False, show_progress="hidden")
        timer.tick(refresh, [shown_build], [shown_build, *panel_outputs, examples], api_name=False,
                   show_progress="hidden")
        # The documented API endpoint: /ask (question, k, mode) -> answer JSON.
        api_question = gr.Textbox(visible=False)
        api_output = gr.Textbox(visible=False)
        api_question.submit(ask, [api_question, k, mode], api_output, api_name="ask")
    return app


def prepare(assistant: Assistant) -> None:
    """Make sure a usable index is loaded, building it (with progress on the
    console) when there is none or it was made by another embedder, and that
    the short-answer reader is loaded (prepared once on a first start), so
    the first question waits for neither."""
    try:
        assistant.reload()
    except IndexUnavailable as error:
        print(f"{error}\nBuilding the index of {assistant.settings.data_dir} now…", file=sys.stderr, flush=True)
        summary = assistant.build(progress=terminal_progress(True))
        print(summary.one_line(), file=sys.stderr, flush=True)
    assistant.prepare_short_answers()


def serve(settings: Settings, block: bool = True):
    """Start the web app (building the index first when needed).

    Args:
        settings: Host, port, logins, directories.
        block: Serve until interrupted; False serves from a thread and returns
            the ``uvicorn.Server`` (stop it with ``should_exit = True``).
    """
    import uvicorn
    from fastapi import FastAPI

    assistant = Assistant(settings)
    prepare(assistant)
    policy = AccessPolicy(settings)
    if policy.readers and not policy.admin and not settings.readonly:
        log.warning("QA_AUTH is set without QA_ADMIN: nobody can change the index from the page")
    blocks = build_app(assistant).queue(default_concurrency_limit=2)
    server_app = gr.mount_gradio_app(
        FastAPI(), blocks, path="/", auth=policy.logins(), show_error=True, css=CSS, theme=gr.themes.Soft(),
        max_file_size=settings.max_article_bytes, footer_links=[], ssr_mode=False,
    )
    server_app.add_middleware(PersianPage)
    # Open event streams (a browser tab, an API client's heartbeat) would hold
    # a graceful shutdown forever; they get a few seconds.
    server = uvicorn.Server(uvicorn.Config(server_app, host=settings.host, port=settings.port, log_level="warning",
                                           timeout_graceful_shutdown=5))
    print(f"Persian News QA: http://{settings.host}:{settings.port}/", file=sys.stderr, flush=True)
    if block:
        server.run()
        return server
    threading.Thread(target=server.run, daemon=True).start()
    return server
