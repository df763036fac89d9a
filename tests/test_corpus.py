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
    assert all(skipped.reason_persian for skipped in corpus.skipped)
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


# ---- hostile files: each one is skipped with a reason, the rest still loads ----

def test_deep_json_is_skipped_not_fatal(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "deep.jsonl").write_text('{"text": "خبر"}\n' + "[" * 100_000 + "\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text(PERSIAN, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert [a.doc_id for a in corpus.articles] == ["deep.jsonl#1", "good"]
    reasons = {s.path: s.code for s in corpus.skipped}
    assert reasons == {"deep.json": "json_too_deep", "deep.jsonl:2": "json_too_deep"}


def test_any_exception_while_reading_skips_only_that_file(tmp_path, monkeypatch):
    import qa.corpus

    (tmp_path / "a.txt").write_text(PERSIAN, encoding="utf-8")
    (tmp_path / "b.txt").write_text(PERSIAN, encoding="utf-8")
    real = qa.corpus.read_file

    def explode_on_b(path, *args, **kwargs):
        if path.name == "b.txt":
            raise MemoryError("simulated")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(qa.corpus, "read_file", explode_on_b)
    corpus = load_corpus(tmp_path)
    assert [a.doc_id for a in corpus.articles] == ["a"]
    assert corpus.skipped[0].code == "read_failed" and "MemoryError" in corpus.skipped[0].reason


def test_links_leading_out_dangling_links_and_fifos_are_skipped(tmp_path):
    import os

    data = tmp_path / "data"
    data.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("رمز عبور سرور", encoding="utf-8")
    (data / "real.txt").write_text(PERSIAN, encoding="utf-8")
    (data / "inside_link.txt").symlink_to(data / "real.txt")
    (data / "passwd.txt").symlink_to(outside)
    (data / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (data / "loop.txt").symlink_to(data / "loop.txt")
    (data / "linked_dir").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(data / "pipe.txt")
    corpus = load_corpus(data)
    assert sorted(a.doc_id for a in corpus.articles) == ["inside_link", "real"]
    assert all("رمز" not in a.text for a in corpus.articles)
    reasons = {s.path: s.code for s in corpus.skipped}
    assert reasons == {"passwd.txt": "link_outside", "gone.txt": "dangling_link", "loop.txt": "dangling_link",
                       "linked_dir": "directory_link", "pipe.txt": "not_a_file"}


def test_unreadable_directory_is_reported(tmp_path, monkeypatch):
    import os

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text(PERSIAN, encoding="utf-8")
    (tmp_path / "b.txt").write_text(PERSIAN, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):  # root reads every directory: simulate the permission error
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    corpus = load_corpus(tmp_path)
    assert [a.doc_id for a in corpus.articles] == ["b"]
    assert [(s.path, s.code) for s in corpus.skipped] == [("locked", "unreadable_directory")]


def test_oversized_file_is_skipped_unread(tmp_path):
    (tmp_path / "big.txt").write_text("خبر بزرگ. " * 2000, encoding="utf-8")
    (tmp_path / "small.txt").write_text(PERSIAN, encoding="utf-8")
    corpus = load_corpus(tmp_path, max_article_bytes=10_000)
    assert [a.doc_id for a in corpus.articles] == ["small"]
    skipped = corpus.skipped[0]
    assert skipped.code == "too_large" and skipped.params["limit"] == 10_000
    assert "10000" in skipped.reason and "سقف" in skipped.reason_persian


@pytest.mark.parametrize("raw, expected_text, expected_replaced", [
    # Broken UTF-8 (one byte cut off): UTF-8 with a replacement, never cp1256 mojibake ("طھغŒطھط±").
    ("تیتر خبر ایران و روسیه".encode() + b"\xd8" + " متن خبر".encode(), "تیتر خبر ایران و روسیه\ufffd متن خبر", 1),
    # Real Windows-1256 Persian is still read as such.
    ("سلام دنيا، خبر تازه".encode("cp1256"), "سلام دنيا، خبر تازه", 0),
    # UTF-16 without BOM is text, not "binary".
    ("خبر تازه درباره مسکو 1403\n".encode("utf-16-le"), "خبر تازه درباره مسکو 1403\n", 0),
    ("خبر تازه درباره مسکو\n".encode("utf-16-be"), "خبر تازه درباره مسکو\n", 0),
    ("café au lait".encode("cp1252"), "caf\ufffd au lait", 1),
])
def test_decode_bytes(raw, expected_text, expected_replaced):
    from qa.corpus import decode_bytes

    decoded = decode_bytes(raw)
    assert (decoded.text, decoded.replaced) == (expected_text, expected_replaced)
    assert "طھ" not in decoded.text


@pytest.mark.parametrize("raw, code", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
    (bytes(range(128, 256)) * 20, "binary"),
])
def test_decode_bytes_refuses_binary(raw, code):
    from qa.corpus import UndecodableFile, decode_bytes

    with pytest.raises(UndecodableFile) as error:
        decode_bytes(raw)
    assert error.value.code == code


def test_replaced_bytes_are_reported_as_a_warning(tmp_path):
    (tmp_path / "broken.txt").write_bytes("تیتر خبر\nمتن خبر ایران".encode() + b"\xff\xfe\xfd" + "و روسیه".encode())
    corpus = load_corpus(tmp_path)
    assert len(corpus.articles) == 1 and not corpus.skipped
    assert [(w.path, w.code, w.params["count"]) for w in corpus.warnings] == [("broken.txt", "replaced_bytes", 3)]
