"""Reading articles: formats, encodings, metadata, skipped files."""

import json

import pytest

from qa.corpus import find_agency, find_date, load_corpus

PERSIAN = "سفیر ایران در روسیه گفت: این توافقنامه آماده امضا است.\nمتن دوم خبر."


@pytest.mark.parametrize("text, expected", [
    ("به گزارش ایرنا، پزشکیان گفت", "ایرنا"),
    ("مسکو- ایرنا- سفیر جمهوری اسلامی", "ایرنا"),
    ("به گزارش ایکنا به نقل از پایگاه", "ایکنا"),
    ("به گزارش تابناک به نقل از پایگاه اطلاع رسانی", "تابناک"),
    ("به گزارش خبرنگار سیاسی ایسنا، وزیر", "ایسنا"),
    ("به گزارش رسانه‌ها، وزیر گفت", None),
    ("متنی بدون نام خبرگزاری", None),
    ("", None),
])
def test_find_agency(text, expected):
    assert find_agency(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("روز جمعه ۲۸ دی ماه ۱۴۰۳ وارد مسکو شد", "2025-01-17"),
    ("شامگاه دوشنبه ۱۰ شهریور ۱۴۰۴، در ادامه", "2025-09-01"),
    ("اول تا ۳ آبانماه ۱۴۰۳", "2024-10-24"),
    ("در تاریخ ۱۴۰۳/۰۵/۱۲ اعلام شد", "2024-08-02"),
    ("روز ۲۸ دی ماه", None),           # no year: never guessed
    ("۳۱ اسفند ۱۴۰۳", None),           # not a real day
    ("", None),
])
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_reads_every_format_and_skips_bad_files(tmp_path):
    (tmp_path / "news.txt").write_text("تیتر خبر\n" + PERSIAN, encoding="utf-8")
    (tmp_path / "notes.md").write_text("# تیتر مارک‌داون\n\n" + PERSIAN, encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"title": "عنوان", "text": PERSIAN, "url": "http://x"}), encoding="utf-8")
    (tmp_path / "many.jsonl").write_text(
        json.dumps({"title": "الف", "text": PERSIAN}) + "\n{broken\n" + json.dumps({"title": "ب"}) + "\n",
        encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>عنوان صفحه</title></head><body><nav>منو</nav><article><p>"
        + PERSIAN.replace("\n", "</p><p>") * 3 + "</p></article></body></html>", encoding="utf-8")
    # Windows-1256 has no Persian ye: such files carry the Arabic ي.
    (tmp_path / "old.txt").write_bytes(("تیتر قدیمی\n" + PERSIAN).replace("ی", "ي").encode("cp1256"))
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "table.csv").write_text("a,b", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "nested.txt").write_text(PERSIAN, encoding="utf-8")

    corpus = load_corpus(tmp_path)
    by_id = {article.doc_id: article for article in corpus.articles}
    assert set(by_id) == {"news", "notes", "one", "many#1", "page", "old", "sub/nested"}
    assert by_id["news"].title == "تیتر خبر"
    assert by_id["notes"].title == "تیتر مارک‌داون"
    assert by_id["one"].url == "http://x" and by_id["one"].title == "عنوان"
    assert by_id["old"].title == "تيتر قديمي" and "توافقنامه" in by_id["old"].text
    assert "آماده امضا" in by_id["page"].text and by_id["page"].title == "عنوان صفحه"
    assert by_id["sub/nested"].path == "sub/nested.txt"
    reasons = {skipped.path: skipped.reason for skipped in corpus.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["image.txt"]
    assert "unsupported" in reasons["table.csv"]
    assert "invalid JSON" in reasons["many.jsonl"]
    assert "text" in reasons["many.jsonl:3"]


def test_seed_articles_metadata():
    from tests.conftest import DATA

    corpus = load_corpus(DATA)
    by_id = {article.doc_id: article for article in corpus.articles}
    assert len(by_id) == 5 and not corpus.skipped
    assert by_id["003_71a1316be5b32065"].source == "ایرنا"
    assert by_id["001_8ef1b0a3631198ab"].source == "تابناک"
    assert by_id["004_702534ff9f350d83"].source == "ایکنا"
    assert by_id["000_579d1ee50203db0a"].date == "2025-01-17"
    assert by_id["001_8ef1b0a3631198ab"].title == "پیام پوتین به پزشکیان برای رهبر انقلاب"


def test_missing_directory_is_a_clear_error(tmp_path):
    from qa.corpus import CorpusError

    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
