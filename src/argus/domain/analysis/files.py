"""Per-file status, parse errors and `parse_failure` findings.

A file that failed, stopped early or reported read errors leaves part of the drive unobserved;
that is worth a finding of its own (attributed to the `recorder`, which wrote the file), and it
tells the topic rules which time ranges to leave out of dropout detection.
"""

from __future__ import annotations

from collections.abc import Sequence

from argus.domain.analysis.anomaly import Evidence
from argus.domain.analysis.findings import FileResult, Finding
from argus.domain.analysis.rules import GatherRules
from argus.domain.analysis.summary import FileEntry
from argus.domain.analysis.summary_parts import FileErrors, ParseErrorLine
from argus.domain.analysis.text import plural, shorten
from argus.domain.analysis.timeline import natural_key
from argus.domain.parsed_file import ParsedFile, ParseError

__all__ = ["RECORDER", "analyse_files"]

RECORDER = "recorder"
FAILED_BASE, PARTIAL_BASE, READ_ERRORS_BASE = 2.0, 1.5, 0.5


def analyse_files(
    files: Sequence[FileResult], *, rules: GatherRules
) -> tuple[list[FileEntry], dict[str, FileErrors], list[Finding]]:
    """File list (in name order), parse errors per file and one finding per problem file."""
    listing: list[FileEntry] = []
    errors: dict[str, FileErrors] = {}
    findings: list[Finding] = []
    for f in sorted(files, key=lambda f: natural_key(f.file_name)):
        listing.append(_listing(f))
        if f.parsed is None:
            reason = f.failure_reason or "unknown error"
            errors[f.file_name] = FileErrors(failed=True, reason=reason, errors=())
            findings.append(_failed(f.file_name, reason, rules))
        elif not f.parsed.complete or f.parsed.errors:
            errors[f.file_name] = FileErrors(
                failed=f.failure_reason is not None,
                reason=f.failure_reason,
                complete=f.parsed.complete,
                error_count=len(f.parsed.errors),
                errors=tuple(
                    _error_line_of(e, rules) for e in f.parsed.errors[: rules.max_errors_per_file]
                ),
            )
            findings.append(_partial(f.file_name, f.parsed, rules))
    return listing, errors, findings


def _listing(f: FileResult) -> FileEntry:
    p = f.parsed
    if p is None or f.failure_reason is not None:
        status = "failed"
    else:
        status = "parsed" if p.complete else "partial"
    return FileEntry(
        name=f.file_name,
        status=status,
        engine=None if p is None else p.engine,
        start_ns=None if p is None else p.start_ns,
        end_ns=None if p is None else p.end_ns,
        messages=0 if p is None else p.message_count,
    )


def _error_line_of(e: ParseError, rules: GatherRules) -> ParseErrorLine:
    return ParseErrorLine(
        kind=e.kind, message=shorten(e.message, rules.max_detail_chars), offset=e.offset
    )


def _failed(file_name: str, reason: str, rules: GatherRules) -> Finding:
    return Finding(
        kind="parse_failure",
        component=RECORDER,
        title=f"{file_name} could not be parsed: {shorten(reason, 80)}",
        start_ns=None,
        end_ns=None,
        evidence=(Evidence(file_name, None, shorten(reason, rules.max_detail_chars)),),
        base=FAILED_BASE,
    )


def _partial(file_name: str, parsed: ParsedFile, rules: GatherRules) -> Finding:
    first = parsed.errors[0].message if parsed.errors else "reading stopped early"
    if parsed.complete:
        title = f"{file_name} has {plural(len(parsed.errors), 'read error')}"
    else:
        title = f"{file_name} was read only partly"
    evidence = tuple(
        Evidence(file_name, None, shorten(_error_line(e), rules.max_detail_chars))
        for e in parsed.errors[: rules.max_evidence]
    ) or (Evidence(file_name, parsed.end_ns, "reading stopped before the end of the file"),)
    return Finding(
        kind="parse_failure",
        component=RECORDER,
        title=f"{title}: {shorten(first, 80)}",
        # Only where reading stopped is a time; read errors have a byte offset instead.
        start_ns=None,
        end_ns=None,
        evidence=evidence,
        base=READ_ERRORS_BASE if parsed.complete else PARTIAL_BASE,
        count=max(1, len(parsed.errors)),
    )


def _error_line(e: ParseError) -> str:
    where = f" at byte {e.offset}" if e.offset is not None else ""
    return f"{e.kind}{where}: {e.message}"
