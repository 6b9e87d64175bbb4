"""The architecture docs and the README name files that exist.

Readers learn the design from `docs/architecture/` and follow its file names into the code; a
module renamed or removed without the docs following (the typer app's move from `cli/app.py`
went unnoticed in five records) sends them nowhere. Decision records are history and may name
what has since gone, so only the living docs are checked.
"""

from __future__ import annotations

import re
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
# Where a shortened name is looked for (not the venv, the build or the data).
_TREES = ("src", "native", "tests", "bench", "docs", "deployments", "mk")
_SOURCE_TREES = tuple(ROOT / tree for tree in _TREES)
# Files the commands write (named as outputs, not sources).
_OUTPUTS = frozenset({"eval.md"})


def named_files(doc: Path) -> list[str]:
    return sorted({m.group(1) for m in _NAMED_FILE.finditer(doc.read_text(encoding="utf-8"))})


def exists(name: str) -> bool:
    if any((ROOT / folder / name).exists() for folder in _FOLDERS):
        return True
    # A path shortened to its last parts (`blob/localfs.py`): some file must end with them.
    return any(any(tree.glob(f"**/{name}")) for tree in _SOURCE_TREES)


@pytest.mark.parametrize("doc", LIVING_DOCS, ids=lambda p: p.name)
def test_every_file_a_living_doc_names_exists(doc: Path) -> None:
    missing = [n for n in named_files(doc) if n not in _OUTPUTS and not exists(n)]
    assert missing == [], f"{doc.relative_to(ROOT)} names files that do not exist: {missing}"


def test_the_check_finds_a_file_that_is_gone(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("The commands live in `cli/app.py`; the parser in `parsing/native.py`.")
    assert named_files(doc) == ["cli/app.py", "parsing/native.py"]
    assert not exists("cli/app.py")
    assert exists("parsing/native.py")
