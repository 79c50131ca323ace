"""The e-mails in the recipient's language: queued as message keys and params, worded at
send time from the catalogue, deadlines the way people read them ("3月5日 24:00前" /
"by end of 5 Mar"), times in the site's zone."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.jobs.delivery import deliver_outbox
from app.jobs.mails import render_mail
from inventory.accounts import create_user
from inventory.notifications import SETTINGS_KEY
from inventory.sweep import sweep
from models import Customer, Event, OutboxMessage
from tests.jobs.conftest import (
    CUSTOMER_EMAIL,
    DISPATCHERS,
    delivered_rma,
    delivery_settings,
    make_ticket,
    make_world,
    notification_settings,
    queue_email,
)
from tests.service_builders import file_late_engineer_complaint

T0 = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
DUE = datetime(
    2026, 3, 5, 16, 0, tzinfo=UTC
)  # the return deadline: Beijing's midnight after 5 March


def _mail(session, to: str, **event) -> tuple[str, str]:
    """(subject, body) of the e-mail to ``to`` about the one event matching ``event``."""
    session.expire_all()
    query = select(OutboxMessage.mail).join(Event, Event.id == OutboxMessage.event_id)
    query = query.where(OutboxMessage.recipient == to, OutboxMessage.channel == "email")
    for name, value in event.items():
        query = query.where(getattr(Event, name) == value)
    [mail] = session.scalars(query).all()
    session.rollback()
    return render_mail(mail, now=T0)


def _reads_english(session) -> None:
    """The customer's portal account prefers English."""
    customer_id = session.scalar(select(Customer.id).where(Customer.code == "CUST-1"))
    create_user(
        session,
        {
            "username": "acme-ops",
            "display_name": "Li Lei",
            "role": "customer",
            "locale": "en",
            "customer_id": customer_id,
        },
        password_hash=None,
        actor="admin",
    )


def test_the_return_reminder_reads_in_chinese_with_the_end_of_the_day(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    sweep(nsession, now=DUE - timedelta(hours=3))

    subject, body = _mail(nsession, CUSTOMER_EMAIL, kind="return_due")

    assert subject == f"[{number}] 提醒：故障件的寄回期限快到了"
    assert body.splitlines()[:3] == ["提醒：故障件的寄回期限快到了。", "", f"编号：{number}"]
    assert "请在3月5日 24:00前寄回故障件。" in body
    assert "时间：2026年3月5日 21:00" in body
    assert "3月6日" not in body and "Asia/Shanghai" not in body


def test_the_return_reminder_reads_in_english_for_a_customer_who_prefers_it(nsession):
    world = make_world(nsession)
    _reads_english(nsession)
    number = delivered_rma(nsession, world, T0)
    sweep(nsession, now=DUE - timedelta(hours=3))

    subject, body = _mail(nsession, CUSTOMER_EMAIL, kind="return_due")

    assert subject == f"[{number}] Reminder: the faulty part is due back soon"
    assert "Return the faulty part by end of 5 Mar." in body
    assert "Time: 5 Mar 2026, 21:00" in body
    assert "6 Mar" not in body


def test_the_customer_is_told_of_the_shipment_in_their_language(nsession):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)

    subject, body = _mail(nsession, CUSTOMER_EMAIL, subject_ref=number, to_state="shipped")

    assert subject == f"[{number}] 您的替换备件已发出"
    assert "承运商 / 运单号：SF SF123" in body
    assert "查看进度：https://rma.example/track/" in body

    _reads_english(nsession)
    later = delivered_rma(nsession, world, T0 + timedelta(hours=1))
    subject, body = _mail(nsession, CUSTOMER_EMAIL, subject_ref=later, to_state="shipped")
    assert subject == f"[{later}] Your replacement part has been shipped"
    assert "Carrier / waybill: SF SF123" in body


