"""The chat app: the API through gradio_client, and a real browser (Debian chromium)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(base, index_source, extra_env: dict):
    """Start the real app (python app.py) on a free local port over a copy of
    the articles and of a built index; returns (url, data dir, process)."""
    import urllib.error
    import urllib.request

    data = base / "data"
    shutil.copytree(DATA, data)
    shutil.copytree(index_source, base / "index")
    port = free_port()
    env = dict(os.environ, QA_DATA_DIR=str(data), QA_INDEX_DIR=str(base / "index"), PYTHONPATH=str(ROOT),
               GRADIO_TEMP_DIR=str(base / "gradio-temp"), **extra_env)
    log = (base / "app.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers (a login wall says 401)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((base / "app.log").read_text())
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("app did not start: " + (base / "app.log").read_text())
    return url, data, process


@pytest.fixture(scope="module")
def running_app(tmp_path_factory, seed_assistant):
    """The real app, no login (the local default), over a copy of the articles."""
    url, data, process = start_app(tmp_path_factory.mktemp("app"), seed_assistant.settings.index_dir, {})
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
        assert "آبان" in " ".join(page.locator("#sources mark").all_inner_texts())
        assert page.locator("#sources .source").count() >= 1
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
        # A marker [n] in the answer scrolls to its source card and flashes it.
        last = page.locator("#chat .cite").last
        number = last.inner_text().strip("[]")
        last.click()
        page.wait_for_selector(f"#sources #source-{number}.flash", timeout=5000)
        direction = page.evaluate("getComputedStyle(document.querySelector('#question textarea')).direction")
        assert direction == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('#sources .passage')).direction") == "rtl"
        # File names and dates keep their own (left-to-right) order inside the Persian line.
        assert page.evaluate("getComputedStyle(document.querySelector('#sources .meta bdi[dir=ltr]')).direction") == "ltr"
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

        # A follow-up is answered as its standalone rewrite, shown above the sources.
        page.fill("#question textarea", "این اجلاس در کدام شهر برگزار می‌شود؟")
        page.keyboard.press("Enter")
        page.wait_for_selector("#sources .rewritten", timeout=60_000)
        rewritten = page.locator("#sources .rewritten").inner_text()
        assert "پرسش با توجه به گفتگو" in rewritten and "اجلاس" in rewritten and "این اجلاس" not in rewritten
        page.wait_for_function("document.querySelectorAll('#chat .message.bot, #chat [data-testid=bot]').length >= 2")
        assert "کازان" in page.locator("#chat .message.bot, #chat [data-testid='bot']").last.inner_text()
        page.screenshot(path=str(ARTIFACTS / "chat-follow-up.png"), full_page=True)

        # A question in English: answered from the Persian articles, with a note in English.
        page.fill("#question textarea", "When did Pezeshkian arrive in Moscow?")
        page.keyboard.press("Enter")
        page.wait_for_selector("#chat p.note", timeout=60_000)
        assert "Persian articles" in page.locator("#chat p.note").last.inner_text()
        assert page.evaluate("getComputedStyle([...document.querySelectorAll('#chat p.note')].pop()).direction") == "ltr"
        page.screenshot(path=str(ARTIFACTS / "chat-english.png"), full_page=True)
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
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('نمایه ساخته شد')",
                               timeout=180_000)
        log = page.locator("#build-log").inner_text()
        assert "✔ kazan_news.txt" in log and "۶ مقاله" in log
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


def visible_latin_words(page, selector: str) -> list[str]:
    """Latin words a reader sees inside ``selector``: text nodes that are
    displayed, outside isolated left-to-right pieces (file names, dates, the
    model's name) and outside U+2068…U+2069 isolates."""
    text = page.evaluate("""(selector) => {
        const root = document.querySelector(selector);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const parts = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!parent || parent.closest("bdi[dir=ltr], script, style")) continue;
            if (!parent.checkVisibility()) continue;
            parts.push(node.textContent);
        }
        return parts.join(" ");
    }""", selector)
    text = re.sub("\u2068[^\u2069]*\u2069", " ", text)
    return re.findall(r"[A-Za-z]{3,}", text)


def article_files(data) -> list[str]:
    return sorted(path.name for path in data.iterdir() if path.is_file())


@pytest.mark.model
@pytest.mark.browser
def test_browser_index_tab_is_fresh_undoable_and_persian(running_app, tmp_path):
    from playwright.sync_api import sync_playwright

    from qa.rendering import persian_number

    url, data = running_app
    # Built from the command line while the app runs: a page opened now shows it.
    (data / "cli_added.txt").write_text("خبر خط فرمان\nاین خبر با دستور ساخت نمایه افزوده شد.\n", encoding="utf-8")
    build = subprocess.run([sys.executable, "-m", "qa", "index", "build", "--data", str(data), "--index",
                            str(data.parent / "index")], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert build.returncode == 0, build.stderr
    files = article_files(data)
    upload = tmp_path / "second_upload.txt"
    upload.write_text("گزارش دوم\nگزارش دوم درباره بندر چابهار و راه‌آهن رشت.\n", encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="نمایه").click()
        count = persian_number(len(files))
        page.wait_for_function(f"document.querySelector('#status')?.innerText.includes('مقاله‌ها: {count}')",
                               timeout=30_000)
        assert "cli_added.txt" in page.locator("#articles").inner_text()

        # Nothing chosen: «حذف» removes nothing, even confirmed.
        assert page.locator("#remove-choice input").input_value() == ""
        page.check("#confirm input[type=checkbox]")
        page.click("#remove")
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('انتخاب نشده')")
        assert article_files(data) == files

        # Chosen by its title, removed to the trash, then restored.
        page.locator("#remove-choice input").click()
        page.get_by_role("option", name=re.compile("خبر خط فرمان")).click()
        page.check("#confirm input[type=checkbox]")
        page.click("#remove")
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('سطل بازیافت')",
                               timeout=180_000)
        assert not (data / "cli_added.txt").exists() and list((data / ".trash").rglob("cli_added.txt"))
        assert "cli_added.txt" not in page.locator("#articles").inner_text()
        assert page.locator("#remove-choice input").input_value() == ""
        assert not page.is_checked("#confirm input[type=checkbox]")
        page.locator("#trash-choice input").click()
        # Only the trash list's options say "removed at" (حذف‌شده در).
        page.get_by_role("option", name=re.compile("cli_added.txt.*حذف‌شده در")).click()
        page.click("#restore")
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('بازگردانده شد')",
                               timeout=180_000)
        assert (data / "cli_added.txt").exists() and "cli_added.txt" in page.locator("#articles").inner_text()

        # The upload box empties after «افزودن»: a second press adds nothing again.
        page.set_input_files("#upload input[type=file]", str(upload))
        page.click("#add")
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('✔ second_upload.txt')",
                               timeout=180_000)
        assert "نمایه ساخته شد" in page.locator("#build-log").inner_text()
        page.wait_for_function("!document.querySelector('#upload')?.innerText.includes('second_upload')")
        # Gradio's own copy of the upload is deleted once the file is saved.
        assert not list((data.parent / "gradio-temp").rglob("second_upload.txt"))
        page.click("#add")
        page.wait_for_function("document.querySelector('#build-log')?.innerText.includes('فایلی انتخاب نشده')")
        assert article_files(data) == sorted(files + ["second_upload.txt"])

        # Everything a reader sees is Persian; file names are isolated, not reversed.
        assert "رها کنید" in page.locator("#upload").inner_text()
        assert visible_latin_words(page, "body") == []
        isolated = page.locator("#articles bdi[dir=ltr]").filter(has_text="second_upload.txt")
        assert isolated.first.evaluate("e => getComputedStyle(e).direction") == "ltr"
        page.screenshot(path=str(ARTIFACTS / "index-tab.png"), full_page=True)
        browser.close()


