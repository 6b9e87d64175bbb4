"""The app's own MinIO access key: a user whose only policy allows its bucket (or bucket
pattern), so the root keys stay with `make infra-up`. Idempotent: run on every `minio.sh start`.

MinIO's admin API encrypts the new secret with the caller's secret key; the `minio` package's
`MinioAdmin` (extra `infra`) does that, so no `mc` binary is needed.

Environment: MINIO_ENDPOINT, MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, MINIO_APP_USER,
MINIO_APP_PASSWORD, MINIO_APP_BUCKET (a name, created when it is not a pattern, or a pattern
such as `argus-*` whose buckets the app creates itself).
"""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import urlsplit

from minio import Minio, MinioAdmin
from minio.credentials import StaticProvider


def policy_document(bucket: str) -> dict[str, object]:
    """Everything on the bucket(s) and their objects, nothing else (no other bucket, no admin)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:*"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }


def main() -> int:
    env = os.environ
    endpoint = urlsplit(env["MINIO_ENDPOINT"])
    secure = endpoint.scheme == "https"
    root = StaticProvider(env["MINIO_ROOT_USER"], env["MINIO_ROOT_PASSWORD"])
    user, password, bucket = (
        env["MINIO_APP_USER"],
        env["MINIO_APP_PASSWORD"],
        env["MINIO_APP_BUCKET"],
    )
    if "*" not in bucket:
        s3 = Minio(endpoint.netloc, credentials=root, secure=secure)
        if not s3.bucket_exists(bucket):
            s3.make_bucket(bucket)
    admin = MinioAdmin(endpoint=endpoint.netloc, credentials=root, secure=secure)
    policy = f"{user}-bucket"
    admin.policy_add(policy, policy=policy_document(bucket))
    admin.user_add(user, password)
    attached = json.loads(admin.user_info(user)).get("policyName", "")
    if policy not in attached.split(","):
        admin.attach_policy([policy], user=user)
    print(f"MinIO user {user!r}: policy {policy!r} on {bucket!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
