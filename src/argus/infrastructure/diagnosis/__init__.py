"""Diagnoser adapters."""

from argus.infrastructure.diagnosis.rule_based import ENGINE, RuleBasedDiagnoser, diagnose_offline

__all__ = ["ENGINE", "RuleBasedDiagnoser", "diagnose_offline"]
