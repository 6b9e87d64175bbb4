"""MAX_JSON_DEPTH and the spec's depth scan, in both engines (docs/schemas/parsed-file.md)."""

from __future__ import annotations

import pytest

from argus.domain.parse_limits import MAX_JSON_DEPTH
from argus.infrastructure.parsing.native import native_available
from tests.native.builders import comparable, json_log_file, summaries

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(not native_available(), reason="argus._native is not built"),
]


def _nested(depth: int) -> bytes:
    """A JSON log whose containers nest `depth` deep (the log object itself is one)."""
    inner = depth - 1
    return ('{"level": 20, "x": ' + "[" * inner + "0" + "]" * inner + "}").encode()


@pytest.mark.parametrize("chunked", [True, False])
def test_json_nesting_fails_past_max_json_depth_in_both_engines(chunked: bool) -> None:
    for depth in (1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH):
        expected, actual = summaries(json_log_file(_nested(depth), chunked=chunked))
        assert comparable(actual) == comparable(expected) and expected["errors"] == [], depth
        assert expected["log_levels"]["INFO"] == 1
    expected, actual = summaries(json_log_file(_nested(MAX_JSON_DEPTH + 1), chunked=chunked))
    assert comparable(actual) == comparable(expected)
    assert [e["kind"] for e in expected["errors"]] == ["json_too_deep"]


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        # Too deep wins over any syntax error, wherever it is: the depth scan runs first.
        (b"[" * 65 + b"}", "json_too_deep"),
        (b'{"level": 20, "x": ' + b"[" * 65 + b"}", "json_too_deep"),
        # Brackets inside strings, escaped quotes included, do not nest.
        (b'{"level": 20, "x": "' + b"[" * 65 + b'\\"]"}', None),
        (b'{"level": 20, "x": "\\"' + b"[" * 65 + b'"}', None),
        # Unbalanced closers lower the count; the syntax error is then bad_json.
        (b"]]" + b"[" * 65, "bad_json"),
    ],
    ids=["deep-and-invalid", "deep-member", "brackets-in-string", "escaped-quote", "closers-first"],
)
def test_json_depth_scan_is_the_specified_one(payload: bytes, kind: str | None) -> None:
    expected, actual = summaries(json_log_file(payload))
    assert comparable(actual) == comparable(expected)
    assert [e["kind"] for e in expected["errors"]] == ([kind] if kind else [])
