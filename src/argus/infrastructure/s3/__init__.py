"""Blob store on S3-compatible object storage (MinIO locally), for the distributed mode."""

from argus.infrastructure.s3.blob_store import MultipartUploadInfo, S3BlobStore
from argus.infrastructure.s3.settings import S3Settings

__all__ = ["MultipartUploadInfo", "S3BlobStore", "S3Settings"]
