"""Read the articles of a data directory: txt, md, json/jsonl and html.

A file that cannot be read is skipped with a reason; the rest of the corpus
still loads. Metadata (agency, date) is taken from the text only when the
text states it, never guessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .reasons import describe
from .text import search_key
from .types import Article, SkippedFile

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSON_SUFFIXES = (".json", ".jsonl")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
MAX_HEADLINE_CHARS = 150
# A 50 MB article took 3.3 GB and 40 minutes to build; news articles are KBs.
DEFAULT_MAX_ARTICLE_BYTES = 5_000_000

# Persian news agencies, as they are written in datelines and attributions.
AGENCIES = (
    "ایرنا", "ایسنا", "ایکنا", "ایلنا", "تسنیم", "فارس", "مهر", "تابناک", "میزان", "شبستان",
    "برنا", "پانا", "رسا", "دانشجو", "باشگاه خبرنگاران جوان", "خبرآنلاین", "همشهری آنلاین",
    "عصر ایران", "انتخاب", "صدا و سیما", "اسپوتنیک", "تاس", "ریانووستی", "الجزیره", "رویترز",
    "آسوشیتدپرس", "خبرگزاری فرانسه", "یورونیوز", "بی‌بی‌سی", "آنا", "ایبنا", "ایانا",
)
_AGENCY_BY_KEY = {search_key(name): name for name in AGENCIES}
_AGENCY_PATTERN = "|".join(sorted((re.escape(k) for k in _AGENCY_BY_KEY), key=len, reverse=True))
# "به گزارش ایرنا", "به گزارش خبرنگار سیاسی ایرنا", "به گزارش تابناک به نقل از ..."
_ATTRIBUTION = re.compile(rf"به گزارش\s+(?:[^\s،,.]+\s+){{0,3}}?({_AGENCY_PATTERN})(?![^\s،,.:])")
# Dateline: "مسکو- ایرنا-" at the start of a line.
_DATELINE = re.compile(rf"(?m)^[^\n\-]{{0,30}}-\s*({_AGENCY_PATTERN})\s*-")

_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
_MONTH_BY_KEY = {search_key(name): number for number, name in enumerate(_MONTHS, start=1)}
_MONTH_PATTERN = "|".join(sorted(_MONTH_BY_KEY, key=len, reverse=True))
_WRITTEN_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s*({_MONTH_PATTERN})(?:\s*ماه)?\s*(?:سال\s*)?(1[34]\d\d)(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(1[34]\d\d)/(\d{1,2})/(\d{1,2})(?!\d)")


class CorpusError(RuntimeError):
    """The data directory itself cannot be read."""


@dataclass(frozen=True)
class Corpus:
    """Articles read from a data directory and the files skipped."""

    articles: tuple[Article, ...]
    skipped: tuple[SkippedFile, ...]
    warnings: tuple[SkippedFile, ...] = ()


def find_agency(text: str) -> str | None:
    """Return the news agency the text names in an attribution or dateline.

    Args:
        text: Article text.

    Returns:
        The agency's name (``ایرنا``), or None when the text names none.
    """
    key = search_key(text[:3000])
    found = [m for m in (_ATTRIBUTION.search(key), _DATELINE.search(key)) if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return _AGENCY_BY_KEY[first.group(1)]


def find_date(text: str) -> str | None:
    """Return the first complete Jalali date in the text, as a Gregorian ISO date.

    "۲۸ دی ماه ۱۴۰۳" gives "2025-01-17"; a date without a year is ignored.

    Args:
        text: Article text.

    Returns:
        ``YYYY-MM-DD`` or None.
    """
    import jdatetime

    key = search_key(text)
    candidates = []
    for match in _WRITTEN_DATE.finditer(key):
        candidates.append((match.start(), int(match.group(3)), _MONTH_BY_KEY[match.group(2)], int(match.group(1))))
    for match in _NUMERIC_DATE.finditer(key):
        candidates.append((match.start(), int(match.group(1)), int(match.group(2)), int(match.group(3))))
    for _, year, month, day in sorted(candidates):
        try:
            return jdatetime.date(year, month, day).togregorian().isoformat()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from an article file.

    Attributes:
        text: The decoded text.
        replaced: Bytes that were not valid UTF-8 and became U+FFFD.
    """

    text: str
    replaced: int = 0


