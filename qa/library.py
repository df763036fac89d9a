"""Change the article files of a data directory: add, move to the trash, restore.

Nothing is ever deleted outright: a removed article file moves to
``data/.trash/<time>/<its path>`` (the corpus reader skips hidden folders) and
can be moved back. Added files are checked first (type, size, readable text)
and never overwrite an existing file. Callers hold the index's build lock
around a change and the rebuild that follows it (see
:meth:`qa.assistant.Assistant.add_articles`).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .corpus import SUPPORTED_SUFFIXES, read_file
from .types import SkippedFile

TRASH_DIR = ".trash"
_SAFE_NAME = re.compile(r"[^\w.\-\u0600-\u06FF\u200c]+")
_TRASH_STAMP = re.compile(r"^\d{8}-\d{6}-\d+$")


class LibraryError(ValueError):
    """A change to the articles cannot be made; ``code`` and ``params`` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.problem = SkippedFile(str(params.get("name", "")), code, params)
        super().__init__(self.problem.reason)


@dataclass(frozen=True)
class AddResult:
    """Files added to the data directory and files refused.

    Attributes:
        saved: Names of the files saved (relative to the data directory).
        rejected: One problem per refused file (``path`` is the name given).
    """

    saved: tuple[str, ...]
    rejected: tuple[SkippedFile, ...]


@dataclass(frozen=True)
class TrashedFile:
    """An article file in the trash.

    Attributes:
        entry: Its path inside the trash folder (``20261123-153000-1/a.txt``),
            the handle used to restore it.
        path: Where it was in the data directory (``a.txt``).
        removed_at: When it was removed, ``YYYY-MM-DD HH:MM:SS`` (local time).
    """

    entry: str
    path: str
    removed_at: str


def sanitize_name(name: str) -> str:
    """Return a safe file name for an uploaded article: no directories, no
    leading dot, only letters, digits, ``.-_`` and ZWNJ.

    Args:
        name: The name the browser sent.

    Returns:
        The name to save under.
    """
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE_NAME.sub("_", stem).strip("._") or "article"
    return stem[:100] + suffix


def add_files(data_dir: Path, uploads: Sequence[tuple[Path, str]], max_bytes: int) -> AddResult:
    """Check uploaded files and copy the good ones into the data directory.

    Args:
        data_dir: The data directory.
        uploads: ``(temporary file, name the user gave it)`` pairs.
        max_bytes: Largest article file accepted (checked before reading).

    Returns:
        What was saved and what was refused, with reasons.
    """
    saved: list[str] = []
    rejected: list[SkippedFile] = []
    data_dir.mkdir(parents=True, exist_ok=True)
    for source, given_name in uploads:
        name = sanitize_name(given_name)
        suffix = Path(name).suffix
        if suffix not in SUPPORTED_SUFFIXES:
            rejected.append(SkippedFile(given_name, "unsupported_type", {"suffix": suffix or "(none)"}))
            continue
        result = read_file(source, given_name, Path(name).stem, max_bytes)
        if not result.articles:
            rejected.append(result.skipped[0] if result.skipped else SkippedFile(given_name, "empty"))
            continue
        target = data_dir / name
        if target.exists():  # also a name saved earlier in this same upload
            rejected.append(SkippedFile(given_name, "exists", {"name": name}))
            continue
        # Copy beside the target, then rename: a crash never leaves half a file
        # that the next build would index.
        partial = data_dir / f".{name}.partial"
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        saved.append(name)
    return AddResult(tuple(saved), tuple(rejected))


def _inside(data_dir: Path, relative: str) -> Path:
    root = data_dir.resolve()
    target = (data_dir / relative).resolve()
    if root not in target.parents or any(part.startswith(".") for part in Path(relative).parts):
        raise LibraryError("not_found", name=relative)
    return target


def move_to_trash(data_dir: Path, relative: str) -> TrashedFile:
    """Move an article file into ``data/.trash/<time>/``, keeping its path.

    Args:
        data_dir: The data directory.
        relative: The file's path relative to ``data_dir``.

    Returns:
        The trash entry (to restore it).

    Raises:
        LibraryError: The file is not in the data directory.
    """
    target = _inside(data_dir, relative)
    if not target.is_file():
        raise LibraryError("not_found", name=relative)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    number = 1
    while (data_dir / TRASH_DIR / f"{stamp}-{number}").exists():
        number += 1
    folder = f"{stamp}-{number}"
    destination = data_dir / TRASH_DIR / folder / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.replace(target, destination)
    return TrashedFile(f"{folder}/{relative}", relative, _stamp_text(folder))


def _stamp_text(folder: str) -> str:
    day, clock = folder.split("-")[:2]
    return f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}:{clock[4:]}"


def list_trash(data_dir: Path) -> list[TrashedFile]:
    """Return the files in the trash, most recently removed first."""
    trash = data_dir / TRASH_DIR
    if not trash.is_dir():
        return []
    found = []
    for folder in trash.iterdir():
        if not (folder.is_dir() and _TRASH_STAMP.match(folder.name)):
            continue
        for path in folder.rglob("*"):
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                found.append(TrashedFile(f"{folder.name}/{relative}", relative, _stamp_text(folder.name)))
    return sorted(found, key=lambda item: (item.entry.split("/")[0], item.path), reverse=True)


def restore(data_dir: Path, entry: str) -> str:
    """Move a file from the trash back to where it was.

    Args:
        data_dir: The data directory.
        entry: :attr:`TrashedFile.entry`.

    Returns:
        Its path relative to the data directory.

    Raises:
        LibraryError: No such entry, or a file of that name exists again.
    """
    known = {item.entry: item for item in list_trash(data_dir)}
    item = known.get(entry)
    if item is None:
        raise LibraryError("not_in_trash", name=entry)
    target = data_dir / item.path
    if target.exists():
        raise LibraryError("exists", name=item.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = data_dir / TRASH_DIR / entry
    os.replace(source, target)
    folder = source.parent
    trash = data_dir / TRASH_DIR
    while folder != trash and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
    return item.path
