"""What the page shows: Persian text, Latin pieces isolated, markup escaped."""

import re

import pytest

from qa.library import AddResult, TrashedFile
from qa.progress import Pace, StageClock, stage_unit
from qa.rendering import (
    add_result_html, articles_table_html, chat_messages, persian_duration, persian_number, progress_html, removal_choices,
    render_reply, render_sources, status_html, summary_html, trash_choices,
)
from qa.types import Answer, Article, BuildSummary, Citation, ShortAnswer, SkippedFile, Span

ISOLATED = re.compile(r"<bdi dir='ltr'>.*?</bdi>|\u2068.*?\u2069", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def visible_latin_words(html_text: str) -> list[str]:
    """Latin words a reader would see outside isolated file names and dates."""
    import html

    return re.findall(r"[A-Za-z]{2,}", html.unescape(TAG.sub(" ", ISOLATED.sub(" ", html_text))))


@pytest.mark.parametrize("value, decimals, expected", [
    (0, 0, "۰"), (1234, 0, "۱٬۲۳۴"), (3.25, 1, "۳٫۲"), (12.0, 1, "۱۲٫۰"),
])
def test_persian_number(value, decimals, expected):
    assert persian_number(value, decimals) == expected


def test_build_summary_is_persian_with_isolated_file_names():
    summary = BuildSummary(
        articles=11, chunks=40, embedded=3, reused=37, added=1, changed=0, removed=2,
        skipped=(SkippedFile("000_579d1ee50203db0a.txt", "binary"),
                 SkippedFile("big.txt", "too_large", {"size": 60_000_000, "limit": 5_000_000})),
        seconds=2.5, index_dir="index", warnings=(SkippedFile("old.txt", "replaced_bytes", {"count": 3}),))
    text = summary_html(summary)
    assert "۱۱ مقاله" in text and "۴۰ بخش" in text and "۲٫۵ ثانیه" in text
    assert "<bdi dir='ltr'>000_579d1ee50203db0a.txt</bdi>" in text
    assert visible_latin_words(text) == ["UTF"]  # the encoding's name, in "UTF-8"
    assert "articles" not in text and "embedded" not in text


def test_progress_and_status_are_persian():
    for stage in ("reading articles", "chunking", "embedding passages", "embedding sentences", "writing index"):
        line = progress_html(stage, 12, 29)
        assert visible_latin_words(line) == [] and "۱۲ از ۲۹" in line
    line = progress_html("embedding passages", 1200, 36000, Pace(2400.0, 14.5))
    assert visible_latin_words(line) == []
    assert "۱٬۲۰۰ از ۳۶٬۰۰۰ توکن" in line and "۲٬۴۰۰ توکن در ثانیه" in line and "حدود ۱۴ ثانیه مانده" in line
    assert "در ثانیه" not in progress_html("embedding passages", 0, 36000, Pace())
    status = status_html({"articles": 11, "chunks": 40, "embedder": "e5-small", "built_at": "2026-11-23T15:00",
                          "vectors": "milvus (hnsw)"}, None, "data", building=True)
    assert visible_latin_words(status) == [] and "۱۱" in status and "در حال ساخته" in status
    assert "ذخیره بردارها" in status and "<bdi dir='ltr'>milvus (hnsw)</bdi>" in status
    assert visible_latin_words(status_html(None, "No index in index.", "data", False)) == []


@pytest.mark.parametrize("seconds, expected", [
    (0, "۰ ثانیه"), (44.6, "۴۵ ثانیه"), (59.4, "۵۹ ثانیه"), (61, "۱ دقیقه"), (179, "۳ دقیقه"),
    (3600, "۱ ساعت"), (4200, "۱ ساعت و ۱۰ دقیقه"), (-5, "۰ ثانیه"),
])
def test_persian_duration(seconds, expected):
    assert persian_duration(seconds) == expected


def test_stage_clock_measures_rate_and_time_left():
    now = [100.0]
    clock = StageClock(lambda: now[0])
    assert clock.update("embedding passages", 0, 10_000) == Pace()
    now[0] += 0.2
    assert clock.update("embedding passages", 400, 10_000) == Pace()  # too early to tell
    now[0] += 1.8
    assert clock.update("embedding passages", 4_000, 10_000) == Pace(2_000.0, 3.0)
    now[0] += 1.0
    assert clock.update("embedding sentences", 0, 500) == Pace()  # a new stage restarts the clock
    assert stage_unit("embedding sentences") == "token" and stage_unit("chunking") == "text"


def test_tables_and_choices_name_articles_by_title_and_file():
    articles = [Article("a", "a.jsonl", "خبر نخست", "متن"), Article("b", "a.jsonl", "خبر دوم", "متن"),
                Article("c", "000_x.txt", "<b>تیتر</b>", "متن", source="ایرنا", date="2025-01-17")]
    assert removal_choices(articles) == [("<b>تیتر</b> — \u2068000_x.txt\u2069", "000_x.txt"),
                                         ("خبر نخست و ۱ خبر دیگر — \u2068a.jsonl\u2069", "a.jsonl")]
    table = articles_table_html(articles, {"a": 2, "c": 7})
    assert "&lt;b&gt;تیتر&lt;/b&gt;" in table and "<b>تیتر" not in table
    assert visible_latin_words(table) == [] and "۷" in table
    assert trash_choices([TrashedFile("20261123-150000-1/a.txt", "a.txt", "2026-11-23 15:00:00")]) == [
        ("\u2068a.txt\u2069 — حذف‌شده در \u20682026-11-23 15:00:00\u2069", "20261123-150000-1/a.txt")]
    report = add_result_html(AddResult(("new.txt",), (SkippedFile("x.exe", "unsupported_type", {"suffix": ".exe"}),)))
    assert "✔" in report and "✘" in report and "پشتیبانی نمی‌شود" in report


def test_reply_markers_become_buttons_only_in_the_last_answer():
    assert render_reply("<b>جمله</b> [1] جمله دیگر [2]", clickable=False) == "&lt;b&gt;جمله&lt;/b&gt; [1] جمله دیگر [2]"
    clickable = render_reply("جمله [1] و [12]", clickable=True)
    assert clickable.count("class='cite'") == 2 and ">[12]</span>" in clickable
    messages = chat_messages([{"question": "<i>q1</i>", "reply": "الف [1]", "abstained": False},
                              {"question": "q2", "reply": "ب [1]", "abstained": True}])
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[0]["content"] == "&lt;i&gt;q1&lt;/i&gt;"
    assert "cite" not in messages[1]["content"] and "cite" in messages[3]["content"]
    assert messages[3]["content"].startswith("⚠️")


def test_short_answer_comes_first_in_bold_and_is_marked_in_its_source():
    reply = render_reply("متن جمله‌ای که <پاسخ> دارد [2]", clickable=True, short="<کاظم> جلالی [2]")
    assert reply.startswith("<p class='short-answer'><strong>&lt;کاظم&gt; جلالی</strong>")
    assert reply.count("class='cite'") == 2 and "&lt;پاسخ&gt;" in reply
    messages = chat_messages([{"question": "q", "reply": "جمله [1]", "abstained": False, "short": "۲۸ دی [1]"},
                              {"question": "q2", "reply": "جمله [1]", "abstained": False}])  # saved before short answers
    assert "<strong>۲۸ دی</strong>" in messages[1]["content"] and "strong" not in messages[3]["content"]

    text = "پزشکیان روز جمعه ۲۸ دی به مسکو رفت. جمله دیگر."
    citation = Citation(1, "d", "d.txt", "t", None, None, "c", text, 100, 100 + len(text), 1.0, (Span(100, 135),))
    short = ShortAnswer("جمعه ۲۸ دی", 1, 100 + text.index("جمعه"), 100 + text.index(" به"))
    html_out = render_sources(Answer("q", "a [1]", False, (citation,), short_answer=short), {})
    assert "<mark>پزشکیان روز <strong class='short-answer'>جمعه ۲۸ دی</strong> به مسکو رفت.</mark>" in html_out
    other = ShortAnswer("جمعه ۲۸ دی", 2, short.start, short.end)  # in another citation: not marked here
    assert "short-answer" not in render_sources(Answer("q", "a [1]", False, (citation,), short_answer=other), {})


@pytest.mark.parametrize("rewritten, expected", [
    # an English rewrite runs left to right, the Persian name inside it too
    ("What did کاظم جلالی say about <the> agreement?",
     "<bdi dir='ltr'>What did کاظم جلالی say about &lt;the&gt; agreement?</bdi>"),
    ("کاظم جلالی درباره توافقنامه چه گفت؟", "<bdi>کاظم جلالی درباره توافقنامه چه گفت؟</bdi>"),
    ("ماذا قال جلالي؟", "<bdi>ماذا قال جلالي؟</bdi>"),
])
def test_the_rewritten_question_keeps_its_own_direction(rewritten, expected):
    html_out = render_sources(Answer("q", "a", False, (), rewritten), {})
    assert f"<p class='rewritten'>پرسش با توجه به گفتگو: {expected}</p>" in html_out


def test_sources_escape_markup_and_anchor_each_card():
    citation = Citation(1, "d", "d.txt", "<b>t</b>", None, None, "c", "<script>alert(1)</script> متن", 0, 34, 1.0,
                        (Span(0, 25),))
    article = Article("d", "d.txt", "<b>t</b>", "<img src=x onerror=alert(1)> متن کامل")
    html_out = render_sources(Answer("q", "a [1]", False, (citation,)), {"d": article})
    assert "<script>" not in html_out and "&lt;script&gt;" in html_out and "<mark>" in html_out
    assert "<img" not in html_out and "&lt;img" in html_out and "<b>t</b>" not in html_out
    assert "id='source-1'" in html_out


@pytest.mark.parametrize("auth, admin, readonly, user, allowed", [
    (None, None, False, None, True),                 # local, no login: the one user
    ("reader:pw", None, False, "reader", False),     # readers only: nobody changes the index
    ("reader:pw", "admin:secret", False, "reader", False),
    ("reader:pw", "admin:secret", False, "admin", True),
    (None, "admin:secret", False, "admin", True),
    (None, None, True, None, False),                 # read-only
    ("reader:pw", "admin:secret", True, "admin", False),
])
def test_access_policy(auth, admin, readonly, user, allowed):
    from qa.config import Settings
    from qa.web import AccessPolicy

    assert AccessPolicy(Settings(auth=auth, admin=admin, readonly=readonly)).may_change(user) is allowed


@pytest.mark.parametrize("environ, field, expected", [
    ({"QA_ADMIN": "root:pw"}, "admin", "root:pw"),
    ({"QA_READONLY": "1"}, "readonly", True),
    ({"QA_READONLY": "0"}, "readonly", False),
    ({"QA_MAX_ARTICLE_MB": "2.5"}, "max_article_bytes", 2_500_000),
])
def test_settings_from_environment(environ, field, expected):
    from qa.config import Settings

    assert getattr(Settings.from_env(environ), field) == expected


@pytest.mark.parametrize("environ, message", [
    ({"QA_ADMIN": "root"}, "QA_ADMIN must be user:password"),
    ({"QA_READONLY": "maybe"}, "flag"),
    ({"QA_MAX_ARTICLE_MB": "-1"}, "megabytes"),
])
def test_bad_settings_are_clear_errors(environ, message):
    from qa.config import Settings

    with pytest.raises(ValueError, match=message):
        Settings.from_env(environ)


def test_bare_settings_keep_the_model_out_of_the_working_directory(monkeypatch, tmp_path):
    # A bare Settings() (a bench script's) once materialized the bundled
    # model into the checkout: its cache is the user's, as from_env's is.
    from qa.config import Settings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().model_cache == tmp_path / "persian-news-qa" / "models"
    assert Settings().model_cache == Settings.from_env({"XDG_CACHE_HOME": str(tmp_path)}).model_cache