@pytest.mark.parametrize(
    ("staff_lang", "subject", "first_line", "present", "absent"),
    [
        pytest.param(
            None,  # the deployment's default: Chinese
            "第1级升级：项目经理 / 部门负责人",
            "自2026年3月4日 10:00起无进展；第1级升级时限为2026年3月4日 10:15。",
            ["客户：CUST-1 Acme Datacenter", "级别：P2 ", "状态："],
            ["new"],
            id="zh",
        ),
        pytest.param(
            "en",
            "Escalation level 1: project manager / department head",
            "No progress since 4 Mar 2026, 10:00; level 1 was due at 4 Mar 2026, 10:15.",
            ["Severity: P2 severe, status: New"],
            [],
            id="en",
        ),
    ],
)
def test_an_escalation_reaches_the_staff_in_the_deployments_language(
    nsession,
    staff_lang: str | None,
    subject: str,
    first_line: str,
    present: list[str],
    absent: list[str],
):
    if staff_lang is not None:
        nsession.info[SETTINGS_KEY] = replace(notification_settings(), staff_lang=staff_lang)
    world = make_world(nsession)
    number = make_ticket(nsession, world, T0)
    sweep(nsession, now=T0 + timedelta(minutes=15, seconds=1))

    mail_subject, body = _mail(nsession, DISPATCHERS[0], kind="escalated")

    assert mail_subject == f"[{number}] {subject}"
    assert body.splitlines()[0] == first_line
    for words in present:
        assert words in body
    for words in absent:
        assert words not in body


def test_a_customer_problem_is_acknowledged_and_escalated_in_chinese_and_english(nsession):
    make_world(nsession)

    def file() -> str:
        return file_late_engineer_complaint(nsession, "CUST-1", T0).number

    first = file()
    subject, body = _mail(nsession, CUSTOMER_EMAIL, subject_ref=first, kind="received")
    assert subject == f"[{first}] 我们已收到您的反馈，将在承诺的时间内答复"
    assert "主题：工程师迟到" in body and f"/my/complaints/{first}" in body

    sweep(nsession, now=T0 + timedelta(hours=5))  # the 4-hour answer was due at 14:00
    subject, body = _mail(nsession, DISPATCHERS[0], subject_ref=first, kind="escalated")
    assert subject == f"[{first}] 客户问题已升级至部门负责人"
    assert body.splitlines()[0] == "该投诉（紧急）的“问题答复”时限已于2026年3月4日 14:00到期。"

    _reads_english(nsession)
    second = file()
    subject, body = _mail(nsession, CUSTOMER_EMAIL, subject_ref=second, kind="received")
    assert subject == (
        f"[{second}] We have received your feedback and will answer it within the promised time"
    )
    assert "Subject: 工程师迟到" in body


def test_a_mail_stored_with_its_words_still_goes_out_as_stored_beside_a_worded_one(
    nsession, notifying_sessions, tmp_path
):
    world = make_world(nsession)
    number = delivered_rma(nsession, world, T0)
    queue_email(
        nsession,
        "old-form:1",
        "old@customer.example",
        subject=f"[{number}] Your replacement part has been shipped",
        body="Return the faulty part by: 2026-03-06 00:00 (Asia/Shanghai)\n",
    )
    sink = tmp_path / "mail"

    report = deliver_outbox(notifying_sessions, delivery_settings(1, mail_sink_dir=str(sink)))

    assert report.sent == 3 and report.dead == report.retrying == 0
    mails = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        for f in sink.glob("*.eml")
    ]
    [old] = [m for m in mails if m["To"] == "old@customer.example"]
    assert old["Subject"] == f"[{number}] Your replacement part has been shipped"
    assert old.get_content() == "Return the faulty part by: 2026-03-06 00:00 (Asia/Shanghai)\n"
    assert sorted(m["Subject"] for m in mails if m["To"] == CUSTOMER_EMAIL) == [
        f"[{number}] 您的替换备件已发出",
        f"[{number}] 您的替换备件已送达",
    ]
