"""The words of the operations work (issue 14: flags the facts withdrew), zh-CN and
English; merged into ``i18n.MESSAGES`` (same shape: key -> (zh, en))."""

from __future__ import annotations

OPS14_MESSAGES: dict[str, tuple[str, str]] = {
    "alert.sla_breach_withdrawn": (
        "SLA超时已撤销（按时完成）",
        "SLA breach withdrawn (met in time)",
    ),
    "alert.overdue_withdrawn": (
        "返回超期已撤销（按时返回）",
        "Overdue withdrawn (returned in time)",
    ),
    "trk.event.overdue_withdrawn": (
        "逾期已撤销：故障件按时返回",
        "Overdue withdrawn: returned in time",
    ),
    "trk.event.sla_breach_withdrawn": ("服务时限超时已撤销", "Clock breach withdrawn"),
    "doc.evt_sla_breach_withdrawn": (
        "服务时限超时已撤销（按时完成）",
        "Clock breach withdrawn (met in time)",
    ),
    "doc.evt_return_overdue_withdrawn": (
        "逾期已撤销（故障件按时返回）",
        "Overdue withdrawn (returned in time)",
    ),
}
