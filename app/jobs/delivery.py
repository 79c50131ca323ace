"""Delivering the outbox: e-mail over SMTP (smtplib) and signed webhooks (requests).

Every webhook carries

* ``X-Sparelog-Timestamp``: Unix seconds when this attempt was signed;
* ``X-Sparelog-Signature``: ``sha256=`` + hex HMAC-SHA256 with the endpoint's secret (an
  administered endpoint, ``inventory/webhooks.py``) or ``WEBHOOK_SECRET`` (``WEBHOOK_URL``) over
  ``<timestamp>.<raw body>`` (``verify_signature`` is the receiver's check);
* ``X-Sparelog-Delivery``: the message's dedupe key, the same on every attempt.

An e-mail queued as message keys and params (``inventory.notifications``) is worded when
it is sent, in its recipient's language (``app.jobs.mails``); one stored with its words is
sent as stored. Every e-mail carries a Message-ID derived from the dedupe key, so a retried message
that did reach the server once can be recognised by the receiving side.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from app.jobs.mails import render_mail
from inventory.outbox import ClaimedMessage, claim_due, mark_failed, mark_sent
from models import utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Sparelog-Signature"
TIMESTAMP_HEADER = "X-Sparelog-Timestamp"
DELIVERY_HEADER = "X-Sparelog-Delivery"
RETRYABLE_HTTP = frozenset({408, 425, 429})


class DeliveryError(Exception):
    """A send failed; ``permanent`` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class DeliverySettings:
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "noreply@sparelog.local"
    mail_sink_dir: str = ""  # set: e-mail is written there as .eml files, not sent
    webhook_secret: str = ""
    timeout_seconds: float = 20.0  # per SMTP session / HTTP request
    max_attempts: int = 10
    backoff_seconds: float = 30.0  # first retry; doubles each attempt, at most 1 h
    lease_seconds: float = 300.0  # must exceed timeout_seconds by far

    @classmethod
    def from_config(cls, config: Mapping) -> DeliverySettings:
        return cls(
            smtp_host=config["SMTP_HOST"],
            smtp_port=int(config["SMTP_PORT"]),
            smtp_user=config.get("SMTP_USER", ""),
            smtp_password=config.get("SMTP_PASSWORD", ""),
            smtp_starttls=bool(config.get("SMTP_STARTTLS", False)),
            mail_from=config["MAIL_FROM"],
            mail_sink_dir=config.get("MAIL_SINK_DIR", ""),
            webhook_secret=config.get("WEBHOOK_SECRET", ""),
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", 10)),
            backoff_seconds=float(config.get("OUTBOX_BACKOFF_SECONDS", 30.0)),
        )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance_seconds: float = 300.0,
    now: float | None = None,
) -> bool:
    """The receiver's check: right secret, untouched body, signed within the tolerance."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance_seconds and hmac.compare_digest(
        sign(secret, timestamp, body), signature
    )


def message_id(dedupe_key: str) -> str:
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@sparelog>"


def _write_to_sink(folder: Path, email: EmailMessage, dedupe_key: str) -> None:
    """The local file sink: one ``.eml`` file per message, named by its dedupe key's hash
    (a retried delivery rewrites the same file)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32] + ".eml"
        (folder / name).write_bytes(bytes(email))
    except OSError as error:
        raise DeliveryError(f"mail sink {folder}: {error}") from None


def send_email(settings: DeliverySettings, message: ClaimedMessage) -> None:
    """Hand one e-mail to the SMTP server; raise DeliveryError when it is not accepted."""
    if message.mail:  # keys and params: worded now, in the recipient's language
        subject, body = render_mail(message.mail)
    else:  # stored with its words (queued before mails were worded at send time)
        subject, body = message.subject or "", message.body
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.recipient
    email["Subject"] = subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message.dedupe_key)
    email.set_content(body)
    if settings.mail_sink_dir:
        _write_to_sink(Path(settings.mail_sink_dir), email, message.dedupe_key)
        return
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise DeliveryError(
            f"recipient refused: {error.recipients}", permanent=all(500 <= c < 600 for c in codes)
        ) from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=500 <= error.smtp_code < 600
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {error}") from None


