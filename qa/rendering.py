"""What the chat page shows, as HTML: sources, chat replies, index status,
article table, build reports and progress, all in Persian.

Pure functions of typed values (no Gradio here), so every one is tested
directly. Article and user text is always HTML-escaped: an article holding
``<script>`` is shown as text. Latin-script pieces inside a Persian line
(file names, dates, model names) are wrapped in ``<bdi dir="ltr">`` so the
bidi algorithm cannot reorder them ("txt_000"), and counts are written in
Persian digits, which stay in place in a right-to-left line.
"""

from __future__ import annotations

import html
import re
from typing import Iterable, Mapping, Sequence

from .library import AddResult, TrashedFile
from .progress import Pace, stage_unit
from .types import Answer, Article, BuildSummary, ShortAnswer, SkippedFile

_PERSIAN_DIGITS = str.maketrans("0123456789.,", "۰۱۲۳۴۵۶۷۸۹٫٬")
_MARKER = re.compile(r"\[(\d+)\]")

# Build stages as qa.indexing reports them -> what the page says.
STAGES = {
    "reading articles": "خواندن مقاله‌ها",
    "chunking": "بخش‌بندی مقاله‌ها",
    "embedding passages": "بردارسازی بخش‌ها",
    "embedding sentences": "بردارسازی جمله‌ها",
    "writing index": "نوشتن نمایه",
}

MODE_LABELS = {
    "hybrid": ("ترکیبی", "معنا و واژه‌ها با هم؛ بهترین برای بیشتر پرسش‌ها"),
    "dense": ("معنایی", "جست‌وجو بر پایه معنا، حتی با واژه‌های دیگر"),
    "lexical": ("واژه‌ای", "جست‌وجوی همان واژه‌های پرسش در متن"),
}


def persian_number(value: int | float, decimals: int = 0) -> str:
    """Write a number in Persian digits with Persian separators (``۱٬۲۳۴٫۵``)."""
    text = f"{value:,.{decimals}f}" if decimals else f"{int(value):,}"
    return text.translate(_PERSIAN_DIGITS)


def ltr(text: str) -> str:
    """Escape a left-to-right piece (file name, date) and isolate it from the bidi reordering."""
    return f"<bdi dir='ltr'>{html.escape(text)}</bdi>"


def _own_direction(text: str) -> str:
    """Escape a question and set it in the direction of its first letter: an
    English follow-up rewritten with a Persian name ("What did کاظم جلالی
    say ...?") read in the panel's right-to-left order came out as
    "... Iran's ambassador to کاظم جلالی What did"."""
    first = next((character for character in text if character.isalpha()), "")
    return ltr(text) if first.isascii() and first else f"<bdi>{html.escape(text)}</bdi>"


def _marked(text: str, offset: int, short: ShortAnswer | None) -> str:
    """Escape ``text`` (which starts at ``offset`` in the article), the short
    answer inside it in ``<strong class='short-answer'>``."""
    if short is None or short.start < offset or short.end > offset + len(text):
        return html.escape(text)
    start, end = short.start - offset, short.end - offset
    return (html.escape(text[:start]) + f"<strong class='short-answer'>{html.escape(text[start:end])}</strong>"
            + html.escape(text[end:]))


def _highlighted_passage(citation, short: ShortAnswer | None = None) -> str:
    """The passage with its evidence sentences in ``<mark>`` and the short
    answer (when it is in this citation) marked more strongly inside."""
    short = short if short is not None and short.n == citation.n else None
    text = citation.text
    pieces, cursor = [], 0
    for span in sorted(citation.evidence, key=lambda s: s.start):
        start, end = span.start - citation.start, span.end - citation.start
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{_marked(text[start:end], span.start, short)}</mark>")
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    return "".join(pieces)


