"""Analysis of a batch: gather rules, scoring, the typed `BatchSummary`, the rule diagnoser.

Pure logic over the parser summaries (standard library only). The application's use cases
(`argus.application.gathering`) load the inputs and store the results.
"""

from argus.domain.analysis._json import JsonObject
from argus.domain.analysis.anomaly import (
    ANOMALY_KINDS,
    NO_COMPONENT,
    SEVERITIES,
    Anomaly,
    Diagnosis,
    Evidence,
    TimeWindow,
    format_offset,
)
from argus.domain.analysis.findings import FileResult, Finding
from argus.domain.analysis.gather import GatherResult, gather
from argus.domain.analysis.precedents import Outcome, Precedent
from argus.domain.analysis.rule_diagnoser import ENGINE, RuleBasedDiagnoser, diagnose_offline
from argus.domain.analysis.rules import DEFAULT_RULES, GatherRules
from argus.domain.analysis.summary import (
    SUMMARY_VERSION,
    BatchSummary,
    FileEntry,
    ScoreBreakdown,
    Timeline,
    Totals,
    UncoveredRange,
)
from argus.domain.analysis.summary_parts import (
    ComponentDiagnostics,
    FileErrors,
    LargestGap,
    LogTemplate,
    ParseErrorLine,
    TopicSummary,
)
from argus.domain.analysis.templates import Template, TemplateMiner

__all__ = [
    "ANOMALY_KINDS",
    "DEFAULT_RULES",
    "ENGINE",
    "NO_COMPONENT",
    "SEVERITIES",
    "SUMMARY_VERSION",
    "Anomaly",
    "BatchSummary",
    "ComponentDiagnostics",
    "Diagnosis",
    "Evidence",
    "FileEntry",
    "FileErrors",
    "FileResult",
    "Finding",
    "GatherResult",
    "GatherRules",
    "JsonObject",
    "LargestGap",
    "LogTemplate",
    "Outcome",
    "ParseErrorLine",
    "Precedent",
    "RuleBasedDiagnoser",
    "ScoreBreakdown",
    "Template",
    "TemplateMiner",
    "TimeWindow",
    "Timeline",
    "TopicSummary",
    "Totals",
    "UncoveredRange",
    "diagnose_offline",
    "format_offset",
    "gather",
]
