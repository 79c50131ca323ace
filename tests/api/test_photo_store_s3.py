"""Visit photos in an S3-compatible bucket (PHOTO_STORE=s3), against a local stand-in of
the S3 HTTP API: moto's server, started here as a subprocess on 127.0.0.1 (never the
internet). The photo goes into the bucket with its type, comes back through the API, a
too-large one never reaches the bucket, and a bucket that does not answer is a 503 the
phone's queue retries with the same Idempotency-Key, recorded once."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from models import VisitPhoto
from tests.api import test_visits
from tests.builders import free_port, jpeg_data_url, post_with_key, wait_until_serving

BUCKET = "sparelog-photos"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

job = test_visits.job  # a P1 dispatched to the signed-in engineer: (world, number, headers)


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on a free local port; its address."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    log = open(log_path, "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from moto.server import main; main()",
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],  # fmt: skip
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(server, endpoint + "/moto-api/", "moto's server", log_path)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS)


@pytest.fixture
def bucket(app, s3_endpoint):
    """An empty bucket, and the app configured to keep its photos there."""
    s3 = _client(s3_endpoint)
    if BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    else:
        s3.create_bucket(Bucket=BUCKET)
    app.config.update(
        PHOTO_STORE="s3",
        PHOTO_DIR="",
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=s3_endpoint,
        S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID="testing",
        S3_SECRET_ACCESS_KEY="testing",
        S3_ADDRESSING_STYLE="path",
    )
    return s3


def test_a_photo_goes_into_the_bucket_and_comes_back_through_the_api(
    client, db, job, bucket, tmp_path
):
    _world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {}, headers, "a")
    photo = jpeg_data_url(64)

    stored = post_with_key(client, url + "/photos", {"data": photo}, headers, "p1")

    assert stored.status_code == 201 and len(stored.json["photos"]) == 1
    key, photo_id = db.execute(select(VisitPhoto.storage_key, VisitPhoto.id)).one()
    db.rollback()
    assert key.startswith(number + "/")
    held = bucket.get_object(Bucket=BUCKET, Key=key)
    sent = base64.b64decode(photo.split(",", 1)[1])
    assert held["ContentType"] == "image/jpeg" and held["Body"].read() == sent
    assert not (tmp_path / "photos").exists()  # nothing on the app's disk
    shown = client.get(f"{url}/photos/{photo_id}", headers=headers)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg" and shown.data == sent


def test_a_too_large_photo_never_reaches_the_bucket(client, job, bucket):
    _world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {}, headers, "a")

    big = post_with_key(
        client, url + "/photos", {"data": jpeg_data_url(900, noise=True)}, headers, "p2"
    )

    assert big.status_code == 422 and "data" in big.json["errors"]
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_a_photo_missing_from_the_bucket_is_not_found(client, db, job, bucket):
    _world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {}, headers, "a")
    post_with_key(client, url + "/photos", {"data": jpeg_data_url(64)}, headers, "p1")
    key, photo_id = db.execute(select(VisitPhoto.storage_key, VisitPhoto.id)).one()
    db.rollback()
    bucket.delete_object(Bucket=BUCKET, Key=key)

    gone = client.get(f"{url}/photos/{photo_id}", headers=headers)

    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"


def test_a_bucket_that_does_not_answer_is_retried_by_the_queue_and_recorded_once(
    app, client, db, job, bucket, s3_endpoint
):
    _world, number, headers = job
    url = f"/api/tickets/{number}/visit"
    post_with_key(client, url + "/arrival", {}, headers, "a")
    app.config.update(S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")  # nobody listens
    photo = {"data": jpeg_data_url(64)}

    down = post_with_key(client, url + "/photos", photo, headers, "p1")

    assert down.status_code == 503 and down.headers["Retry-After"]
    assert down.mimetype == "application/problem+json"
    assert db.scalar(select(func.count()).select_from(VisitPhoto)) == 0
    db.rollback()

    app.config.update(S3_ENDPOINT_URL=s3_endpoint)  # back: the queue sends it again
    again = post_with_key(client, url + "/photos", photo, headers, "p1")
    replayed = post_with_key(client, url + "/photos", photo, headers, "p1")  # its answer was lost

    assert again.status_code == replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert db.scalar(select(func.count()).select_from(VisitPhoto)) == 1
    assert bucket.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PHOTO_STORE": "ftp"}, "PHOTO_STORE must be one of disk, s3"),
        ({"PHOTO_STORE": "s3", "S3_BUCKET": ""}, "PHOTO_STORE=s3 needs S3_BUCKET"),
        (
            {"PHOTO_STORE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"},
            "S3_ADDRESSING_STYLE must be one of auto, path, virtual",
        ),
    ],
)
def test_a_photo_store_that_cannot_work_stops_the_start(tmp_path, settings, message):
    from app import create_app
    from app.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                "SPARELOG_ENV": "testing",
                **settings,
            }
        )


def test_without_s3_settings_photos_stay_on_disk(app):
    from app.photos import DiskStore, photo_store

    with app.app_context():
        assert app.config["PHOTO_STORE"] == "disk" and isinstance(photo_store(), DiskStore)
