"""The distributed mode's servers refuse whoever has no credentials or the wrong ones, and the
app refuses to run without them (docs/decisions/0028-distributed-credentials.md).

Every server here is started by the script `make infra-up` runs, with generated secrets:
PostgreSQL (SCRAM, non-superuser app role), Redis (ACL users, `default` off), Kafka
(SASL/SCRAM-SHA-512 plus ACLs), MinIO (generated root keys, an app key limited to a bucket).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError
from pydantic import SecretStr
from redis.exceptions import AuthenticationError, NoPermissionError, ResponseError

from argus.domain.errors import ArgusError
from argus.infrastructure.embedded.postgres_server import _bin
from argus.infrastructure.s3.blob_store import S3BlobStore
from tests.services_infra import LOCAL, InfraPostgres, InfraRedis, start_postgres
from tests.services_kafka import KafkaServer, topic_prefix
from tests.services_s3 import MINIO_SCRIPT, MinioServer

pytestmark = pytest.mark.integration

INFRA_SH = LOCAL / "infra.sh"
APP_SH = LOCAL / "app.sh"


def _script(path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(path), *args], env=env, capture_output=True, text=True, check=False
    )


def _clean_env(**extra: str) -> dict[str, str]:
    """This process' environment without server credentials, plus `extra`."""
    prefixes = ("PG_", "REDIS_", "KAFKA_", "MINIO_", "ARGUS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)} | extra


# --- the env files ------------------------------------------------------------------------


def test_infra_env_files_are_0600_generated_once_and_the_app_gets_no_admin_secret(
    tmp_path: Path,
) -> None:
    env = _clean_env(ARGUS_VAR_DIR=str(tmp_path))
    assert _script(INFRA_SH, "env", env=env).returncode == 0
    admin, app = tmp_path / "infra-admin.env", tmp_path / "infra.env"
    assert oct(admin.stat().st_mode & 0o777) == "0o600"
    assert oct(app.stat().st_mode & 0o777) == "0o600"
    first = admin.read_text(), app.read_text()

    assert _script(INFRA_SH, "env", env=env).returncode == 0
    assert (admin.read_text(), app.read_text()) == first  # reused, not regenerated

    values = dict(line.split("=", 1) for line in first[0].splitlines() if line and line[0] != "#")
    for admin_only in ("PG_SUPERUSER_PASSWORD", "REDIS_ADMIN_PASSWORD", "KAFKA_ADMIN_PASSWORD"):
        assert values[admin_only] not in first[1], admin_only
    assert values["MINIO_ROOT_PASSWORD"] not in first[1]
    assert "minioadmin" not in first[0] + first[1]
    assert f"ARGUS_KAFKA_SASL_PASSWORD={values['KAFKA_APP_PASSWORD']}" in first[1]


def test_app_up_refuses_a_credentials_file_others_can_read(tmp_path: Path) -> None:
    env = _clean_env(ARGUS_VAR_DIR=str(tmp_path))
    missing = _script(APP_SH, "up", env=env)
    assert missing.returncode == 1 and "run make infra-up first" in missing.stderr
    assert _script(INFRA_SH, "env", env=env).returncode == 0
    (tmp_path / "infra.env").chmod(0o644)
    readable = _script(APP_SH, "up", env=env)
    assert readable.returncode == 1 and "must be mode 0600" in readable.stderr
    assert not (tmp_path / "run").exists()  # no role was started


@pytest.mark.parametrize("script", ["postgres.sh", "redis.sh", "kafka.sh"])
def test_server_scripts_refuse_to_start_without_generated_passwords(
    script: str, tmp_path: Path
) -> None:
    done = _script(LOCAL / script, "start", env=_clean_env(ARGUS_VAR_DIR=str(tmp_path)))
    assert done.returncode != 0
    assert "is not set" in done.stderr and "infra-admin.env" in done.stderr


def test_minio_script_refuses_the_default_keys(tmp_path: Path) -> None:
    env = _clean_env(
        ARGUS_VAR_DIR=str(tmp_path), MINIO_ROOT_USER="minioadmin", MINIO_ROOT_PASSWORD="minioadmin"
    )
    done = _script(MINIO_SCRIPT, "start", env=env)
    assert done.returncode != 0 and "default MinIO keys" in done.stderr
    assert not (tmp_path / "run" / "minio.pid").exists()


# --- the app itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"ARGUS_PG_URL": "postgresql://argus@127.0.0.1:1/argus"}, "ARGUS_PG_URL"),
        ({"ARGUS_REDIS_URL": "redis://127.0.0.1:1/0"}, "ARGUS_REDIS_URL"),
        ({"ARGUS_KAFKA_SASL_USERNAME": ""}, "ARGUS_KAFKA_SASL_USERNAME"),
        (
            {"ARGUS_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"},
            "ARGUS_KAFKA_SECURITY_PROTOCOL",
        ),
        (
            {
                "ARGUS_BLOB_BACKEND": "s3",
                "ARGUS_S3_ENDPOINT_URL": "http://127.0.0.1:1",
                "ARGUS_S3_BUCKET": "argus",
                "ARGUS_S3_ACCESS_KEY_ID": "minioadmin",
                "ARGUS_S3_SECRET_ACCESS_KEY": "minioadmin",
            },
            "MinIO's defaults",
        ),
    ],
)
def test_a_role_without_credentials_does_not_start(variables: dict[str, str], named: str) -> None:
    complete = {
        "ARGUS_PG_URL": "postgresql://argus:pw@127.0.0.1:1/argus",
        "ARGUS_REDIS_URL": "redis://argus:pw@127.0.0.1:1/0",
        "ARGUS_KAFKA_BOOTSTRAP": "127.0.0.1:1",
        "ARGUS_KAFKA_SASL_USERNAME": "argus",
        "ARGUS_KAFKA_SASL_PASSWORD": "pw",
    }
    env = _clean_env(**(complete | variables))
    done = subprocess.run(
        [sys.executable, "-m", "argus", "ingestor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "needs credentials" in done.stderr and named in done.stderr
    assert "Traceback" not in done.stderr


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "password"), [("argus", None), ("argus", "wrong"), ("postgres", None)]
)
async def test_postgres_refuses_no_and_wrong_passwords(
    infra_postgres: InfraPostgres, user: str, password: str | None
) -> None:
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(infra_postgres.url(user=user, password=password), timeout=10)


