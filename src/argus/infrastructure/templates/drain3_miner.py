"""`TemplateMiner` adapter over drain3: Drain clustering after regex masking, in memory only."""

from __future__ import annotations

import logging

from drain3 import TemplateMiner as _Drain3
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from argus.domain.analysis import Template

__all__ = ["Drain3TemplateMiner", "default_config"]

# drain3 logs every new cluster at INFO; a batch can create thousands.
logging.getLogger("drain3").setLevel(logging.WARNING)

# Specific shapes first, so that an IP is masked whole rather than as four numbers.
_MASKS = (
    (r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b", "UUID"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "IP"),
    (r"\b0[xX][0-9a-fA-F]+\b", "HEX"),
    (r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b", "HEX"),
    (r"[-+]?(?<![A-Za-z0-9.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", "NUM"),
)


def default_config(*, similarity: float = 0.5, depth: int = 4) -> TemplateMinerConfig:
    """A drain3 configuration built in code: masking on, no profiling, no snapshots."""
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    config.drain_sim_th = similarity
    config.drain_depth = depth
    config.drain_extra_delimiters = ["=", ","]
    config.masking_instructions = [MaskingInstruction(p, name) for p, name in _MASKS]
    config.mask_prefix, config.mask_suffix = "<", ">"
    return config


class Drain3TemplateMiner:
    """Mines templates with Drain; template ids are drain3's cluster ids (stable per instance)."""

    def __init__(self, config: TemplateMinerConfig | None = None) -> None:
        # No persistence handler: state lives and dies with the gather call.
        self._miner = _Drain3(
            persistence_handler=None, config=default_config() if config is None else config
        )

    def add(self, message: str) -> str:
        """Feed one message; return the id of its cluster."""
        result = self._miner.add_log_message(message)
        return str(result["cluster_id"])

    def templates(self) -> list[Template]:
        """Every cluster's current template, most frequent first (ties by id)."""
        clusters = sorted(self._miner.drain.clusters, key=lambda c: (-c.size, c.cluster_id))
        return [
            Template(template_id=str(c.cluster_id), template=c.get_template(), count=c.size)
            for c in clusters
        ]
