"""The architecture docs and the README name files that are part of the repository.

Readers learn the design from `docs/architecture/` and follow its file names into the code; a
module renamed or removed without the docs following (the typer app's move from `cli/app.py`
went unnoticed in five records) sends them nowhere. Decision records are history and may name
what has since gone, so only the living docs are checked. A name counts only when a file in the
repository has it: what a run left in the work tree (`var/`, builds, the venv) does not, so the
check passes or fails alike on a fresh clone and on a developer's machine. A short name
(`ports.py`) passes when any tracked file ends with it: a rename of one of several files of
that name goes unseen.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIVING_DOCS = [*sorted((ROOT / "docs" / "architecture").glob("*.md")), ROOT / "README.md"]

# A file name in backticks, as the docs write them: `entrypoints/http_body.py`, `bench/upload.py`.
_NAMED_FILE = re.compile(
    r"`([A-Za-z0-9_][A-Za-z0-9_./-]*\.(?:py|cpp|hpp|go|toml|sh|sql|md))(?::\d+)?`"
)
# The docs name files relative to whichever folder the sentence is about.
_FOLDERS = ("", "src/argus/", "src/", "native/", "native/src/", "tests/", "docs/", "bench/")
# What the commands write: named in the docs as outputs, never in the repository
# (`var/` is ignored by git; `eval.md` is the report `argus eval` writes where it is told).
_OUTPUT_FOLDERS = ("var/",)
_OUTPUTS = frozenset({"eval.md"})


# What .gitignore leaves out of the repository, for a copy without git (an exported tree).
_NOT_IN_REPOSITORY = frozenset({".git", ".venv", "var", "build", "dist", "__pycache__"})


@cache
def repository_files() -> frozenset[str]:
    """The repository's files (tracked or new, not ignored), relative to its root."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):  # no git, or not a git work tree
        return frozenset(
            path.relative_to(ROOT).as_posix()
            for path in ROOT.rglob("*")
            if path.is_file() and not _NOT_IN_REPOSITORY & set(path.relative_to(ROOT).parts)
        )
    return frozenset(listed.stdout.splitlines())


def named_files(doc: Path) -> list[str]:
    return sorted({m.group(1) for m in _NAMED_FILE.finditer(doc.read_text(encoding="utf-8"))})


def is_output(name: str) -> bool:
    return name in _OUTPUTS or name.startswith(_OUTPUT_FOLDERS)


def exists(name: str, files: frozenset[str]) -> bool:
    if any(folder + name in files for folder in _FOLDERS):
        return True
    # A path shortened to its last parts (`blob/localfs.py`): some file must end with them.
    return any(path.endswith("/" + name) for path in files)


@pytest.mark.parametrize("doc", LIVING_DOCS, ids=lambda p: p.name)
def test_every_file_a_living_doc_names_exists(doc: Path) -> None:
    files = repository_files()
    missing = [n for n in named_files(doc) if not is_output(n) and not exists(n, files)]
    assert missing == [], f"{doc.relative_to(ROOT)} names files that do not exist: {missing}"


def test_the_check_finds_a_file_that_is_gone(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("The commands live in `cli/app.py`; the parser in `parsing/native.py`.")
    assert named_files(doc) == ["cli/app.py", "parsing/native.py"]
    files = repository_files()
    assert not exists("cli/app.py", files)
    assert exists("parsing/native.py", files)


def test_a_file_left_in_the_work_tree_is_not_part_of_the_repository() -> None:
    # Written by every bench run, ignored by git: present here, absent from a fresh clone.
    assert not exists("var/bench/compare-latest.md", repository_files())
    assert is_output("var/bench/compare-latest.md")
