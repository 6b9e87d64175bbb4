"""The parser contract has one home: the C++ core and the Python side agree on its numbers,
its error kinds and its JSON Schema, and the golden corpus holds both engines to the spec."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from argus.domain import parse_limits
from argus.domain.parsed_file import SCHEMA_VERSION, ErrorKind
from argus.infrastructure.parsing import PythonMcapParser
from argus.infrastructure.parsing.native import NativeMcapParser, native_available
from tests.native.builders import SCHEMA, validate
from tests.native.golden_inputs import INPUTS

GOLDEN = Path(__file__).parent / "golden"
needs_native = pytest.mark.skipif(not native_available(), reason="argus._native is not built")
pytestmark = [pytest.mark.unit]


@needs_native
def test_the_core_and_python_share_every_limit() -> None:
    from argus import _native

    assert _native.LIMITS == parse_limits.LIMITS


@needs_native
def test_the_core_and_python_share_the_error_kinds_in_order() -> None:
    from argus import _native

    assert tuple(kind.value for kind in ErrorKind) == _native.ERROR_KINDS


def test_the_json_schema_matches_the_domain() -> None:
    errors = SCHEMA["$defs"]["error"]["properties"]["kind"]["enum"]
    assert errors == [kind.value for kind in ErrorKind]
    props = SCHEMA["properties"]
    assert props["schema_version"]["const"] == SCHEMA_VERSION
    assert props["errors"]["maxItems"] == parse_limits.MAX_ERRORS
    assert props["log_events"]["maxItems"] == parse_limits.MAX_EVENTS_PER_KIND
    assert props["diagnostic_events"]["maxItems"] == parse_limits.MAX_EVENTS_PER_KIND


def test_the_json_schema_refuses_an_unknown_error_kind() -> None:
    golden = json.loads((GOLDEN / "bad-crc.json").read_text())
    summary = {**golden, "engine": "python"}
    summary["errors"] = [{**summary["errors"][0], "message": "", "kind": "corrupt"}]
    with pytest.raises(Exception, match="corrupt"):
        validate(summary)


def test_every_golden_input_has_an_expectation() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(INPUTS)


def _engines() -> list[Any]:
    engines: list[Any] = [PythonMcapParser()]
    if native_available():
        engines += [NativeMcapParser(threads=1), NativeMcapParser(threads=4, threads_from_bytes=0)]
    return engines


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_both_engines_give_the_golden_summary(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    data = INPUTS[name]()
    for engine in _engines():
        summary = validate(engine.parse(io.BytesIO(data)).to_dict())
        assert summary.pop("engine") == engine.engine
        # Golden files leave the messages out: their wording is each engine's own.
        errors = [{k: v for k, v in e.items() if k != "message"} for e in summary["errors"]]
        assert {**summary, "errors": errors} == expected, engine.engine


@needs_native
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_a_file_read_in_place_gives_the_summary_of_its_bytes_fed(name: str, tmp_path: Path) -> None:
    from argus import _native

    data = INPUTS[name]()
    path = tmp_path / "input.mcap"
    path.write_bytes(b"junk" + data)  # the mapping then starts inside a page
    fed = _native.Parser(threads=1)
    fed.feed(data)
    expected = fed.finish()
    for options in (
        {"map_from_bytes": 1},
        {"map_from_bytes": 1, "threads": 3},
        {"map_from_bytes": 0},
    ):
        with open(path, "rb") as stream:
            stream.seek(4)
            assert _native.parse_fd(stream.fileno(), threads_from_bytes=0, **options) == expected