async def test_postgres_app_role_is_no_superuser_and_cannot_run_programs(
    infra_postgres: InfraPostgres,
) -> None:
    conn = await asyncpg.connect(infra_postgres.app_url, timeout=10)
    try:
        superuser = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        assert await conn.fetchval(superuser) is False
        owner = "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'argus'"
        assert await conn.fetchval(owner) == "argus"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("COPY (SELECT 1) TO PROGRAM 'id'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE ROLE intruder SUPERUSER")
    finally:
        await conn.close()


def test_postgres_data_dir_made_with_trust_is_locked_down_on_start() -> None:
    """A data directory from before credentials (initdb --auth=trust, as `argus infra postgres`
    made them) gets passwords and SCRAM-only pg_hba.conf lines on its first start."""
    var_dir = Path(tempfile.mkdtemp(prefix="argus-test-trust-pg-"))
    data = var_dir / "infra" / "postgres" / "data"
    data.mkdir(parents=True)
    as_server: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run it as the script's server user
        user = "argus-infra-pg"
        subprocess.run(["useradd", "--system", "--user-group", user], check=False)
        shutil.chown(data, user, user)
        shutil.chown(data.parent, user, user)
        for path in (var_dir, var_dir / "infra"):
            path.chmod(0o711)
        as_server = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--"]
    initdb = [str(_bin("initdb")), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run([*as_server, *initdb], check=True, capture_output=True)
    server = start_postgres(var_dir)
    try:
        hba = subprocess.run(
            [*as_server, "cat", str(data / "pg_hba.conf")], capture_output=True, text=True
        ).stdout
        assert "trust" not in hba and "scram-sha-256" in hba
        with pytest.raises(asyncpg.InvalidPasswordError):
            asyncio.run(asyncpg.connect(server.url(user="postgres", password=None), timeout=10))
        asyncio.run(_connects(server.app_url))
    finally:
        server.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


async def _connects(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    await conn.close()


# --- Redis ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "password"), [(None, None), ("argus", "wrong"), ("default", "anything"), (None, "x")]
)
async def test_redis_refuses_no_and_wrong_credentials(
    infra_redis: InfraRedis, user: str | None, password: str | None
) -> None:
    client = aioredis.Redis.from_url(infra_redis.url_as(user, password))
    try:
        with pytest.raises((AuthenticationError, ResponseError)) as refused:
            await client.set("argus:probe", "1")
        said = str(refused.value)
        assert any(word in said for word in ("NOAUTH", "invalid", "authenticated")), said
    finally:
        await client.aclose()


async def test_redis_app_user_has_its_keys_and_no_dangerous_command(
    infra_redis: InfraRedis,
) -> None:
    client = aioredis.Redis.from_url(infra_redis.url)
    try:
        assert await client.set(f"argus:probe:{uuid.uuid4().hex}", "1")
        for command in (
            ("CONFIG", "SET", "dir", "/tmp"),
            ("FLUSHALL",),
            ("DEBUG", "SLEEP", "0"),
            ("SHUTDOWN",),
            ("SET", "elsewhere", "1"),
        ):
            with pytest.raises(NoPermissionError):
                await client.execute_command(*command)
    finally:
        await client.aclose()


# --- Kafka ----------------------------------------------------------------------------------


async def _create_topic(options: dict[str, Any], topic: str) -> Any:
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=10_000)
    await admin.start()
    try:
        return await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()


