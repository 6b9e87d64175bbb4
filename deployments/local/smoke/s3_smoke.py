"""Python-side proof that the local MinIO speaks S3: bucket, multipart upload
(complete + list + abort). Needs `boto3` (not a project dependency): run it from a
throwaway venv (see kafka_smoke.py). Env: S3_ENDPOINT (default http://127.0.0.1:9000),
MINIO_ROOT_USER / MINIO_ROOT_PASSWORD (defaults argus / argus-secret-key).
"""

from __future__ import annotations

import hashlib
import os
import uuid

import boto3
from botocore.config import Config

ENDPOINT = os.environ.get("S3_ENDPOINT", "http://127.0.0.1:9000")
MIB = 1024 * 1024


def main() -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("MINIO_ROOT_USER", "argus"),
        aws_secret_access_key=os.environ.get("MINIO_ROOT_PASSWORD", "argus-secret-key"),
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    bucket = f"argus-smoke-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)

    # complete a 2-part upload (every part but the last must be >= 5 MiB)
    key = "runs/run-1/episode.mcap"
    parts = [os.urandom(5 * MIB), os.urandom(123_457)]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = []
    for number, body in enumerate(parts, start=1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
        done.append({"PartNumber": number, "ETag": r["ETag"]})
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]
    print("list_parts:", [(p["PartNumber"], p["Size"]) for p in listed])
    s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
    )
    back = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(back).digest() == hashlib.sha256(b"".join(parts)).digest()
    print("completed multipart object:", key, len(back), "bytes")

    # start another, see it in ListMultipartUploads, abort it, see it gone
    key2 = "runs/run-2/partial.bin"
    upload2 = s3.create_multipart_upload(Bucket=bucket, Key=key2)["UploadId"]
    s3.upload_part(Bucket=bucket, Key=key2, UploadId=upload2, PartNumber=1, Body=b"x" * 1024)
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert any(u["UploadId"] == upload2 for u in uploads), uploads
    print("in-progress uploads:", [u["Key"] for u in uploads])
    s3.abort_multipart_upload(Bucket=bucket, Key=key2, UploadId=upload2)
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert not any(u["UploadId"] == upload2 for u in uploads), uploads
    print("aborted; in-progress uploads now:", len(uploads))

    s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)
    print("S3 SMOKE OK")


if __name__ == "__main__":
    main()
