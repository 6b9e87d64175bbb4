"""Key, stream and group names in one place (docs/schemas/redis.md mirrors this module)."""

from __future__ import annotations

KEY_PREFIX = "argus"


def event_stream(family: str) -> str:
    """Redis Stream (or Kafka topic) carrying one event family."""
    return f"{KEY_PREFIX}:events:{family}"


DEAD_LETTER_STREAM = f"{KEY_PREFIX}:events:dead-letter"


def event_topic(family: str, prefix: str = KEY_PREFIX) -> str:
    """Kafka topic of one event family (Kafka names allow no ':')."""
    return f"{prefix}.events.{family}"


def dead_letter_topic(prefix: str = KEY_PREFIX) -> str:
    return f"{prefix}.events.dead-letter"


def barrier_key(batch_id: str) -> str:
    """Hash: field `total` plus one field per finished file id."""
    return f"{KEY_PREFIX}:batch:{batch_id}:barrier"


def report_cache_key(batch_id: str) -> str:
    return f"{KEY_PREFIX}:report:{batch_id}"


def report_lease_key(batch_id: str) -> str:
    """Held by the one process reading `batch_id`'s report from PostgreSQL (decision 0030)."""
    return f"{KEY_PREFIX}:report-lease:{batch_id}"


def progress_stream_key(batch_id: str) -> str:
    return f"{KEY_PREFIX}:batch:{batch_id}:sse"


def progress_seen_key(batch_id: str) -> str:
    return f"{KEY_PREFIX}:batch:{batch_id}:sse:seen"


def health_key(role: str, member: str) -> str:
    """Set with a short TTL by a live worker process."""
    return f"{KEY_PREFIX}:health:{role}:{member}"


# Consumer groups, one per role.
GROUP_ORCHESTRATOR = "orchestrator"
GROUP_PARSERS = "parsers"
GROUP_AGGREGATORS = "aggregators"
GROUP_AGENTS = "agents"
GROUP_PROGRESS = "progress"


def rate_limit_key(caller: str) -> str:
    """Hash `tokens`, `ms`: one caller's token bucket (caller = token hash or address)."""
    return f"{KEY_PREFIX}:rate:{caller}"
