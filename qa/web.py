"""The chat page (Gradio): formats what the :class:`~qa.assistant.Assistant` returns.

No retrieval logic lives here. Article text is always HTML-escaped before it
is shown, so an article holding ``<script>`` or markup is displayed as text.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Mapping

from .assistant import Assistant
from .config import RETRIEVAL_MODES, Settings
from .corpus import SUPPORTED_SUFFIXES, read_file
from .store import IndexUnavailable
from .types import Answer, Article


CSS = """
.gradio-container { direction: rtl; }
.rtl, .rtl * { direction: rtl; text-align: right; }
.rtl bdi[dir=ltr] { direction: ltr; unicode-bidi: isolate; }
body, .gradio-container, .gradio-container * {
  font-family: Vazirmatn, "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, "DejaVu Sans", sans-serif; }
.source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
.source.not-answer { opacity: .8; border-style: dashed; }
.source .meta { color: var(--body-text-color-subdued); font-size: .9em; unicode-bidi: plaintext; }
.source mark { background: #ffe58a; color: #000; padding: 0 2px; border-radius: 3px; }
.source .passage, .source .article { white-space: pre-wrap; line-height: 1.9; unicode-bidi: plaintext; }
.source .article { max-height: 24em; overflow: auto; font-size: .95em; }
.ltr-number { direction: ltr; unicode-bidi: isolate; }
#chat .message, #chat .message * { unicode-bidi: plaintext; }
"""
SAFE_NAME = re.compile(r"[^\w.\-\u0600-\u06FF\u200c]+")


def _highlighted_passage(citation) -> str:
    text = citation.text
    pieces, cursor = [], 0
    for span in sorted(citation.evidence, key=lambda s: s.start):
        start, end = span.start - citation.start, span.end - citation.start
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    return "".join(pieces)


def render_sources(answer: Answer | None, articles: Mapping[str, Article]) -> str:
    """Return the sources panel (HTML, every article string escaped).

    Args:
        answer: The answer to show sources for (None: the empty panel).
        articles: Articles by ``doc_id``, for the full text under each source.
    """
    if answer is None:
        return "<div class='rtl'><p>منابع پاسخ اینجا نشان داده می‌شوند.</p></div>"
    heading = ("نزدیک‌ترین بخش‌ها (پاسخ پرسش را در بر ندارند)" if answer.abstained else "منابع")
    parts = [f"<div class='rtl sources'><h3>{heading}</h3>"]
    for citation in answer.citations:
        # Each part isolated: a Latin file name or a date inside Persian text
        # would otherwise be reordered by the bidi algorithm ("txt_003").
        parts_meta = [f"<bdi>{html.escape(citation.source)}</bdi>"] if citation.source else []
        parts_meta += [f"<bdi dir='ltr'>{html.escape(part)}</bdi>" for part in (citation.date, citation.path) if part]
        meta = " · ".join(parts_meta)
        article = articles.get(citation.doc_id)
        classes = "source not-answer" if answer.abstained else "source"
        parts.append(
            f"<div class='{classes}' data-n='{citation.n}'>"
            f"<div><b>[{citation.n}] {html.escape(citation.title)}</b></div>"
            f"<div class='meta'>{meta}</div>"
            f"<div class='passage'>{_highlighted_passage(citation)}</div>"
        )
        if article is not None:
            parts.append(f"<details><summary>متن کامل خبر</summary><div class='article'>{html.escape(article.text)}</div></details>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def status_markdown(assistant: Assistant) -> str:
    """Return the index status for the index tab."""
    try:
        manifest = assistant.manifest()
    except IndexUnavailable as error:
        return f"**نمایه‌ای نیست.** {html.escape(str(error))}"
    return (
        f"- مقاله‌ها: **{manifest.articles}**\n- بخش‌ها: **{manifest.chunks}**\n"
        f"- مدل: `{manifest.embedder_id}`\n- زمان ساخت: `{manifest.built_at}`\n"
        f"- پوشه داده‌ها: `{assistant.settings.data_dir}`"
    )


def article_rows(assistant: Assistant) -> list[list]:
    """Rows of the indexed-articles table."""
    counts = assistant.chunk_counts()
    return [[a.title, a.source or "", a.date or "", a.path, counts.get(a.doc_id, 0)] for a in assistant.articles()]


def sanitize_name(name: str) -> str:
    """Return a safe file name for an uploaded article (no directories, no
    leading dot, only letters, digits, ``.-_`` and ZWNJ)."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = SAFE_NAME.sub("_", stem).strip("._") or "article"
    return stem[:100] + suffix


def save_uploads(paths: list[str], assistant: Assistant) -> tuple[list[str], list[str]]:
    """Check uploaded files and copy the good ones into the data directory.

    Returns:
        (saved file names, messages for rejected files).
    """
    settings = assistant.settings
    saved, rejected = [], []
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        source = Path(path)
        name = sanitize_name(source.name)
        suffix = Path(name).suffix
        if suffix not in SUPPORTED_SUFFIXES:
            rejected.append(f"{source.name}: نوع فایل پشتیبانی نمی‌شود ({suffix or 'بدون پسوند'}); "
                            f"مجاز: {' '.join(SUPPORTED_SUFFIXES)}")
            continue
        size = source.stat().st_size
        if size > settings.max_upload_bytes:
            rejected.append(f"{source.name}: حجم فایل ({size:,} بایت) بیش از حد مجاز ({settings.max_upload_bytes:,}) است")
            continue
        articles, problems = read_file(source, name, Path(name).stem)
        if not articles:
            reason = problems[0].reason if problems else "متنی یافت نشد"
            rejected.append(f"{source.name}: {reason}")
            continue
        target = settings.data_dir / name
        if target.exists():
            rejected.append(f"{source.name}: فایلی با نام {name} از قبل هست؛ جایگزین نشد. نام فایل را عوض کنید.")
            continue
        shutil.copyfile(source, target)
        saved.append(name)
    return saved, rejected


def build_app(assistant: Assistant):
    """Create the Gradio Blocks app around an assistant."""
    import gradio as gr

    def progress_callback(progress):
        def report(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=stage)
        return report

    def ask(question: str, k: float, mode: str) -> str:
        """Answer a question about the articles; returns the JSON text of `qa ask --json`."""
        question = (question or "").strip()
        if not question:
            raise gr.Error("پرسش خالی است.")
        # JSON text, not a JSON component: gradio_client would take the
        # citations' "path" keys for files and try to download them.
        return json.dumps(assistant.ask(question, k=int(k), mode=mode).to_dict(), ensure_ascii=False)

    def chat(question, messages, questions, k, mode):
        question = (question or "").strip()
        if not question:
            return "", messages, questions, gr.update()
        answer = assistant.ask(question, history=questions, k=int(k), mode=mode)
        reply = answer.answer
        if answer.abstained:
            reply = "⚠️ " + reply
        # The chatbot renders HTML even without markdown: escape article and user text.
        messages = messages + [{"role": "user", "content": html.escape(question)},
                               {"role": "assistant", "content": html.escape(reply)}]
        return "", messages, questions + [question], render_sources(answer, assistant.index.articles)

    def clear():
        return [], [], render_sources(None, {}), ""

    def rebuild(progress=gr.Progress()):
        summary = assistant.build(progress=progress_callback(progress))
        return status_markdown(assistant), article_rows(assistant), summary.one_line(), _choices()

    def upload(files, progress=gr.Progress()):
        if not files:
            return status_markdown(assistant), article_rows(assistant), "فایلی انتخاب نشده است.", _choices()
        saved, rejected = save_uploads([getattr(f, "name", f) for f in files], assistant)
        lines = [f"✔ {name}" for name in saved] + [f"✘ {message}" for message in rejected]
        if saved:
            summary = assistant.build(progress=progress_callback(progress))
            lines.append(summary.one_line())
        return status_markdown(assistant), article_rows(assistant), "\n".join(lines), _choices()

    def remove(path, confirmed, progress=gr.Progress()):
        if not path:
            return status_markdown(assistant), article_rows(assistant), "مقاله‌ای انتخاب نشده است.", _choices(), False
        if not confirmed:
            return (status_markdown(assistant), article_rows(assistant),
                    "برای حذف، گزینه «تأیید حذف» را بزنید.", _choices(), False)
        data_dir = assistant.settings.data_dir.resolve()
        target = (data_dir / path).resolve()
        if data_dir not in target.parents or not target.is_file():
            return status_markdown(assistant), article_rows(assistant), f"فایل {path} یافت نشد.", _choices(), False
        target.unlink()
        summary = assistant.build(progress=progress_callback(progress))
        return (status_markdown(assistant), article_rows(assistant), f"{path} حذف شد. {summary.one_line()}",
                _choices(), False)

    def _choices():
        return gr.update(choices=sorted({a.path for a in assistant.articles()}), value=None)

    examples = [f"{article.title}؟" for article in assistant.articles()
                if 10 < len(article.title) < 80 and not article.title.endswith("…")][:4]
    examples = examples + ["پزشکیان کی وارد مسکو شد؟", "اجلاس بریکس در کجا برگزار شد؟"]

    with gr.Blocks(title="پرسش و پاسخ خبرهای فارسی") as app:
        gr.Markdown("## پرسش و پاسخ خبرهای فارسی\nپرسش خود را درباره خبرها بنویسید؛ هر جمله پاسخ با شماره منبعش [n] می‌آید.",
                    elem_classes=["rtl"])
        questions = gr.State([])
        with gr.Tab("گفتگو"):
            with gr.Row():
                with gr.Column(scale=3):
                    # Answers are article sentences: plain text, never markdown or HTML.
                    chatbot = gr.Chatbot(rtl=True, height=420, label="گفتگو", elem_id="chat", render_markdown=False,
                                         sanitize_html=True)
                    box = gr.Textbox(placeholder="پرسش خود را بنویسید و Enter بزنید…", rtl=True, show_label=False,
                                     elem_id="question", lines=1)
                    with gr.Row():
                        send = gr.Button("بپرس", variant="primary", elem_id="send")
                        clear_button = gr.Button("گفتگوی تازه", elem_id="clear")
                    gr.Examples(examples=[[e] for e in examples], inputs=[box], label="نمونه پرسش‌ها")
                    with gr.Accordion("تنظیمات", open=False):
                        k = gr.Slider(1, 20, value=assistant.settings.k, step=1, label="تعداد بخش‌های بازیابی‌شده")
                        mode = gr.Radio(list(RETRIEVAL_MODES), value=assistant.settings.mode, label="روش بازیابی")
                with gr.Column(scale=2):
                    sources = gr.HTML(render_sources(None, {}), elem_id="sources")
        with gr.Tab("نمایه", elem_classes=["rtl"]):
            status = gr.Markdown(status_markdown(assistant), elem_id="status")
            rebuild_button = gr.Button("بازسازی نمایه", elem_id="rebuild")
            log_box = gr.Textbox(label="گزارش", lines=4, interactive=False, elem_id="build-log", rtl=True)
            uploads = gr.File(label="افزودن مقاله (txt, md, json, jsonl, html)", file_count="multiple",
                              file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
            add_button = gr.Button("افزودن و به‌روزرسانی نمایه", elem_id="add")
            table = gr.Dataframe(article_rows(assistant), headers=["عنوان", "خبرگزاری", "تاریخ", "فایل", "بخش‌ها"],
                                 interactive=False, label="مقاله‌های نمایه", elem_id="articles")
            with gr.Row():
                to_remove = gr.Dropdown(choices=sorted({a.path for a in assistant.articles()}), label="حذف مقاله")
                confirm = gr.Checkbox(label="تأیید حذف", value=False)
                remove_button = gr.Button("حذف", variant="stop")

        chat_inputs = [box, chatbot, questions, k, mode]
        chat_outputs = [box, chatbot, questions, sources]
        box.submit(chat, chat_inputs, chat_outputs, api_name=False)
        send.click(chat, chat_inputs, chat_outputs, api_name=False)
        clear_button.click(clear, None, [chatbot, questions, sources, box], api_name=False)
        rebuild_button.click(rebuild, None, [status, table, log_box, to_remove], api_name="rebuild")
        add_button.click(upload, [uploads], [status, table, log_box, to_remove], api_name=False)
        remove_button.click(remove, [to_remove, confirm], [status, table, log_box, to_remove, confirm], api_name=False)
        # The documented API endpoint: /ask (question, k, mode) -> answer JSON.
        api_question = gr.Textbox(visible=False)
        api_output = gr.Textbox(visible=False)
        api_question.submit(ask, [api_question, k, mode], api_output, api_name="ask")
    return app


def prepare(assistant: Assistant) -> None:
    """Make sure a usable index is loaded, building it (with progress on the
    console) when there is none or it was made by another embedder."""
    try:
        assistant.reload()
        return
    except IndexUnavailable as error:
        print(f"{error}\nBuilding the index of {assistant.settings.data_dir} now…", file=sys.stderr, flush=True)
    from .cli import _progress_bar

    summary = assistant.build(progress=_progress_bar(True))
    print(summary.one_line(), file=sys.stderr, flush=True)


def serve(settings: Settings, block: bool = True):
    """Start the web app (building the index first when needed).

    Args:
        settings: Host, port, auth, directories.
        block: Wait until interrupted (False returns the running app, for tests).
    """
    assistant = Assistant(settings)
    prepare(assistant)
    app = build_app(assistant)
    auth = None
    if settings.auth:
        user, _, password = settings.auth.partition(":")
        if not password:
            raise ValueError("QA_AUTH must be user:password")
        auth = (user, password)
    import gradio as gr

    app.queue(default_concurrency_limit=2).launch(
        server_name=settings.host, server_port=settings.port, auth=auth, show_error=True,
        prevent_thread_lock=not block, quiet=False, css=CSS, theme=gr.themes.Soft(),
    )
    return app
