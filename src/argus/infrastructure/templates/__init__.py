"""Log template mining adapters."""

from argus.infrastructure.templates.drain3_miner import Drain3TemplateMiner, default_config

__all__ = ["Drain3TemplateMiner", "default_config"]
