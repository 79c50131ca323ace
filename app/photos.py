"""Where visit photos are kept: a directory on disk (the default) or an S3-compatible
bucket (``PHOTO_STORE=s3``; needs the optional ``boto3`` package). The database keeps each
photo's key, type, size and SHA-256 (inventory/visits.py); this module only moves bytes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from flask import current_app


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


class DiskStore:
    """Files under ``root``, written atomically (a temporary name, then a rename)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"photo key outside the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Ceph...) through boto3."""

    def __init__(self, bucket: str, **client_options: str | None):
        import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]

        self.bucket = bucket
        options = {k: v for k, v in client_options.items() if v}
        self.client = boto3.client("s3", **options)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def photo_store() -> PhotoStore:
    """The store the configuration names (``PHOTO_STORE``: disk | s3)."""
    config = current_app.config
    if config.get("PHOTO_STORE", "disk") == "s3":
        return S3Store(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
        )
    return DiskStore(config.get("PHOTO_DIR") or Path(current_app.instance_path) / "photos")


def new_photo_key(ticket_number: str, extension: str) -> str:
    """A fresh key: ``<ticket>/<random>.<ext>`` (unguessable, never reused)."""
    return f"{ticket_number}/{secrets.token_hex(16)}.{extension}"
