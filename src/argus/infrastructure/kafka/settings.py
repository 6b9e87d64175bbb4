"""Settings of the Kafka event bus (`ARGUS_KAFKA_*`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import SecretStr
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
    # SASL/SCRAM on the client listener (docs/decisions/0028-distributed-credentials.md):
    # the distributed roles refuse to start without a username and password.
    security_protocol: Literal["SASL_PLAINTEXT", "SASL_SSL", "PLAINTEXT"] = "SASL_PLAINTEXT"
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments of every aiokafka client: bootstrap, protocol and credentials."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL_"):
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": (
                    self.sasl_password.get_secret_value() if self.sasl_password else None
                ),
            }
        return options