@pytest.mark.parametrize(
    "overrides",
    [
        {"security_protocol": "PLAINTEXT"},
        {"sasl_password": SecretStr("wrong-password-0123456789")},
        {"sasl_username": "nobody"},
    ],
)
async def test_kafka_refuses_no_and_wrong_credentials(
    kafka: KafkaServer, overrides: dict[str, Any]
) -> None:
    options = kafka.settings(**overrides).client_options()
    with pytest.raises((KafkaConnectionError, asyncio.TimeoutError)):
        async with asyncio.timeout(30):
            await _create_topic(options, topic_prefix(uuid.uuid4().hex[:8]))


async def test_kafka_app_user_may_only_create_topics_under_its_prefix(kafka: KafkaServer) -> None:
    ours = await _create_topic(kafka.client_options(), topic_prefix(uuid.uuid4().hex[:8]))
    assert [error[1] for error in ours.topic_errors] == [0]
    theirs = await _create_topic(kafka.client_options(), f"other-{uuid.uuid4().hex[:8]}")
    assert [error[1] for error in theirs.topic_errors] == [29]  # TOPIC_AUTHORIZATION_FAILED


# --- MinIO ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access_key", "secret_key"),
    [("minioadmin", "minioadmin"), ("root-wrong", "wrong-secret-0123456789"), (None, "bad")],
)
async def test_minio_refuses_default_and_wrong_keys(
    minio: MinioServer, access_key: str | None, secret_key: str
) -> None:
    settings = minio.settings(
        "argus-probe",
        access_key_id=access_key or minio.access_key,
        secret_access_key=SecretStr(secret_key),
        max_attempts=1,
    )
    async with S3BlobStore(settings) as store:
        with pytest.raises(ArgusError, match=r"refused .*\(403\)"):
            await store.ensure_bucket()


async def test_minio_app_key_is_limited_to_its_bucket(minio: MinioServer) -> None:
    bucket = f"argus-{uuid.uuid4().hex[:8]}"
    key, secret = minio.app_user(f"app-{bucket}", bucket)
    allowed = minio.settings(bucket, access_key_id=key, secret_access_key=SecretStr(secret))
    async with S3BlobStore(allowed) as store:
        await store.ensure_bucket()
    other = allowed.model_copy(
        update={"bucket": f"other-{uuid.uuid4().hex[:8]}", "max_attempts": 1}
    )
    async with S3BlobStore(other) as store:
        with pytest.raises(ArgusError, match=r"refused .*\(403\)"):
            await store.ensure_bucket()
