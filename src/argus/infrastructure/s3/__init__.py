"""Blob store on S3-compatible object storage (MinIO locally), for the distributed mode.

Import from the modules (`blob_store`, `settings`): this package imports nothing itself, so
reading `S3Settings` (the settings tree does) does not load aiobotocore.
"""