def last_reply(page) -> str:
    return page.locator("#chat .message.bot, #chat [data-testid='bot']").last.inner_text()


def ask_on_page(page, question: str) -> None:
    before = page.locator("#chat [data-testid='bot']").count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#chat [data-testid=bot]').length > {before}",
                           timeout=120_000)


@pytest.mark.model
@pytest.mark.browser
def test_browser_conversation_survives_reload_and_resets(running_app):
    from gradio_client import Client
    from playwright.sync_api import sync_playwright

    url, _ = running_app
    lexical = "واژه‌ای — جست‌وجوی همان واژه‌های پرسش در متن"
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_text("تنظیمات").click()
        page.get_by_text(lexical).click()
        page.wait_for_timeout(500)  # the settings are saved in the browser
        ask_on_page(page, "پوتین پزشکیان را برای شرکت در کدام اجلاس دعوت کرد؟")
        assert "بریکس" in last_reply(page)

        page.reload()
        page.wait_for_function("document.querySelector('#chat')?.innerText.includes('کدام اجلاس دعوت کرد')",
                               timeout=30_000)
        assert page.locator("#sources .source").count() >= 1
        page.get_by_text("تنظیمات").click()
        assert page.get_by_label(lexical).is_checked()

        # The trash icon forgets the conversation too: the next question is
        # answered as a first question, not as a follow-up of the old one.
        page.get_by_role("button", name="پاک کردن گفتگو").click()
        page.wait_for_function("document.querySelector('#sources')?.innerText.includes('منابع پاسخ اینجا')")
        follow_up = "او درباره تحریم‌ها چه گفت؟"
        ask_on_page(page, follow_up)
        alone = json.loads(Client(url, verbose=False).predict(follow_up, 10, "lexical", api_name="/ask"))
        shown = last_reply(page).replace("⚠️", "")
        short = alone["short_answer"]
        expected = (f"{short['text']} [{short['n']}] " if short else "") + alone["answer"]
        assert " ".join(shown.split()) == " ".join(expected.split())
        page.reload()
        page.wait_for_function("document.querySelector('#chat')?.innerText.includes('تحریم')", timeout=30_000)
        assert "کدام اجلاس" not in page.locator("#chat").inner_text()
        browser.close()


