"""The index directory on disk: build directories, the manifest, the atomic swap.

Layout of an index directory::

    index/
      CURRENT                 name of the active build directory (swapped atomically)
      .lock                   held while a build runs (qa.locking)
      build-<time>-<pid>/
        manifest.json         format, embedder, chunking, document hashes, counts,
                              vector store, and size/mtime/SHA-256 of every file
        articles.jsonl        one article per line (text included: citations quote it)
        articles.offsets.npy  byte offset of each line, to read one article without the rest
        article_ids.json      doc_ids in row order
        chunks/*.npy          chunk table: ids, article row, offsets, sentence spans
        sentences/*.npy       sentence table, sorted by (article row, start)
        vectors/              the vector store's files (FAISS, or a Milvus Lite file)
        lexical/              bm25s index over search-key tokens

Plain files only (JSON, ``.npy`` with pickling disabled, FAISS and bm25s
formats). A build is written beside the active one and ``CURRENT`` is
replaced only when it is complete, so a crash leaves the previous index.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import sha256_file

# 3: compact chunk/sentence tables, vector store seam, file size+mtime.
FORMAT_VERSION = 3
POINTER_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"


class IndexUnavailable(RuntimeError):
    """No usable index: missing, damaged, or made by another embedder/format."""


@dataclass(frozen=True)
class Manifest:
    """What an index holds and how it was made (``manifest.json``).

    Attributes:
        vector_store: ``{"store": name, "chunks": description, "sentences": description}``
            as the store's ``save`` described them.
        files: Per file (relative path): ``{"size", "mtime_ns", "sha256"}``.
            Opening compares size and mtime; ``qa index verify`` hashes.
    """

    format_version: int
    embedder: str
    embedder_id: str
    dimension: int
    chunking: dict
    documents: dict[str, str]
    articles: int
    chunks: int
    sentences: int
    built_at: str
    build_seconds: float
    data_dir: str
    vector_store: dict
    files: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the JSON form."""
        return asdict(self)


_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "format_version": int, "embedder": str, "embedder_id": str, "dimension": int, "chunking": dict,
    "documents": dict, "articles": int, "chunks": int, "sentences": int, "built_at": str,
    "build_seconds": (int, float), "data_dir": str, "vector_store": dict, "files": dict,
}


def _manifest_problem(data: object) -> str | None:
    """Return what is wrong with a parsed manifest, or None when it has the right shape."""
    if not isinstance(data, dict):
        return f"manifest.json holds a {type(data).__name__}, not an object"
    version = data.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != FORMAT_VERSION:
        return None  # another format: reported as such by read_manifest
    for name, kind in _MANIFEST_TYPES.items():
        if name not in data:
            return f"manifest.json has no {name!r}"
        if not isinstance(data[name], kind) or isinstance(data[name], bool):
            return f"manifest.json field {name!r} is a {type(data[name]).__name__}"
    unknown = set(data) - set(_MANIFEST_TYPES)
    if unknown:
        return f"manifest.json has unknown fields {sorted(unknown)}"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in data["documents"].items()):
        return "manifest.json field 'documents' must map names to strings"
    for name, record in data["files"].items():
        if not (isinstance(record, dict) and isinstance(record.get("size"), int)
                and isinstance(record.get("mtime_ns"), int) and isinstance(record.get("sha256"), str)):
            return f"manifest.json entry for {name!r} must have size, mtime_ns and sha256"
    stores = data["vector_store"]
    if not (isinstance(stores.get("store"), str) and isinstance(stores.get("chunks"), dict)
            and isinstance(stores.get("sentences"), dict)):
        return "manifest.json field 'vector_store' must name the store and describe chunks and sentences"
    return None


def active_build(index_dir: Path) -> Path | None:
    """Return the active build directory of an index, or None if there is none."""
    pointer = index_dir / POINTER_FILE
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    return index_dir / name if name else None


def read_manifest(index_dir: Path) -> Manifest:
    """Read and check the manifest of the active build.

    Raises:
        IndexUnavailable: When there is no index, the manifest is damaged
            (not JSON, or JSON of the wrong shape), or it has another format.
    """
    build = active_build(index_dir)
    if build is None or not (build / MANIFEST_FILE).is_file():
        raise IndexUnavailable(f"No index in {index_dir}. Run `qa index build` to create it.")
    try:
        data = json.loads((build / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnavailable(f"The index in {index_dir} is damaged ({error}). Run `qa index build --full`.") from error
    problem = _manifest_problem(data)
    if problem:
        raise IndexUnavailable(f"The index in {index_dir} is damaged ({problem}). Run `qa index build --full`.")
    if data["format_version"] != FORMAT_VERSION:
        raise IndexUnavailable(
            f"The index in {index_dir} has format {data['format_version']}; this version reads format "
            f"{FORMAT_VERSION}. Run `qa index build` to rebuild it."
        )
    return Manifest(**data)


def new_build_directory(index_dir: Path) -> Path:
    """Create and return an empty build directory beside the active one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"build-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 1_000_000}"
    target = index_dir / name
    target.mkdir()
    return target


def file_records(build: Path, skip: tuple[str, ...] = ()) -> dict[str, dict]:
    """Return ``{relative path: {"size", "mtime_ns", "sha256"}}`` for the files
    of a build, except those under the ``skip`` prefixes (a live database file)."""
    records = {}
    for path in sorted(build.rglob("*")):
        name = str(path.relative_to(build))
        if path.is_file() and name != MANIFEST_FILE and not name.startswith(skip):
            status = path.stat()
            records[name] = {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "sha256": sha256_file(path)}
    return records


def check_files(build: Path, records: dict[str, dict], full: bool = False) -> list[str]:
    """Return the files of a build that are missing or damaged.

    Args:
        build: Build directory.
        records: The manifest's file records.
        full: Hash every file. Otherwise a file whose size differs is damaged,
            one whose size and mtime match is taken as written, and only one
            whose mtime changed (copied without it) is hashed.

    Returns:
        Relative paths of bad files, empty when all are good.
    """
    bad = []
    for name, record in records.items():
        path = build / name
        try:
            status = path.stat()
        except OSError:
            bad.append(name)
            continue
        if status.st_size != record["size"]:
            bad.append(name)
        elif (full or status.st_mtime_ns != record["mtime_ns"]) and sha256_file(path) != record["sha256"]:
            bad.append(name)
    return bad


def commit_build(index_dir: Path, build: Path, manifest: Manifest) -> None:
    """Write the manifest, flush everything to disk, then point ``CURRENT`` at the build."""
    (build / MANIFEST_FILE).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=1))
    for path in build.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    pointer = index_dir / (POINTER_FILE + ".tmp")
    pointer.write_text(build.name)
    with pointer.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(pointer, index_dir / POINTER_FILE)


def stale_builds(index_dir: Path) -> list[Path]:
    """Return the build directories that are not active (older or crashed builds)."""
    active = active_build(index_dir)
    return [path for path in index_dir.glob("build-*") if path.is_dir() and path != active]


def remove_build_directory(build: Path) -> None:
    """Delete a build directory."""
    shutil.rmtree(build, ignore_errors=True)
