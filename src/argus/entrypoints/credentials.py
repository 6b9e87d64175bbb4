"""The distributed mode talks to its servers with credentials, or not at all.

Checked once, before a role connects, when the distributed adapters are chosen (the Kafka bus
or the S3 blob store): a server URL without a password, Kafka without SASL, or MinIO's
well-known default keys end the process with one line that names the variables
(docs/decisions/0028-distributed-credentials.md). The embedded mode (Redis Streams, local
blobs) makes its own servers and their credentials, and its parser worker processes are roles
too, so it is not checked here.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from argus.config import Settings, SettingsError

# Keys every MinIO and many S3 look-alikes accept out of the box: never ours.
DEFAULT_S3_KEYS = frozenset({("minioadmin", "minioadmin")})


def credential_problems(settings: Settings) -> list[str]:
    """What is missing, one phrase per variable; empty when every server has credentials or
    the process is not in the distributed mode."""
    if settings.kafka.bootstrap is None and settings.s3 is None:
        return []
    problems = []
    if settings.postgres.url is not None and not _authenticates(settings.postgres.url):
        problems.append("ARGUS_PG_URL has no password (postgresql://user:password@host/db)")
    if settings.redis.url is not None and not _authenticates(settings.redis.url):
        problems.append("ARGUS_REDIS_URL has no password (redis://user:password@host:port/0)")
    kafka = settings.kafka
    if kafka.bootstrap is not None:
        if not kafka.security_protocol.startswith("SASL_"):
            problems.append(f"ARGUS_KAFKA_SECURITY_PROTOCOL={kafka.security_protocol} sends none")
        elif not kafka.sasl_username or kafka.sasl_password is None:
            problems.append("ARGUS_KAFKA_SASL_USERNAME and ARGUS_KAFKA_SASL_PASSWORD are needed")
        elif not kafka.sasl_password.get_secret_value():
            problems.append("ARGUS_KAFKA_SASL_PASSWORD is empty")
    s3 = settings.s3
    if s3 is not None:
        keys = (s3.access_key_id, s3.secret_access_key.get_secret_value())
        if keys in DEFAULT_S3_KEYS:
            problems.append(
                "ARGUS_S3_ACCESS_KEY_ID/ARGUS_S3_SECRET_ACCESS_KEY are MinIO's defaults"
            )
        elif not keys[1]:
            problems.append("ARGUS_S3_SECRET_ACCESS_KEY is empty")
    return problems


def require_credentials(settings: Settings) -> None:
    """Raise `SettingsError` unless every external server is reached with credentials."""
    problems = credential_problems(settings)
    if problems:
        raise SettingsError(
            "the distributed mode needs credentials for every server: "
            + "; ".join(problems)
            + " (make infra-up writes them to var/infra.env)"
        )


def _authenticates(url: str) -> bool:
    """A password in the URL, or a client certificate (TLS client authentication)."""
    parts = urlsplit(url)
    if parts.password:
        return True
    query = parse_qs(parts.query)
    return bool(query.get("sslcert") or query.get("ssl_certfile"))
