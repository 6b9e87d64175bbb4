"""Which settings the distributed roles accept as credentials (entrypoints/credentials.py):
a table of URLs, Kafka and S3 settings, each either accepted or named in the refusal."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from argus.config import Settings, SettingsError
from argus.entrypoints.credentials import credential_problems, require_credentials
from argus.infrastructure.kafka.settings import KafkaSettings
from argus.infrastructure.s3.settings import S3Settings

pytestmark = pytest.mark.unit

PG = "postgresql://argus:pw@127.0.0.1:5432/argus"
REDIS = "redis://argus:pw@127.0.0.1:6379/0"


def settings(
    pg: str | None = PG,
    redis: str | None = REDIS,
    kafka: KafkaSettings | None = None,
    s3_keys: tuple[str, str] | None = None,
) -> Settings:
    """Distributed settings (the Kafka bus, SCRAM) with the given servers."""
    loaded = Settings()
    loaded.postgres.url = pg
    loaded.redis.url = redis
    loaded.kafka = kafka if kafka is not None else KafkaSettings.model_validate(SCRAM_BUS)
    if s3_keys is not None:
        loaded.s3 = S3Settings(
            endpoint_url="http://127.0.0.1:9000",
            bucket="argus",
            access_key_id=s3_keys[0],
            secret_access_key=SecretStr(s3_keys[1]),
        )
    return loaded


def kafka(**fields: object) -> KafkaSettings:
    return KafkaSettings.model_validate({"bootstrap": "127.0.0.1:9092", **fields})


SCRAM = {"sasl_username": "argus", "sasl_password": "pw"}
SCRAM_BUS = {"bootstrap": "127.0.0.1:9092", **SCRAM}


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: settings(), None),
        (lambda: settings(pg=None, redis=None), None),  # nothing external: nothing to check
        (lambda: settings(pg="postgresql://argus@127.0.0.1/argus"), "ARGUS_PG_URL"),
        (lambda: settings(pg="postgresql://argus:@127.0.0.1/argus"), "ARGUS_PG_URL"),
        (lambda: settings(pg="postgresql://argus@h/argus?sslcert=/c.crt&sslkey=/c.key"), None),
        (lambda: settings(redis="redis://127.0.0.1:6379/0"), "ARGUS_REDIS_URL"),
        (lambda: settings(redis="rediss://h:6380/0?ssl_certfile=/c.crt"), None),
        (lambda: settings(kafka=kafka(**SCRAM)), None),
        (lambda: settings(kafka=kafka()), "ARGUS_KAFKA_SASL_USERNAME"),
        (lambda: settings(kafka=kafka(sasl_username="argus")), "ARGUS_KAFKA_SASL_PASSWORD"),
        (
            lambda: settings(kafka=kafka(**(SCRAM | {"sasl_password": ""}))),
            "ARGUS_KAFKA_SASL_PASSWORD",
        ),
        (
            lambda: settings(kafka=kafka(**SCRAM | {"security_protocol": "PLAINTEXT"})),
            "ARGUS_KAFKA_SECURITY_PROTOCOL",
        ),
        (lambda: settings(s3_keys=("argus-app", "generated-secret")), None),
        (lambda: settings(s3_keys=("minioadmin", "minioadmin")), "MinIO's defaults"),
        (lambda: settings(s3_keys=("argus-app", "")), "ARGUS_S3_SECRET_ACCESS_KEY"),
    ],
)
def test_credentials_are_required_for_every_external_server(
    make: Callable[[], Settings], problem: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in os.environ if n.startswith("ARGUS_")]:
        monkeypatch.delenv(name)
    loaded = make()
    found = credential_problems(loaded)
    if problem is None:
        assert found == []
        require_credentials(loaded)
    else:
        assert len(found) == 1 and problem in found[0]
        with pytest.raises(SettingsError, match="needs credentials"):
            require_credentials(loaded)


def test_the_embedded_mode_is_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis Streams and local blobs: `argus serve` and its parser worker processes."""
    for name in [n for n in os.environ if n.startswith("ARGUS_")]:
        monkeypatch.delenv(name)
    loaded = Settings()
    loaded.postgres.url = "postgresql://postgres@127.0.0.1:54329/argus"
    loaded.redis.url = "redis://127.0.0.1:63799/0"
    assert credential_problems(loaded) == []


def test_kafka_client_options_carry_the_scram_user_only_over_sasl() -> None:
    options = kafka(**SCRAM).client_options()
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("argus", "pw")
    plain = kafka(security_protocol="PLAINTEXT").client_options()
    assert "sasl_plain_password" not in plain
