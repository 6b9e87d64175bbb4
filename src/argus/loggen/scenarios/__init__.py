"""The labeled scenario suite: drive logs with known root causes, for scoring diagnoses."""

from argus.loggen.scenarios.catalogue import SCENARIOS, Scenario
from argus.loggen.scenarios.generate import generate_scenario
from argus.loggen.scenarios.truth import GROUND_TRUTH_FILE, ChainStep, GroundTruth, RootCause

__all__ = [
    "GROUND_TRUTH_FILE",
    "SCENARIOS",
    "ChainStep",
    "GroundTruth",
    "RootCause",
    "Scenario",
    "generate_scenario",
]