def post_webhook(settings: DeliverySettings, message: ClaimedMessage) -> None:
    """POST the message's JSON to its URL, signed; raise DeliveryError unless 2xx."""
    secret = message.secret or settings.webhook_secret  # the endpoint's own, else the config's
    if not secret:
        raise DeliveryError("WEBHOOK_SECRET is not set; an unsigned webhook is not sent")
    body = message.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "sparelog-webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        DELIVERY_HEADER: message.dedupe_key,
    }
    import requests  # loaded when a webhook is first sent, not at start-up

    try:
        response = requests.post(
            message.recipient,
            data=body,
            headers=headers,
            timeout=settings.timeout_seconds,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise DeliveryError(f"webhook {message.recipient}: {error}") from None
    if 200 <= response.status_code < 300:
        return
    retry = response.status_code >= 500 or response.status_code in RETRYABLE_HTTP
    raise DeliveryError(f"webhook answered HTTP {response.status_code}", permanent=not retry)


Sender = Callable[[DeliverySettings, ClaimedMessage], None]
SENDERS: dict[str, Sender] = {"email": send_email, "webhook": post_webhook}


@dataclass
class DeliveryReport:
    """What one delivery run did (counts of messages)."""

    sent: int = 0
    retrying: int = 0
    dead: int = 0
    lost_claims: int = 0  # sent, but the lease had lapsed (should not happen)


def deliver_outbox(
    sessions: sessionmaker[Session],
    settings: DeliverySettings,
    *,
    batch: int = 20,
    max_messages: int = 500,
    senders: Mapping[str, Sender] | None = None,
    now: datetime | None = None,
) -> DeliveryReport:
    """Claim due messages batch by batch and send each once; returns the counts.

    Stops when nothing is due or after ``max_messages`` (the next run continues).
    ``now`` (UTC) freezes the clock for claims, retries and sent times (tests); by
    default claims use the run's start, so a message failing in this run waits for the
    next run.
    """
    senders = senders or SENDERS
    report = DeliveryReport()
    handled = 0
    started = now or utcnow()
    with sessions() as session:
        while handled < max_messages:
            claimed = claim_due(
                session,
                now=started,
                limit=min(batch, max_messages - handled),
                lease_seconds=settings.lease_seconds,
            )
            if not claimed:
                break
            for message in claimed:
                handled += 1
                _deliver_one(session, settings, senders, message, report, now)
    return report


def _deliver_one(
    session: Session,
    settings: DeliverySettings,
    senders: Mapping[str, Sender],
    message: ClaimedMessage,
    report: DeliveryReport,
    now: datetime | None,
) -> None:
    try:
        senders[message.channel](settings, message)
    except Exception as error:
        if not isinstance(error, DeliveryError):  # a bug in a sender: keep the message, retry later
            log.exception("outbox %s: unexpected error", message.dedupe_key)
            error = DeliveryError(repr(error))
        failure = mark_failed(
            session,
            message,
            str(error),
            max_attempts=settings.max_attempts,
            base_backoff_seconds=settings.backoff_seconds,
            permanent=error.permanent,
            now=now,
        )
        if failure.dead:
            report.dead += 1
            log.error(
                "outbox %s dead after attempt %d: %s", message.dedupe_key, message.attempt, error
            )
        else:
            report.retrying += 1
            log.warning(
                "outbox %s attempt %d failed, retry at %s: %s",
                message.dedupe_key,
                message.attempt,
                failure.next_attempt_at,
                error,
            )
        return
    if mark_sent(session, message, now=now):
        report.sent += 1
    else:
        report.lost_claims += 1
        log.error(
            "outbox %s sent after its claim lapsed; another worker may send it again",
            message.dedupe_key,
        )