@pytest.mark.model
@pytest.mark.browser
def test_browser_phone_shows_sources_right_after_the_answer(running_app):
    from playwright.sync_api import sync_playwright

    url, _ = running_app
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(url)
        ask_on_page(page, "اجلاس سران بریکس در کازان در چه تاریخی برگزار می‌شود؟")
        page.wait_for_selector("#sources mark")
        chat, sources = page.locator("#chat").bounding_box(), page.locator("#sources").bounding_box()
        question, settings = page.locator("#question").bounding_box(), page.locator("#settings").bounding_box()
        assert chat["y"] + chat["height"] <= sources["y"] + 1
        assert sources["y"] < question["y"] and sources["y"] < settings["y"]
        page.screenshot(path=str(ARTIFACTS / "phone.png"), full_page=True)
        browser.close()


@pytest.mark.model
def test_page_holds_no_file_names_until_loaded(running_app):
    import urllib.request

    url, data = running_app
    page = urllib.request.urlopen(url).read().decode()
    config = urllib.request.urlopen(url + "config").read().decode()
    assert '<html lang="fa" dir="rtl"' in page
    for name in article_files(data):
        assert Path(name).stem not in page and Path(name).stem not in config


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory, seed_assistant):
    """The real app with readers (QA_AUTH) and one index keeper (QA_ADMIN)."""
    url, data, process = start_app(tmp_path_factory.mktemp("guarded"), seed_assistant.settings.index_dir,
                                   {"QA_AUTH": "reader:read-pass", "QA_ADMIN": "keeper:keep-pass"})
    yield url, data
    process.terminate()
    process.wait(timeout=30)


def log_in(page, url: str, user: str, password: str) -> None:
    page.goto(url)
    page.locator("input[type=password]").wait_for()
    page.locator("input:not([type=password])").first.fill(user)
    page.fill("input[type=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#question textarea", timeout=30_000)
    page.wait_for_timeout(1500)  # the page-load event decides what the user sees


@pytest.mark.model
@pytest.mark.browser
def test_only_the_admin_may_change_the_index(guarded_app):
    import urllib.error
    import urllib.request

    from gradio_client import Client
    from playwright.sync_api import sync_playwright

    url, data = guarded_app
    for path in ("", "config"):
        try:
            body = urllib.request.urlopen(url + path).read().decode()
        except urllib.error.HTTPError as error:
            body = error.read().decode()
        assert not any(Path(name).stem in body for name in article_files(data))

    reader = Client(url, auth=("reader", "read-pass"), verbose=False)
    answer = json.loads(reader.predict("پزشکیان کی وارد مسکو شد؟", 5, "hybrid", api_name="/ask"))
    assert not answer["abstained"]
    with pytest.raises(Exception, match="اجازه تغییر نمایه"):
        reader.predict(api_name="/rebuild")
    keeper = Client(url, auth=("keeper", "keep-pass"), verbose=False)
    assert "نمایه" in str(keeper.predict(api_name="/rebuild"))

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        for user, password, sees_index in (("reader", "read-pass", False), ("keeper", "keep-pass", True)):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            log_in(page, url, user, password)
            assert page.get_by_role("tab", name="نمایه").count() == (1 if sees_index else 0), user
            context.close()
        browser.close()


def test_read_only_app_has_no_index_tab(tmp_path, tiny_embedder):
    from qa.assistant import Assistant
    from qa.config import Settings
    from qa.web import build_app

    def tab_labels(settings):
        config = build_app(Assistant(settings, tiny_embedder)).get_config_file()
        return [c["props"].get("label") for c in config["components"] if c["type"] == "tabitem"]

    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index")
    assert tab_labels(settings) == ["گفتگو", "نمایه"]
    assert tab_labels(Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", readonly=True)) == ["گفتگو"]
