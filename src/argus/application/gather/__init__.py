"""Gather: merge a batch's per-file summaries into one summary and its Top-K anomalies."""

from argus.application.gather.model import DEFAULT_RULES, FileResult, GatherResult, GatherRules
from argus.application.gather.ports import Template, TemplateMiner
from argus.application.gather.service import SUMMARY_VERSION, gather
from argus.application.gather.simple_miner import SimpleTemplateMiner, mask_message

__all__ = [
    "DEFAULT_RULES",
    "SUMMARY_VERSION",
    "FileResult",
    "GatherResult",
    "GatherRules",
    "SimpleTemplateMiner",
    "Template",
    "TemplateMiner",
    "gather",
    "mask_message",
]
