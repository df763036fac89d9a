"""Changing the articles: uploads checked and never overwriting, removal to the
trash and back, all refused (before anything is saved) while a build runs."""


import pytest

from qa.library import LibraryError, add_files, list_trash, move_to_trash, restore, sanitize_name
from qa.store import BuildLocked
from tests.test_index import hold_lock_in_another_thread


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    (".hidden.md", "hidden.md"),
    ("خبر تازه<script>.HTML", "خبر_تازه_script.html"),
    ("C:\\Users\\me\\خبر‌ها.txt", "خبر‌ها.txt"),
    ("", "article"),
])
def test_sanitize_name(given, expected):
    assert sanitize_name(given) == expected


def test_add_files_checks_before_saving(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "exists.txt").write_text("متن قبلی", encoding="utf-8")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    files = {"exists.txt": "متن تازه".encode(), "new.txt": "تیتر\nمتن خبر تازه.".encode(),
             "big.txt": "خ".encode() * 1000, "bin.txt": b"\x00\x01\x02\x03", "bad.exe": b"MZ", "empty.md": b""}
    for name, content in files.items():
        (uploads / name).write_bytes(content)
    result = add_files(data, [(uploads / name, name) for name in files], max_bytes=1000)
    assert result.saved == ("new.txt",)
    assert (data / "exists.txt").read_text(encoding="utf-8") == "متن قبلی"
    codes = {problem.path: problem.code for problem in result.rejected}
    assert codes == {"exists.txt": "exists", "big.txt": "too_large", "bin.txt": "binary", "bad.exe": "unsupported_type",
                     "empty.md": "empty"}
    assert all(problem.reason_persian for problem in result.rejected)
    assert sorted(p.name for p in data.iterdir()) == ["exists.txt", "new.txt"]  # no partial files left


def test_trash_and_restore(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    (data / "sub" / "a.txt").write_text("الف", encoding="utf-8")
    trashed = move_to_trash(data, "sub/a.txt")
    assert not (data / "sub" / "a.txt").exists() and trashed.path == "sub/a.txt"
    assert [item.entry for item in list_trash(data)] == [trashed.entry]
    assert restore(data, trashed.entry) == "sub/a.txt"
    assert (data / "sub" / "a.txt").read_text(encoding="utf-8") == "الف"
    assert list_trash(data) == []
    for bad in ("../outside.txt", "missing.txt", ".trash/x.txt"):
        with pytest.raises(LibraryError):
            move_to_trash(data, bad)
    again = move_to_trash(data, "sub/a.txt")
    (data / "sub" / "a.txt").write_text("نسخه تازه", encoding="utf-8")
    with pytest.raises(LibraryError) as error:
        restore(data, again.entry)  # never overwrites the file that took its place
    assert error.value.problem.code == "exists"
    assert (data / "sub" / "a.txt").read_text(encoding="utf-8") == "نسخه تازه"


def test_assistant_changes_update_the_index_and_wait_for_no_build(seed_data, tmp_path, tiny_embedder):
    from qa.assistant import Assistant
    from qa.config import Settings

    assistant = Assistant(Settings(data_dir=seed_data, index_dir=tmp_path / "index"), tiny_embedder)
    assistant.build()
    upload = tmp_path / "upload.txt"
    upload.write_text("نشست کازان\nوزیران نیرو در کازان تفاهم‌نامه امضا کردند.", encoding="utf-8")

    release = hold_lock_in_another_thread(assistant.settings.index_dir)
    try:
        with pytest.raises(BuildLocked):
            assistant.add_articles([(upload, "kazan.txt")])
        with pytest.raises(BuildLocked):
            assistant.remove_article("000_579d1ee50203db0a.txt")
    finally:
        release()
    assert not (seed_data / "kazan.txt").exists()  # refused before saving
    assert (seed_data / "000_579d1ee50203db0a.txt").exists()

    result, summary = assistant.add_articles([(upload, "kazan.txt")])
    assert result.saved == ("kazan.txt",) and summary.articles == 6 and len(assistant.articles()) == 6
    trashed, summary = assistant.remove_article("000_579d1ee50203db0a.txt")
    assert summary.articles == 5 and "000_579d1ee50203db0a" not in {a.doc_id for a in assistant.articles()}
    assert [item.path for item in assistant.trash()] == ["000_579d1ee50203db0a.txt"]
    path, summary = assistant.restore_article(trashed.entry)
    assert path == "000_579d1ee50203db0a.txt" and summary.articles == 6 and assistant.trash() == []