def render_sources(answer: Answer | None, articles: Mapping[str, Article]) -> str:
    """Return the sources panel (HTML, every article string escaped).

    Args:
        answer: The answer to show sources for (None: the empty panel).
        articles: Articles by ``doc_id``, for the full text under each source.

    Returns:
        One card per citation (``id="source-n"``), evidence in ``<mark>``.
    """
    if answer is None:
        return "<div class='rtl sources'><p>منابع پاسخ اینجا نشان داده می‌شوند.</p></div>"
    heading = "نزدیک‌ترین بخش‌ها (پاسخ پرسش را در بر ندارند)" if answer.abstained else "منابع"
    parts = [f"<div class='rtl sources'><h3>{heading}</h3>"]
    if answer.rewritten_question:
        parts.append(f"<p class='rewritten'>پرسش با توجه به گفتگو: {_own_direction(answer.rewritten_question)}</p>")
    for citation in answer.citations:
        meta_parts = [f"<bdi>{html.escape(citation.source)}</bdi>"] if citation.source else []
        meta_parts += [ltr(part) for part in (citation.date, citation.path) if part]
        article = articles.get(citation.doc_id)
        classes = "source not-answer" if answer.abstained else "source"
        parts.append(
            f"<div class='{classes}' id='source-{citation.n}' data-n='{citation.n}'>"
            f"<div><b>[{citation.n}] {html.escape(citation.title)}</b></div>"
            f"<div class='meta'>{' · '.join(meta_parts)}</div>"
            f"<div class='passage'>{_highlighted_passage(citation, answer.short_answer)}</div>"
        )
        if article is not None:
            parts.append("<details><summary>متن کامل خبر</summary>"
                         f"<div class='article'>{html.escape(article.text)}</div></details>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def render_reply(text: str, clickable: bool, short: str = "", note: str = "") -> str:
    """Return an assistant message for the chat: the short answer first in
    bold (when there is one), then the sentences; text escaped, each marker
    ``[n]`` a button that scrolls to source ``n`` (when ``clickable``).

    Args:
        text: The answer's sentences with their markers.
        clickable: Make the markers buttons (the latest answer only).
        short: The short answer with its marker (``"کاظم جلالی [2]"``), or "".
        note: A line for a question asked in another language (in that
            language, set in its own direction), or "".
    """
    escaped = html.escape(text)
    if short:
        words, _, marker = short.rpartition(" ")
        escaped = f"<p class='short-answer'><strong>{html.escape(words)}</strong> {html.escape(marker)}</p>" \
                  f"<p>{escaped}</p>"
    if note:
        escaped = f"<p class='note' dir='auto'>{html.escape(note)}</p>" + escaped
    if not clickable:
        return escaped
    return _MARKER.sub(
        lambda m: f"<span class='cite' role='button' tabindex='0' title='نمایش منبع {m.group(1)}'>"
                  f"[{m.group(1)}]</span>", escaped)


def chat_messages(turns: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    """Return the chatbot's messages for a conversation.

    Args:
        turns: ``{"question", "reply", "abstained"}`` per turn, oldest first.

    Returns:
        User and assistant messages; only the last reply's markers are
        clickable, since the sources panel holds the last answer's sources.
    """
    messages = []
    for number, turn in enumerate(turns):
        reply = str(turn["reply"])
        if turn.get("abstained"):
            reply = "⚠️ " + reply
        messages.append({"role": "user", "content": html.escape(str(turn["question"]))})
        messages.append({"role": "assistant",
                         "content": render_reply(reply, number == len(turns) - 1, str(turn.get("short") or ""),
                                                 str(turn.get("note") or ""))})
    return messages


def _skipped_lines(items: Iterable[SkippedFile], mark: str) -> list[str]:
    return [f"<li>{mark} {ltr(item.path)}: {html.escape(item.reason_persian)}</li>" for item in items]


def summary_html(summary: BuildSummary) -> str:
    """Return a build summary in Persian."""
    if summary.up_to_date:
        head = f"نمایه به‌روز بود: {persian_number(summary.articles)} مقاله، {persian_number(summary.chunks)} بخش."
    else:
        head = (f"نمایه ساخته شد: {persian_number(summary.articles)} مقاله، {persian_number(summary.chunks)} بخش؛ "
                f"{persian_number(summary.embedded)} بخش تازه بردارسازی شد و {persian_number(summary.reused)} "
                f"بخش از پیش بود؛ {persian_number(summary.added)} افزوده، {persian_number(summary.changed)} "
                f"تغییرکرده، {persian_number(summary.removed)} حذف‌شده؛ "
                f"در {persian_number(summary.seconds, 1)} ثانیه.")
    lines = _skipped_lines(summary.skipped, "کنار گذاشته شد:") + _skipped_lines(summary.warnings, "هشدار:")
    listing = f"<ul>{''.join(lines)}</ul>" if lines else ""
    return f"<div class='rtl report'><p>{head}</p>{listing}</div>"


def add_result_html(result: AddResult) -> str:
    """Return the per-file outcome of an upload, in Persian."""
    lines = [f"<li>✔ {ltr(name)} افزوده شد</li>" for name in result.saved]
    lines += [f"<li>✘ {ltr(item.path)}: {html.escape(item.reason_persian)}</li>" for item in result.rejected]
    return f"<ul class='rtl report'>{''.join(lines)}</ul>" if lines else ""


def message_html(text: str, kind: str = "info") -> str:
    """Return a one-line message (``info``, ``error``) for the index tab's report box."""
    return f"<div class='rtl report {kind}'><p>{html.escape(text)}</p></div>"


def persian_duration(seconds: float) -> str:
    """Write a duration for people: «۴۵ ثانیه», «۳ دقیقه», «۱ ساعت و ۱۰ دقیقه»."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{persian_number(seconds)} ثانیه"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{persian_number(minutes)} دقیقه"
    hours, minutes = divmod(minutes, 60)
    return f"{persian_number(hours)} ساعت" + (f" و {persian_number(minutes)} دقیقه" if minutes else "")


def progress_html(stage: str, done: int, total: int, pace: Pace | None = None) -> str:
    """Return the build progress line: stage in Persian, counts, speed, time left, a bar.

    Args:
        stage: Stage name (``embedding passages``).
        done: Units done (tokens for the embedding stages, see ``qa.progress``).
        total: Units in the stage.
        pace: Rate and time left, once measurable.
    """
    name = STAGES.get(stage, stage)
    fraction = min(1.0, done / total) if total else 0.0
    unit = " توکن" if stage_unit(stage) == "token" else ""
    counts = f" {persian_number(done)} از {persian_number(total)}{unit}" if total > 1 else ""
    speed = ""
    if pace is not None and pace.per_second is not None:
        per_second = "توکن" if stage_unit(stage) == "token" else "مورد"
        speed = f" · {persian_number(pace.per_second)} {per_second} در ثانیه"
        if pace.seconds_left is not None:
            speed += f" · حدود {persian_duration(pace.seconds_left)} مانده"
    return (f"<div class='rtl report progress'><p>در حال ساخت نمایه: {html.escape(name)}{counts} "
            f"({persian_number(round(fraction * 100))}٪){speed}</p>"
            f"<progress max='100' value='{round(fraction * 100)}'></progress></div>")


def status_html(manifest_fields: Mapping[str, object] | None, problem: str | None, data_dir: str,
                building: bool) -> str:
    """Return the index status panel.

    Args:
        manifest_fields: ``articles``, ``chunks``, ``embedder``, ``built_at``
            (and ``vectors``: the vector store and index kind) of the index in
            use; None when there is none.
        problem: Why there is no usable index, or why a newer one is not used.
        data_dir: The data directory.
        building: A build is running now.
    """
    rows = []
    if manifest_fields is None:
        rows.append("<li><b>نمایه‌ای آماده نیست.</b></li>")
    else:
        rows.append(f"<li>مقاله‌ها: <b>{persian_number(int(manifest_fields['articles']))}</b></li>")
        rows.append(f"<li>بخش‌ها: <b>{persian_number(int(manifest_fields['chunks']))}</b></li>")
        rows.append(f"<li>مدل: {ltr(str(manifest_fields['embedder']))}</li>")
        if manifest_fields.get("vectors"):
            rows.append(f"<li>ذخیره بردارها: {ltr(str(manifest_fields['vectors']))}</li>")
        rows.append(f"<li>زمان ساخت: {ltr(str(manifest_fields['built_at']))}</li>")
    rows.append(f"<li>پوشه داده‌ها: {ltr(data_dir)}</li>")
    if building:
        rows.append("<li class='busy'>نمایه در حال ساخته شدن است…</li>")
    if problem:
        rows.append(f"<li class='error'>نمایه تازه بارگذاری نشد: {ltr(problem)}</li>")
    return f"<ul class='rtl status'>{''.join(rows)}</ul>"


def articles_table_html(articles: Sequence[Article], chunk_counts: Mapping[str, int]) -> str:
    """Return the table of indexed articles (title, agency, date, file, passages)."""
    if not articles:
        return "<p class='rtl'>مقاله‌ای در نمایه نیست.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(article.title)}</td><td>{html.escape(article.source or '')}</td>"
        f"<td>{ltr(article.date or '')}</td><td>{ltr(article.path)}</td>"
        f"<td>{persian_number(chunk_counts.get(article.doc_id, 0))}</td></tr>"
        for article in articles
    )
    return ("<table class='rtl articles'><thead><tr><th>عنوان</th><th>خبرگزاری</th><th>تاریخ</th><th>فایل</th>"
            f"<th>بخش‌ها</th></tr></thead><tbody>{rows}</tbody></table>")


def removal_choices(articles: Sequence[Article]) -> list[tuple[str, str]]:
    """Return ``(label, file path)`` choices for the remove list: one per
    file, named by title and file (a JSON Lines file holds several articles)."""
    by_path: dict[str, list[Article]] = {}
    for article in articles:
        by_path.setdefault(article.path, []).append(article)
    choices = []
    for path, group in sorted(by_path.items()):
        more = f" و {persian_number(len(group) - 1)} خبر دیگر" if len(group) > 1 else ""
        # U+2068/U+2069 isolate the file name inside the plain-text label.
        choices.append((f"{group[0].title}{more} — \u2068{path}\u2069", path))
    return choices


def trash_choices(items: Sequence[TrashedFile]) -> list[tuple[str, str]]:
    """Return ``(label, trash entry)`` choices for the restore list."""
    return [(f"\u2068{item.path}\u2069 — حذف‌شده در \u2068{item.removed_at}\u2069", item.entry) for item in items]