class UndecodableFile(ValueError):
    """The bytes are not text in an encoding we read; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(describe(code, {}))
        self.code = code


# Scripts an article is written in: ASCII, Latin-1, Arabic (with presentation
# forms), general punctuation (ZWNJ, bidi marks, quotes). Used to tell a
# UTF-16 file without BOM from binary data that happens to decode.
_TEXT_RANGES = ((0x09, 0x0D), (0x20, 0x7E), (0xA0, 0xFF), (0x0600, 0x06FF), (0x0750, 0x077F),
                (0x2000, 0x206F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
# In cp1256 the UTF-8 lead bytes of Arabic-script letters (D8-DB) are ط ظ ع غ:
# UTF-8 Persian misread as cp1256 is about half these letters ("طھغŒطھط±"),
# real Persian text a few percent.
_MOJIBAKE_LETTERS = frozenset("طظعغ")


def _is_text_character(character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in _TEXT_RANGES)


def _looks_like_text(text: str) -> bool:
    sample = text[:20_000]
    return bool(sample) and sum(map(_is_text_character, sample)) >= 0.95 * len(sample)


def _utf16_without_bom(raw: bytes) -> str | None:
    if len(raw) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and _looks_like_text(text):
            return text
    return None


def _decode_persian_cp1256(raw: bytes) -> str | None:
    candidate = raw.decode("cp1256", errors="replace")
    letters = [ch for ch in candidate if ch.isalpha() and ord(ch) > 127]
    if not letters:
        return None
    arabic = [ch for ch in letters if "\u0600" <= ch <= "\u06ff"]
    if len(arabic) < 0.8 * len(letters):
        return None
    if sum(ch in _MOJIBAKE_LETTERS for ch in arabic) > 0.25 * len(arabic):
        return None
    return candidate


def decode_bytes(raw: bytes) -> DecodedText:
    """Decode an article file.

    UTF-8 (with or without BOM) and UTF-16 (with BOM, or without when the
    result is plainly text) are read as they are. Other bytes are read as
    Windows-1256 only when that yields Persian text; otherwise as UTF-8 with
    the invalid bytes replaced (and counted, so the build can report them).

    Args:
        raw: The file's bytes.

    Returns:
        The text and the number of bytes replaced.

    Raises:
        UndecodableFile: Binary content, or too little of it is text.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return DecodedText(raw.decode("utf-16"))
        except UnicodeDecodeError:
            raise UndecodableFile("encoding") from None
    # Text in UTF-8 never holds NUL; UTF-16 (here without BOM) nearly always does.
    if b"\x00" in raw:
        text = _utf16_without_bom(raw)
        if text is None:
            raise UndecodableFile("binary")
        return DecodedText(text)
    try:
        return DecodedText(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    legacy = _decode_persian_cp1256(raw)
    if legacy is not None:
        return DecodedText(legacy)
    text = raw.decode("utf-8-sig", errors="replace")
    replaced = text.count("\ufffd")
    visible = sum(1 for ch in text if not ch.isspace())
    if not _looks_like_text(text.replace("\ufffd", "")) or replaced > 0.3 * max(visible, 1):
        raise UndecodableFile("binary" if replaced > 0.3 * max(visible, 1) else "encoding")
    return DecodedText(text, replaced)


def _content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()


def _headline_and_title(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0].lstrip("#").strip()
    if len(lines) > 1 and len(first) <= MAX_HEADLINE_CHARS and not first.endswith((".", "!", "?", "؟", "…")):
        return first
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def make_article(doc_id: str, path: str, text: str, title: str | None = None,
                 url: str | None = None, date: str | None = None, source: str | None = None) -> Article:
    """Create an :class:`Article`, deriving title, agency, date and hash.

    Args:
        doc_id: Stable identifier.
        path: Relative path of the source file.
        text: The article text (kept exactly).
        title: Headline if the source gives one; else taken from the text.
        url, date, source: Metadata the source gives; else found in the text.

    Returns:
        The article.
    """
    title = (title or "").strip() or _headline_and_title(text)
    return Article(
        doc_id=doc_id,
        path=path,
        title=title,
        text=text,
        source=source or find_agency(text),
        date=date or find_date(text),
        url=url,
        content_hash=_content_hash(title, text),
    )


def _parse_json(raw_text: str):
    """``json.loads`` with every failure as a reason code and parameters."""
    try:
        return json.loads(raw_text), None
    except json.JSONDecodeError as error:
        return None, ("invalid_json", {"error": f"{error.msg}, line {error.lineno}"})
    except RecursionError:
        # Python's parser recurses once per nesting level: "[[[[...]]]]" aborts it.
        return None, ("json_too_deep", {})


def _records_from_json(raw_text: str, suffix: str) -> list[tuple[int, object, tuple[str, dict] | None]]:
    """Return (record number, object, problem or None) for a json/jsonl file."""
    if suffix == ".jsonl":
        records = []
        for number, line in enumerate(raw_text.splitlines(), start=1):
            if not line.strip():
                continue
            data, problem = _parse_json(line)
            if problem and problem[0] == "invalid_json":
                problem = ("invalid_json_line", {"line": number, "error": problem[1]["error"]})
            records.append((number, data, problem))
        return records
    data, problem = _parse_json(raw_text)
    if problem:
        return [(0, None, problem)]
    if isinstance(data, dict):
        return [(0, data, None)]
    if isinstance(data, list):
        return [(number, item, None) for number, item in enumerate(data, start=1)]
    return [(0, None, ("json_shape", {}))]


def _read_html(raw_text: str) -> tuple[str, str]:
    import trafilatura

    text = trafilatura.extract(raw_text, include_comments=False, include_tables=False, favor_recall=True)
    metadata = trafilatura.extract_metadata(raw_text)
    title = (metadata.title if metadata and metadata.title else "") or ""
    return (text or "").strip(), title.strip()


@dataclass(frozen=True)
class FileResult:
    """What reading one file gave: articles, skipped parts and warnings."""

    articles: list[Article]
    skipped: list[SkippedFile]
    warnings: list[SkippedFile]


def _read_bytes(path: Path, relative: str, max_bytes: int) -> bytes | SkippedFile:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return SkippedFile(relative, "too_large", {"size": size, "limit": max_bytes})
        with path.open("rb") as handle:
            # Read one byte past the limit: a file that grew since stat() is caught too.
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        return SkippedFile(relative, "unreadable", {"error": error.strerror or type(error).__name__})
    if len(raw) > max_bytes:
        return SkippedFile(relative, "too_large", {"size": len(raw), "limit": max_bytes})
    return raw


def read_file(path: Path, relative: str, doc_id: str, max_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> FileResult:
    """Read one article file.

    Args:
        path: File to read.
        relative: Its path relative to the data directory (POSIX).
        doc_id: Identifier for its article (records of a list get ``#n``).
        max_bytes: Largest file read; a larger one is skipped unread.

    Returns:
        The articles read, the problems found (file or record skipped) and
        warnings (read, with bytes replaced).
    """
    suffix = path.suffix.lower()
    raw = _read_bytes(path, relative, max_bytes)
    if isinstance(raw, SkippedFile):
        return FileResult([], [raw], [])
    if not raw.strip():
        return FileResult([], [SkippedFile(relative, "empty")], [])
    try:
        decoded = decode_bytes(raw)
    except UndecodableFile as error:
        return FileResult([], [SkippedFile(relative, error.code)], [])
    del raw
    warnings = [SkippedFile(relative, "replaced_bytes", {"count": decoded.replaced})] if decoded.replaced else []
    raw_text = decoded.text
    if suffix in TEXT_SUFFIXES:
        if not raw_text.strip():
            return FileResult([], [SkippedFile(relative, "empty")], warnings)
        return FileResult([make_article(doc_id, relative, raw_text)], [], warnings)
    if suffix in HTML_SUFFIXES:
        text, title = _read_html(raw_text)
        if not text:
            return FileResult([], [SkippedFile(relative, "no_html_text")], warnings)
        return FileResult([make_article(doc_id, relative, text, title=title)], [], warnings)
    articles, skipped = [], []
    records = _records_from_json(raw_text, suffix)
    many = len(records) > 1 or suffix == ".jsonl"
    for number, record, problem in records:
        where = f"{relative}:{number}" if many and number else relative
        if problem:
            skipped.append(SkippedFile(relative if problem[0] == "invalid_json_line" else where, *problem))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            skipped.append(SkippedFile(where, "no_text_field"))
            continue
        fields = {name: record.get(name) if isinstance(record.get(name), str) else None
                  for name in ("title", "url", "date", "source")}
        record_id = f"{doc_id}#{number}" if many else doc_id
        articles.append(make_article(record_id, relative, record["text"], **fields))
    return FileResult(articles, skipped, warnings)


def _link_problem(path: Path, root: Path) -> str | None:
    """Return why a file must not be read (a link leading out, a FIFO), or None."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing target, or a loop of links
            return "dangling_link"
        if not target.is_relative_to(root):
            return "link_outside"
    # A FIFO or device would block the build on read().
    if not path.is_file():
        return "not_a_file"
    return None


def list_article_files(data_dir: Path) -> tuple[list[Path], list[SkippedFile]]:
    """List the files of a data directory (hidden files and folders excluded).

    Links to directories are not followed; unreadable directories are reported.

    Args:
        data_dir: The data directory.

    Returns:
        Files in sorted order, and the entries skipped with their reasons.
    """
    skipped: list[SkippedFile] = []

    def relative(path: Path | str) -> str:
        return Path(path).relative_to(data_dir).as_posix()

    def report(error: OSError) -> None:
        skipped.append(SkippedFile(relative(error.filename), "unreadable_directory",
                                   {"error": error.strerror or type(error).__name__}))

    files: list[Path] = []
    for current, directories, names in os.walk(data_dir, onerror=report):
        folder = Path(current)
        kept = []
        for name in sorted(directories):
            if name.startswith("."):  # .trash, .git, editors' folders
                continue
            if (folder / name).is_symlink():
                skipped.append(SkippedFile(relative(folder / name), "directory_link"))
                continue
            kept.append(name)
        directories[:] = kept
        files.extend(folder / name for name in names if not name.startswith("."))
    return sorted(files), skipped


class CorpusReader:
    """Reads the articles of a data directory one file at a time.

    Iterating yields every article (recursively, hidden files ignored) in
    ``doc_id`` order, reading each file only when its turn comes, so a build
    holds one file's articles at a time. A file that cannot be read, for any
    reason, is skipped with a reason; the others still load. Each iteration
    reads the directory afresh and refills :attr:`skipped` and :attr:`warnings`.

    Args:
        data_dir: The data directory.
        max_article_bytes: Largest article file read.

    Raises:
        CorpusError: When ``data_dir`` does not exist or is not a directory.
    """

    def __init__(self, data_dir: Path, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> None:
        if not data_dir.is_dir():
            raise CorpusError(f"Data directory {data_dir} does not exist (put article files there, or pass --data DIR)")
        self.data_dir = data_dir
        self.max_article_bytes = max_article_bytes
        self.skipped: list[SkippedFile] = []
        self.warnings: list[SkippedFile] = []

    def __iter__(self) -> Iterator[Article]:
        data_dir = self.data_dir
        root = data_dir.resolve()
        files, skipped = list_article_files(data_dir)
        self.skipped, self.warnings = skipped, []
        relatives = [path.relative_to(data_dir).as_posix() for path in files]
        stems = [Path(relative).with_suffix("").as_posix() for relative in relatives]
        repeated = {stem for stem, count in Counter(stems).items() if count > 1}
        # A file's doc_id is its path without the extension, or with it when
        # two files share a stem; its articles are the doc_id or ``doc_id#n``:
        # files in doc_id order, each file's records sorted, give the articles
        # in doc_id order.
        named = sorted((relative if stem in repeated else stem, relative, path)
                       for stem, relative, path in zip(stems, relatives, files))
        for doc_id, relative, path in named:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                self.skipped.append(SkippedFile(relative, "unsupported_type", {"suffix": path.suffix or "(none)"}))
                continue
            problem = _link_problem(path, root)
            if problem:
                self.skipped.append(SkippedFile(relative, problem))
                continue
            try:
                result = read_file(path, relative, doc_id, self.max_article_bytes)
            except Exception as error:  # one hostile file must never stop the build
                log.debug("reading %s failed", relative, exc_info=True)
                self.skipped.append(SkippedFile(relative, "read_failed",
                                                {"error": f"{type(error).__name__}: {error}"[:200]}))
                continue
            self.skipped.extend(result.skipped)
            self.warnings.extend(result.warnings)
            yield from sorted(result.articles, key=lambda article: article.doc_id)


def log_skipped(skipped: Iterable[SkippedFile]) -> None:
    """Log each skipped file once, as a warning (a build reads the corpus twice, and says it once)."""
    for problem in skipped:
        log.warning("skipped %s: %s", problem.path, problem.reason)


def load_corpus(data_dir: Path, max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES) -> Corpus:
    """Read every article under ``data_dir`` into memory (see :class:`CorpusReader`).

    Args:
        data_dir: The data directory.
        max_article_bytes: Largest article file read.

    Returns:
        Articles sorted by ``doc_id``, the skipped files with reasons, and
        warnings about files read with changes.

    Raises:
        CorpusError: When ``data_dir`` does not exist or is not a directory.
    """
    reader = CorpusReader(data_dir, max_article_bytes)
    articles = sorted(reader, key=lambda article: article.doc_id)
    log_skipped(reader.skipped)
    return Corpus(tuple(articles), tuple(reader.skipped), tuple(reader.warnings))
