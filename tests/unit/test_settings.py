"""The settings tree: documented variable names, one default each, validation at start with a
one-line error, and `argus config` with secrets masked."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from argus.cli import app
from argus.cli.config_cmd import MASK, mask_url_password
from argus.config import Settings, SettingsError, load_settings

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[2] / "src" / "argus"
S3_VARIABLES = {
    "ARGUS_BLOB_BACKEND": "s3",
    "ARGUS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    "ARGUS_S3_BUCKET": "argus",
    "ARGUS_S3_ACCESS_KEY_ID": "argus",
    "ARGUS_S3_SECRET_ACCESS_KEY": "very-secret-key",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ARGUS_"):
            monkeypatch.delenv(name)


# Variable → (value set, where it lands) for names README.md and the docs promise.
DOCUMENTED = [
    ("ARGUS_HTTP_PORT", "9090", lambda s: s.app.http_port, 9090),
    ("ARGUS_INGEST_PORT", "9091", lambda s: s.app.ingest_port, 9091),
    ("ARGUS_DATA_DIR", "/tmp/x", lambda s: s.app.data_dir, Path("/tmp/x")),
    ("ARGUS_MAX_UPLOAD_BYTES", "1000", lambda s: s.app.max_upload_bytes, 1000),
    ("ARGUS_PARSER_WORKERS", "3", lambda s: s.parser.workers, 3),
    ("ARGUS_PARSER_THREADS", "2", lambda s: s.parser.threads, 2),
    ("ARGUS_TOP_K", "7", lambda s: s.gather.top_k, 7),
    ("ARGUS_UPLOAD_TTL_S", "60", lambda s: s.janitor.upload_ttl_s, 60),
    ("ARGUS_JANITOR_INTERVAL_S", "0.5", lambda s: s.janitor.interval_s, 0.5),
    ("ARGUS_BUS_MAX_DELIVERIES", "3", lambda s: s.bus.max_deliveries, 3),
    ("ARGUS_BUS_RETRY_MAX_ATTEMPTS", "6", lambda s: s.bus.retry_max_attempts, 6),
    ("ARGUS_KAFKA_TOPIC_PREFIX", "t1", lambda s: s.kafka.topic_prefix, "t1"),
    ("ARGUS_EMBEDDED_PG_PORT", "5555", lambda s: s.embedded.pg_port, 5555),
    ("ARGUS_INFRA_PG_PORT", "5433", lambda s: s.infra.pg_port, 5433),
    ("ARGUS_INFRA_REDIS_DIR", "/tmp/r", lambda s: s.infra.redis_dir, Path("/tmp/r")),
    ("ARGUS_PARSER_REDIS_MAX_CONNECTIONS", "4", lambda s: s.parser.redis_max_connections, 4),
    ("ARGUS_RETRIEVAL_K", "5", lambda s: s.retrieval.k, 5),
    ("ARGUS_RETRIEVAL_CANDIDATES", "20", lambda s: s.retrieval.candidates, 20),
    ("ARGUS_RETRIEVAL_MIN_SIMILARITY", "0.25", lambda s: s.retrieval.min_similarity, 0.25),
    ("ARGUS_FLEET_ID", "depot-7", lambda s: s.retrieval.fleet_id, "depot-7"),
    ("ARGUS_EMBEDDER", "hashed", lambda s: s.retrieval.embedder, "hashed"),
    ("ARGUS_EMBEDDER", "minilm", lambda s: s.retrieval.embedder, "minilm"),
    ("ARGUS_RETRIEVAL_EMBEDDER_THREADS", "2", lambda s: s.retrieval.embedder_threads, 2),
    ("ARGUS_DIAGNOSIS_TOKENIZER", "server", lambda s: s.diagnosis.tokenizer, "server"),
]


@pytest.mark.parametrize(
    ("name", "value", "read", "expected"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED]
)
def test_documented_variables_land_in_their_section(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, read: object, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert callable(read) and read(load_settings()) == expected


def test_the_s3_section_exists_only_when_blobs_go_to_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().s3 is None
    for name, value in S3_VARIABLES.items():
        monkeypatch.setenv(name, value)
    s3 = load_settings().s3
    assert s3 is not None and s3.secret_access_key == SecretStr("very-secret-key")


def test_s3_without_its_endpoint_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in S3_VARIABLES.items():
        if name != "ARGUS_S3_ENDPOINT_URL":
            monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "ARGUS_S3_ENDPOINT_URL: Field required"


@pytest.mark.parametrize(
    ("name", "value"),
    [("ARGUS_HTTP_PORT", "eighty"), ("ARGUS_TOP_K", "0"), ("ARGUS_BLOB_BACKEND", "ftp")],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"^{name}: "):
        load_settings()


def test_argus_serve_with_s3_and_no_endpoint_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGUS_BLOB_BACKEND", "s3")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("argus: invalid settings: ARGUS_S3_ENDPOINT_URL")
    assert "Traceback" not in result.output


def test_a_distributed_role_without_its_servers_exits_2() -> None:
    result = CliRunner().invoke(app, ["worker", "agent"])
    assert result.exit_code == 2
    assert "ARGUS_PG_URL and ARGUS_REDIS_URL" in result.stderr


def test_argus_config_masks_secrets_and_url_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in S3_VARIABLES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ARGUS_PG_URL", "postgresql://argus:pg-password@db:5432/argus")
    monkeypatch.setenv("ARGUS_REDIS_URL", "redis://:redis-password@cache:6379/0")
    result = CliRunner().invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.stdout)
    assert tree["s3"]["ARGUS_S3_SECRET_ACCESS_KEY"] == MASK
    assert tree["postgres"]["ARGUS_PG_URL"] == f"postgresql://argus:{MASK}@db:5432/argus"
    assert tree["redis"]["ARGUS_REDIS_URL"] == f"redis://:{MASK}@cache:6379/0"
    assert tree["parser"]["ARGUS_PARSER_CONCURRENCY"] == 1
    table = CliRunner().invoke(app, ["config"])
    assert table.exit_code == 0
    for secret in ("very-secret-key", "pg-password", "redis-password"):
        assert secret not in result.stdout and secret not in table.stdout


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://u:p@h/db", f"postgresql://u:{MASK}@h/db"),
        ("plain text", "plain text"),
    ],
)
def test_only_url_passwords_are_masked(text: str, shown: str) -> None:
    assert mask_url_password(text) == shown


def test_tuning_defaults_live_in_the_settings_once() -> None:
    settings = Settings()
    assert (settings.gather.aggregator_concurrency, settings.gather.agent_concurrency) == (2, 4)
    assert (settings.parser.concurrency, settings.parser.redis_max_connections) == (1, 8)
    assert settings.bus.max_deliveries == 5


def test_nothing_but_the_settings_module_reads_the_environment() -> None:
    # The supervisor and `argus eval` only pass their environment on to the processes they start.
    allowed = {
        SRC / "config.py",
        SRC / "workers" / "supervisor.py",
        SRC / "evaluation" / "server.py",
    }
    readers = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in {"environ", "getenv", "putenv"}
                and path not in allowed
            ):
                readers.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert readers == []
