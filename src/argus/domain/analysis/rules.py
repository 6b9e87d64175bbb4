"""Tunable thresholds of the gather stage, and the unit every rule counts time in."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_RULES", "NS_PER_S", "GatherRules"]

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class GatherRules:
    """Detection thresholds; docs/architecture/gather-and-diagnosis.md explains the defaults."""

    dropout_period_factor: float = 10.0
    dropout_floor_s: float = 0.5
    # Fewer messages than this give no trustworthy period, so no dropout or rate verdict.
    min_messages_for_rate: int = 10
    degraded_rate_fraction: float = 0.5
    # Topics that publish on events, not on a clock: silence there is normal.
    event_topics: frozenset[str] = frozenset(
        {"/rosout", "/rosout_agg", "/parameter_events", "/tf_static"}
    )
    event_schemas: frozenset[str] = frozenset(
        {"rcl_interfaces/msg/Log", "rcl_interfaces/msg/ParameterEvent"}
    )
    # Silences shared by this many watched topics are the recorder's, not the sensors'.
    shared_silence_fraction: float = 0.5
    shared_silence_min_topics: int = 3
    shared_silence_tolerance_s: float = 1.0
    burst_min_events: int = 5
    burst_window_s: float = 5.0
    # A component that stays in ERROR/STALE this long counts twice as far past the threshold.
    diagnostic_persist_s: float = 5.0
    correlation_margin_s: float = 5.0
    max_templates: int = 20
    max_evidence: int = 3
    max_detail_chars: int = 160
    max_errors_per_file: int = 5


DEFAULT_RULES = GatherRules()
