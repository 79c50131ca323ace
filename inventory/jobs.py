"""Job rows: create, claim (compare-and-set, so one runner takes a job once), finish.

Each step is an event of subject ``job`` (named by the job id; ``subject_id`` is 0, the id
being text): queued by the requester, started / succeeded / failed by the system."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from inventory.errors import NotFound
from inventory.events import record_event
from inventory.ledger import rows_matched
from inventory.transaction import transaction
from models import utcnow
from models.enums import JobStatus as J
from models.jobs import Job


def create_job(
    session: Session, kind: str, params: dict, *, actor: str, time_limit_s: float
) -> Job:
    with transaction(session):
        job = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            status=J.QUEUED,
            params=params,
            created_by=actor,
            time_limit_s=time_limit_s,
        )
        session.add(job)
        _event(
            session,
            job.id,
            J.QUEUED,
            None,
            J.QUEUED,
            actor,
            {"kind": kind, "time_limit_s": time_limit_s},
        )
    return job


def _event(
    session: Session,
    job_id: str,
    kind: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    data: dict | None = None,
) -> None:
    record_event(
        session,
        subject_type="job",
        subject_id=0,
        subject_ref=job_id,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        data=data,
    )


def _move(
    session: Session,
    job_id: str,
    from_status: str,
    to_status: str,
    values: dict,
    *,
    kind: str | None = None,
    data: dict | None = None,
) -> bool:
    """Move the job from ``from_status`` to ``to_status`` (writing ``values`` too) with a
    compare-and-set, in one transaction, and record the event (``kind``, default the new
    status) when this call won. False, and nothing changed, when the job was elsewhere."""
    with transaction(session):
        won = (
            rows_matched(
                session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == from_status)
                    .values(status=to_status, **values)
                    .execution_options(synchronize_session=False)
                )
            )
            == 1
        )
        if won:
            _event(session, job_id, kind or to_status, from_status, to_status, "system", data)
    return won


def claim_job(session: Session, job_id: str) -> bool:
    """Move queued → running; False if someone else already took it."""
    return _move(session, job_id, J.QUEUED, J.RUNNING, {"started_at": utcnow()}, kind="started")


def finish_job(
    session: Session, job_id: str, *, result: dict | None = None, error: str | None = None
) -> None:
    _move(
        session,
        job_id,
        J.RUNNING,
        J.FAILED if error else J.SUCCEEDED,
        {"result": result, "error": error, "finished_at": utcnow()},
        data={"error": error} if error else None,
    )


def fail_queued_job(session: Session, job_id: str, error: str) -> None:
    """Move queued → failed: the job could not be handed to a runner (the queue is down),
    so nobody will ever claim it. A job already claimed is left alone."""
    _move(
        session,
        job_id,
        J.QUEUED,
        J.FAILED,
        {"error": error, "finished_at": utcnow()},
        data={"error": error},
    )


def get_job(session: Session, job_id: str, kind: str | None = None) -> Job:
    job = session.get(Job, job_id)
    if job is None or (kind and job.kind != kind):
        raise NotFound.unknown("job", job_id, message=f"no job {job_id!r}")
    return job


def finished_result(job: Job) -> dict | None:
    """The result of a job that succeeded with one; None while it waits or runs, or when it
    failed."""
    return job.result if job.status == J.SUCCEEDED and job.result else None


def progress_percent(job: Job, now: datetime | None = None) -> int:
    """Queued 0, finished 100; while running, the share of the time limit used (≤ 99)."""
    if job.status in (J.SUCCEEDED, J.FAILED):
        return 100
    if job.status != J.RUNNING or not job.started_at or job.time_limit_s <= 0:
        return 0
    elapsed = ((now or utcnow()) - job.started_at).total_seconds()
    return max(1, min(99, int(100 * elapsed / (job.time_limit_s + 1))))


def job_fields(job: Job) -> dict:
    """What every job answer shows: its state, progress (percent), times (UTC), error and
    result. The API adds where to poll it."""
    return {
        "id": job.id,
        "status": job.status,
        "progress": progress_percent(job),
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "result": job.result,
    }
