"""The ground truth written beside every scenario batch: what went wrong, and how it spread."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from argus.domain.analysis import NO_COMPONENT, SEVERITIES

__all__ = [
    "GROUND_TRUTH_FILE",
    "GROUND_TRUTH_VERSION",
    "TOPIC_EFFECTS",
    "ChainStep",
    "GroundTruth",
    "RootCause",
]

GROUND_TRUTH_FILE = "ground_truth.json"
GROUND_TRUTH_VERSION = 1
# How a step shows on its topics: no messages, fewer messages, changed content, or a jump of
# the recording clock.
TOPIC_EFFECTS = ("silent", "slow", "content", "clock-jump")


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One step of a propagation chain and where it shows in the recording.

    Times are seconds from the batch start as recorded (`log_time`), so after a clock jump they
    include the jump, like the evidence a diagnosis cites.
    """

    component: str
    event: str
    start_s: float
    end_s: float
    topics: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()
    topic_effect: str | None = None

    def __post_init__(self) -> None:
        if (self.topic_effect is None) != (not self.topics):
            raise ValueError("a step names a topic effect exactly when it names topics")
        if self.topic_effect is not None and self.topic_effect not in TOPIC_EFFECTS:
            raise ValueError(f"topic_effect must be one of {TOPIC_EFFECTS}")


@dataclass(frozen=True, slots=True)
class RootCause:
    """One independent fault: the component to blame, how bad, and the chain from it."""

    component: str
    severity: str
    label: str
    chain: tuple[ChainStep, ...]

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        # Steps are in causal order, which is time order except across a backward clock jump.
        if not self.chain or self.chain[0].component != self.component:
            raise ValueError("a chain starts at its root cause's component")


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What a correct diagnosis of one generated batch says; `root_causes` is empty if healthy."""

    scenario: str
    seed: int
    duration_s: float
    files: tuple[str, ...]
    root_causes: tuple[RootCause, ...]
    version: int = GROUND_TRUTH_VERSION

    @property
    def healthy(self) -> bool:
        return not self.root_causes

    @property
    def component(self) -> str:
        """The component to blame first ("none" when healthy)."""
        return self.root_causes[0].component if self.root_causes else NO_COMPONENT

    @property
    def severity(self) -> str:
        """The worst severity among the root causes ("info" when healthy)."""
        levels = [SEVERITIES.index(cause.severity) for cause in self.root_causes]
        return SEVERITIES[max(levels, default=0)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the fields, plus `healthy`, `component` and `severity` for readers."""
        return {
            **asdict(self),
            "healthy": self.healthy,
            "component": self.component,
            "severity": self.severity,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroundTruth:
        """Read the JSON form back (the derived keys are recomputed, not trusted)."""
        if data.get("version") != GROUND_TRUTH_VERSION:
            raise ValueError(f"unsupported ground truth version {data.get('version')!r}")
        causes = tuple(
            RootCause(
                component=c["component"],
                severity=c["severity"],
                label=c["label"],
                chain=tuple(_step(s) for s in c["chain"]),
            )
            for c in data["root_causes"]
        )
        return cls(
            scenario=data["scenario"],
            seed=data["seed"],
            duration_s=data["duration_s"],
            files=tuple(data["files"]),
            root_causes=causes,
        )

    @classmethod
    def from_json(cls, text: str) -> GroundTruth:
        return cls.from_dict(json.loads(text))


def _step(data: dict[str, Any]) -> ChainStep:
    return ChainStep(
        component=data["component"],
        event=data["event"],
        start_s=data["start_s"],
        end_s=data["end_s"],
        topics=tuple(data["topics"]),
        nodes=tuple(data["nodes"]),
        diagnostics=tuple(data["diagnostics"]),
        topic_effect=data["topic_effect"],
    )
