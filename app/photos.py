"""Where visit photos are kept: a directory on disk (the default, nothing to set up) or an
S3-compatible bucket (``PHOTO_STORE=s3``: AWS S3, MinIO, Ceph RGW, ...; needs ``boto3``,
the ``s3`` extra). The database keeps each photo's key, type, size and SHA-256
(inventory/visits.py); this module only moves bytes.

A bucket that does not answer is a 503 with Retry-After (``PhotoStoreUnavailable``), never a
500: the phone's queue keeps the photo and sends it again later. A key the store does not
hold is a 404.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

from inventory.errors import NotFound

STORES = ("disk", "s3")
ADDRESSING_STYLES = ("auto", "path", "virtual")  # virtual: bucket.host; path: host/bucket


class PhotoStoreUnavailable(Exception):
    """The photo store cannot be reached or refuses to work (mapped to 503 + Retry-After)."""

    def __init__(self, message: str, retry_after_s: int = 30):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


def _not_in_store(key: str) -> NotFound:
    """What either store raises for a key it does not hold."""
    return NotFound.unknown(
        "photo", key, message=f"photo {key!r} is not in the store", field="photo_id"
    )


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
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise _not_in_store(key) from None


class S3Store:
    """An S3-compatible bucket through boto3. One client per app (boto3 clients are
    thread-safe); short timeouts and a few retries, so a bucket that is down answers the
    phone with a 503 in seconds rather than holding a worker."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region_name: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        addressing_style: str = "auto",
        connect_timeout: float = 5,
        read_timeout: float = 30,
    ):
        import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]
        from botocore.config import Config  # type: ignore[import-not-found,import-untyped,unused-ignore]

        self.bucket = bucket
        options: dict[str, Any] = {
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "aws_access_key_id": access_key_id or None,
            "aws_secret_access_key": secret_access_key or None,
        }
        self.client = boto3.client(
            "s3",
            config=Config(
                s3={"addressing_style": addressing_style},
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            **{k: v for k, v in options.items() if v is not None},
        )

    def _call(self, what: str, key: str, fn, **kwargs):
        from botocore.exceptions import (  # type: ignore[import-not-found,import-untyped,unused-ignore]
            BotoCoreError,
            ClientError,
        )

        try:
            return fn(Bucket=self.bucket, Key=key, **kwargs)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "NotFound"):
                raise _not_in_store(key) from None
            raise PhotoStoreUnavailable(
                f"the photo store refused to {what} the photo ({code or 'error'}); retry later"
            ) from error
        except BotoCoreError as error:  # unreachable, timed out, no credentials
            raise PhotoStoreUnavailable(
                f"the photo store cannot be reached to {what} the photo; retry later"
            ) from error

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._call("store", key, self.client.put_object, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self._call("read", key, self.client.get_object)["Body"].read()


def check_photo_config(config) -> str | None:
    """What is wrong with the photo store's configuration (None when it can start)."""
    store = config.get("PHOTO_STORE", "disk")
    if store not in STORES:
        return f"PHOTO_STORE must be one of {', '.join(STORES)}; got {store!r}"
    if store == "s3":
        style = config.get("S3_ADDRESSING_STYLE") or "auto"
        if style not in ADDRESSING_STYLES:
            return (
                f"S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}; got {style!r}"
            )
        if not config.get("S3_BUCKET"):
            return "PHOTO_STORE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a store other than AWS)"
        try:
            import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            return "PHOTO_STORE=s3 needs the boto3 package: pip install 'sparelog[s3]'"
    if int(config.get("PHOTO_MAX_BYTES", 1)) <= 0:
        return "PHOTO_MAX_BYTES must be a positive number of bytes"
    return None


def _build_store(app: Flask) -> PhotoStore:
    config = app.config
    if config.get("PHOTO_STORE", "disk") == "s3":
        return S3Store(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            addressing_style=config.get("S3_ADDRESSING_STYLE") or "auto",
        )
    return DiskStore(config.get("PHOTO_DIR") or Path(app.instance_path) / "photos")


def photo_store() -> PhotoStore:
    """The store the configuration names (``PHOTO_STORE``: disk | s3), built once per app
    and configuration (tests change the configuration of a running app)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    names = ("PHOTO_STORE", "PHOTO_DIR", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION",
             "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_ADDRESSING_STYLE")  # fmt: skip
    signature = tuple(app.config.get(name) for name in names)
    cached = app.extensions.get("sparelog.photo_store")
    if cached is None or cached[0] != signature:
        cached = (signature, _build_store(app))
        app.extensions["sparelog.photo_store"] = cached
    return cached[1]


def new_photo_key(ticket_number: str, extension: str) -> str:
    """A fresh key: ``<ticket>/<random>.<ext>`` (unguessable, never reused)."""
    return f"{ticket_number}/{secrets.token_hex(16)}.{extension}"
