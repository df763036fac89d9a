"""The chat app: the API through gradio_client, and a real browser (Debian chromium)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import DATA, ROOT

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def running_app(tmp_path_factory, seed_assistant):
    """The real app (python app.py) on a free local port, over a copy of the articles."""
    base = tmp_path_factory.mktemp("app")
    data = base / "data"
    shutil.copytree(DATA, data)
    shutil.copytree(seed_assistant.settings.index_dir, base / "index")
    port = free_port()
    env = dict(os.environ, QA_DATA_DIR=str(data), QA_INDEX_DIR=str(base / "index"), PYTHONPATH=str(ROOT))
    log = (base / "app.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    import urllib.request

    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((base / "app.log").read_text())
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("app did not start: " + (base / "app.log").read_text())
    yield url, data
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.model
def test_api_answers_with_citations(running_app):
    from gradio_client import Client

    url, _ = running_app
    client = Client(url, verbose=False)
    answer = json.loads(client.predict("پوتین پزشکیان را برای شرکت در کدام اجلاس دعوت کرد؟", 5, "hybrid",
                                       api_name="/ask"))
    assert not answer["abstained"] and "[1]" in answer["answer"] and "بریکس" in answer["answer"]
    assert any(c["doc_id"] == "002_a40e68d11fea7ede" for c in answer["citations"])
    unknown = json.loads(client.predict("بهترین دستور پخت قورمه‌سبزی چیست؟", 5, "hybrid", api_name="/ask"))
    assert unknown["abstained"]


def test_sanitize_and_reject_uploads(tmp_path, tiny_embedder):
    from qa.assistant import Assistant
    from qa.config import Settings
    from qa.web import render_sources, sanitize_name, save_uploads
    from qa.types import Answer, Article, Citation, Span

    assert sanitize_name("../../etc/passwd.txt") == "passwd.txt"
    assert sanitize_name(".hidden.md") == "hidden.md"
    assert sanitize_name("خبر تازه<script>.HTML") == "خبر_تازه_script.html"
    data = tmp_path / "data"
    data.mkdir()
    (data / "exists.txt").write_text("متن قبلی", encoding="utf-8")
    assistant = Assistant(Settings(data_dir=data, index_dir=tmp_path / "index", max_upload_bytes=1000), tiny_embedder)
    files = {
        "exists.txt": "متن تازه".encode(), "new.txt": "تیتر\nمتن خبر تازه.".encode(), "big.txt": b"x" * 2000,
        "bin.txt": b"\x00\x01\x02", "bad.exe": b"MZ", "empty.md": b"",
    }
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for name, content in files.items():
        (uploads / name).write_bytes(content)
    saved, rejected = save_uploads([str(uploads / name) for name in files], assistant)
    assert saved == ["new.txt"]
    assert (data / "exists.txt").read_text(encoding="utf-8") == "متن قبلی"
    assert len(rejected) == 5 and any("از قبل" in r for r in rejected) and any("binary" in r for r in rejected)
    # Article text is escaped: markup is shown, never run.
    citation = Citation(1, "d", "d.txt", "<b>t</b>", None, None, "c", "<script>alert(1)</script> متن", 0, 34, 1.0,
                        (Span(0, 25),))
    article = Article("d", "d.txt", "<b>t</b>", "<img src=x onerror=alert(1)> متن کامل")
    html_out = render_sources(Answer("q", "a [1]", False, (citation,)), {"d": article})
    assert "<script>" not in html_out and "&lt;script&gt;" in html_out and "<mark>" in html_out
    assert "<img" not in html_out and "&lt;img" in html_out and "<b>t</b>" not in html_out


def launch_browser(playwright):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"])


@pytest.mark.model
@pytest.mark.browser
def test_browser_question_shows_cited_highlighted_rtl_answer(running_app):
    from playwright.sync_api import sync_playwright

    url, _ = running_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.fill("#question textarea", "اجلاس سران بریکس در کازان در چه تاریخی برگزار می‌شود؟")
        page.keyboard.press("Enter")
        page.wait_for_selector("#sources mark", timeout=120_000)
        bot = page.locator("#chat .message.bot, #chat [data-testid='bot']").last
        text = bot.inner_text()
        assert "[1]" in text and "آبان" in text
        assert "آبان" in page.locator("#sources mark").first.inner_text() or page.locator("#sources mark").count() > 0
        assert page.locator("#sources .source").count() >= 1
        direction = page.evaluate("getComputedStyle(document.querySelector('#question textarea')).direction")
        assert direction == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('#sources .passage')).direction") == "rtl"
        # File names and dates keep their own (left-to-right) order inside the Persian line.
        assert page.evaluate("getComputedStyle(document.querySelector('#sources .meta bdi[dir=ltr]')).direction") == "ltr"
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        browser.close()


@pytest.mark.model
@pytest.mark.browser
def test_browser_upload_and_rebuild(running_app, tmp_path):
    from playwright.sync_api import sync_playwright

    url, data = running_app
    article = tmp_path / "kazan_news.txt"
    article.write_text("نشست تازه در کازان\nوزیران نیرو در کازان درباره نیروگاه خورشیدی تفاهم‌نامه‌ای امضا کردند "
                       "<script>window.injected = 1</script><b>درشت</b>.\n", encoding="utf-8")
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_role("tab", name="نمایه").click()
        page.set_input_files("#upload input[type=file]", str(article))
        page.click("#add")
        page.wait_for_function("document.querySelector('#build-log textarea').value.includes('articles')",
                               timeout=180_000)
        log = page.input_value("#build-log textarea")
        assert "✔ kazan_news.txt" in log and "6 articles" in log
        assert (data / "kazan_news.txt").exists()
        page.get_by_role("tab", name="گفتگو").click()
        page.fill("#question textarea", "وزیران نیرو در کازان درباره چه چیزی تفاهم‌نامه امضا کردند؟")
        page.keyboard.press("Enter")
        page.wait_for_selector("#sources mark", timeout=120_000)
        assert "خورشیدی" in page.locator("#sources").inner_text()
        # The article's markup is shown as text, never run or rendered.
        assert page.evaluate("window.injected === undefined")
        bold = page.locator("#chat b, #sources b:not(.source > div > b)").filter(has_text="درشت")
        assert bold.count() == 0, bold.first.evaluate("e => e.parentElement.outerHTML")
        assert "<b>درشت</b>" in page.locator("#chat").inner_text()
        page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)
        browser.close()
