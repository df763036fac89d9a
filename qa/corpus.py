"""Read the articles of a data directory: txt, md, json/jsonl and html.

A file that cannot be read is skipped with a reason; the rest of the corpus
still loads. Metadata (agency, date) is taken from the text only when the
text states it, never guessed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .text import search_key
from .types import Article, SkippedFile

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSON_SUFFIXES = (".json", ".jsonl")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSON_SUFFIXES + HTML_SUFFIXES
MAX_HEADLINE_CHARS = 150

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


def decode_bytes(raw: bytes) -> str:
    """Decode an article file: UTF-8 (with or without BOM), UTF-16 with BOM,
    or Windows-1256 Persian; other encodings through charset detection.

    Raises:
        ValueError: For binary or undecodable content (message is the reason).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:8192]:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Persian files saved by older Windows tools are Windows-1256; accept the
    # decoding only when it yields mostly Arabic-script letters.
    candidate = raw.decode("cp1256", errors="replace")
    letters = [ch for ch in candidate if ch.isalpha() and ord(ch) > 127]
    if letters and sum("\u0600" <= ch <= "\u06ff" for ch in letters) / len(letters) > 0.8:
        return candidate
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise ValueError("cannot detect the text encoding")
    return str(best)


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


def _records_from_json(raw_text: str, suffix: str) -> list[tuple[int, dict | None, str]]:
    """Return (record number, object or None, error) for a json/jsonl file."""
    if suffix == ".jsonl":
        records = []
        for number, line in enumerate(raw_text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line), ""))
            except json.JSONDecodeError as error:
                records.append((number, None, f"line {number}: invalid JSON ({error.msg})"))
        return records
    try:
        data = json.loads(raw_text)
    except json.JSONDecodeError as error:
        return [(0, None, f"invalid JSON ({error.msg} at line {error.lineno})")]
    if isinstance(data, dict):
        return [(0, data, "")]
    if isinstance(data, list):
        return [(number, item, "") for number, item in enumerate(data, start=1)]
    return [(0, None, "JSON must be an object or a list of objects")]


def _read_html(raw_text: str) -> tuple[str, str]:
    import trafilatura

    text = trafilatura.extract(raw_text, include_comments=False, include_tables=False, favor_recall=True)
    metadata = trafilatura.extract_metadata(raw_text)
    title = (metadata.title if metadata and metadata.title else "") or ""
    return (text or "").strip(), title.strip()


def read_file(path: Path, relative: str, doc_id: str) -> tuple[list[Article], list[SkippedFile]]:
    """Read one article file.

    Args:
        path: File to read.
        relative: Its path relative to the data directory (POSIX).
        doc_id: Identifier for its article (records of a list get ``#n``).

    Returns:
        The articles read and the problems found (file or record skipped).
    """
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [], [SkippedFile(relative, f"cannot read file ({error.strerror})")]
    if not raw.strip():
        return [], [SkippedFile(relative, "empty file")]
    try:
        raw_text = decode_bytes(raw)
    except ValueError as error:
        return [], [SkippedFile(relative, str(error))]
    if suffix in TEXT_SUFFIXES:
        if not raw_text.strip():
            return [], [SkippedFile(relative, "empty file")]
        return [make_article(doc_id, relative, raw_text)], []
    if suffix in HTML_SUFFIXES:
        text, title = _read_html(raw_text)
        if not text:
            return [], [SkippedFile(relative, "no article text found in the HTML")]
        return [make_article(doc_id, relative, text, title=title)], []
    articles, skipped = [], []
    records = _records_from_json(raw_text, suffix)
    many = len(records) > 1 or suffix == ".jsonl"
    for number, record, error in records:
        where = f"{relative}:{number}" if many and number else relative
        if error:
            skipped.append(SkippedFile(relative, error))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            skipped.append(SkippedFile(where, "record has no non-empty 'text' field"))
            continue
        fields = {name: record.get(name) if isinstance(record.get(name), str) else None
                  for name in ("title", "url", "date", "source")}
        record_id = f"{doc_id}#{number}" if many else doc_id
        articles.append(make_article(record_id, relative, record["text"], **fields))
    return articles, skipped


def load_corpus(data_dir: Path) -> Corpus:
    """Read every article under ``data_dir`` (recursively, hidden files ignored).

    Args:
        data_dir: The data directory.

    Returns:
        Articles sorted by ``doc_id`` and the skipped files with reasons.

    Raises:
        CorpusError: When ``data_dir`` does not exist or is not a directory.
    """
    if not data_dir.is_dir():
        raise CorpusError(f"Data directory {data_dir} does not exist (put article files there, or pass --data DIR)")
    files = sorted(
        path for path in data_dir.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(data_dir).parts)
    )
    stems: dict[str, int] = {}
    for path in files:
        stem = path.relative_to(data_dir).with_suffix("").as_posix()
        stems[stem] = stems.get(stem, 0) + 1
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    for path in files:
        relative = path.relative_to(data_dir).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(SkippedFile(relative, f"unsupported file type {path.suffix or '(none)'}"))
            continue
        stem = path.relative_to(data_dir).with_suffix("").as_posix()
        doc_id = stem if stems[stem] == 1 else relative
        found, problems = read_file(path, relative, doc_id)
        articles.extend(found)
        skipped.extend(problems)
    for problem in skipped:
        log.warning("skipped %s: %s", problem.path, problem.reason)
    articles.sort(key=lambda article: article.doc_id)
    return Corpus(tuple(articles), tuple(skipped))
