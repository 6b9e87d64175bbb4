"""Settings of the Kafka event bus (`ARGUS_KAFKA_*`)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """`bootstrap` set → the Kafka bus replaces Redis Streams."""

    model_config = SettingsConfigDict(env_prefix="ARGUS_KAFKA_")

    bootstrap: str | None = None
    # Topics are `{topic_prefix}.events.{family}`: several deployments can share a cluster.
    topic_prefix: str = "argus"
    # Scatter partitions bound how many parser workers can work at once.
    scatter_partitions: int = 12
    partitions: int = 6
    request_timeout_ms: int = 30_000
    # A parse of a multi-GB file may take minutes between two polls.
    max_poll_interval_ms: int = 30 * 60 * 1000
    session_timeout_ms: int = 10_000
    poll_timeout_ms: int = 500
