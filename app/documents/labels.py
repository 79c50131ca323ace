"""Printed labels of the documents in zh-CN (default) and en."""

from __future__ import annotations

SUPPORTED_LANGS = ("zh", "en")

_ALIASES = {"zh": "zh", "zh-cn": "zh", "zh_cn": "zh", "zh-hans": "zh", "en": "en"}

# key → (zh, en)
_LABELS: dict[str, tuple[str, str]] = {
    # shared
    "none": ("—", "—"),
    "page": ("第 {n} 页", "Page {n}"),
    "generated_by": ("备件与RMA物流服务", "Spare-parts & RMA logistics service"),
    "times_in_zone": ("时间均为 {tz} 时区", "All times in {tz}"),
    "rma_number": ("RMA编号", "RMA number"),
    "ticket_number": ("工单编号", "Ticket number"),
    "model": ("型号", "Model"),
    "serial": ("序列号", "Serial number"),
    "quantity": ("数量", "Qty"),
    "part_number": ("备件号", "Part number"),
    "description": ("名称", "Description"),
    "customer": ("客户", "Customer"),
    "contact": ("联系人", "Contact"),
    "phone": ("电话", "Phone"),
    "address": ("地址", "Address"),
    "postcode": ("邮编", "Postcode"),
    "time": ("时间", "Time"),
    "signature": ("签字", "Signature"),
    "date": ("日期", "Date"),
    # repair request form
    "repair_form_title": ("设备维修申请表", "Equipment Repair Request Form"),
    "service_number": ("服务编号", "Service number"),
    "customer_unit": ("客户单位", "Customer unit"),
    "fax": ("传真", "Fax"),
    "recipient": ("收件人", "Recipient"),
    "issued_at": ("申请日期", "Date of request"),
    "faulty_product": ("故障产品", "Faulty product"),
    "received_at": ("接收时间", "Received"),
    "returned_to_bonded_at": ("返回保税库时间", "Returned to bonded warehouse"),
    "fault_symptom": ("故障现象", "Fault symptom"),
    "analysis_and_action": ("分析及处理", "Analysis and action"),
    "replacement_parts": ("替换备件", "Replacement parts"),
    "arrived_at": ("到货时间", "Arrival"),
    "returned_to_user_at": ("返还用户时间", "Returned to user"),
    "customer_signature": ("客户签字（盖章）", "Customer signature (stamp)"),
    "service_signature": ("服务方签字", "Service provider signature"),
    # packing slip and return label
    "packing_slip_title": ("装箱单（备件先行）", "Packing Slip (Advance Replacement)"),
    "ship_from": ("发货方", "Ship from"),
    "ship_to": ("收货方", "Ship to"),
    "part": ("备件", "Part"),
    "replacement_serial": ("发出备件序列号", "Replacement serial (shipped)"),
    "faulty_serial": ("应返回故障件序列号", "Faulty serial (to return)"),
    "shipped_at": ("发货时间", "Shipped"),
    "carrier": ("承运商", "Carrier"),
    "waybill": ("运单号", "Waybill"),
    "return_deadline": ("故障件返回截止时间", "Faulty part return deadline"),
    "return_rule": (
        "备件先行：请在备件送达后 1 天内将故障件寄回，逾期将按合同收费。",
        "Advance replacement: send the faulty part back within 1 day of this delivery;"
        " late returns are charged as the contract states.",
    ),
    "return_steps": (
        "将故障件装入本包装，附上下方退货标签，交快递寄回。",
        "Pack the faulty part in this box, attach the return label below and hand it to the courier.",
    ),
    "scan_to_track": ("扫码查看进度", "Scan to track"),
    "cut_here": (
        "沿虚线剪下，贴于退货包裹",
        "Cut along the dashed line and attach to the return parcel",
    ),
    "return_label_title": ("退货标签", "Return Label"),
    "return_waybill": ("寄回运单号", "Return waybill"),
    "return_from": ("寄件方", "From"),
    "return_to": ("收件方（仓库）", "To (depot)"),
    # fault handling report
    "fault_report_title": ("故障处理报告", "Fault Handling Report"),
    "site": ("现场", "Site"),
    "equipment": ("设备", "Equipment"),
    "severity": ("故障等级", "Severity"),
    "channel": ("报障渠道", "Reported via"),
    "opened_at": ("报障时间", "Reported"),
    "closed_at": ("关闭时间", "Closed"),
    "duration": ("处理时长", "Duration"),
    "symptom": ("故障现象", "Symptom"),
    "root_cause": ("故障原因", "Root cause"),
    "timeline": ("处理过程", "Timeline"),
    "event": ("事件", "Event"),
    "actor": ("处理人", "By"),
    "note": ("备注", "Note"),
    "clocks": ("服务时限", "Service clocks"),
    "clock": ("时限", "Clock"),
    "due_at": ("截止时间", "Due"),
    "completed_at": ("完成时间", "Done"),
    "result": ("结果", "Result"),
    "met_margin": ("达成，提前 {d}", "Met, {d} to spare"),
    "missed_margin": ("未达成，超时 {d}", "Missed by {d}"),
    "missed_never": ("未达成", "Missed"),
    "actions": ("处理措施", "Actions taken"),
    "parts_used": ("使用备件", "Parts used"),
    "installed_serial": ("装上序列号", "Installed serial"),
    "removed_serial": ("拆下序列号", "Removed serial"),
    "confirmed_by": ("客户确认人", "Confirmed by"),
    "engineer_signature": ("工程师签字", "Engineer signature"),
    # technical service sheet
    "service_sheet_title": ("技术服务单", "Technical Service Sheet"),
    "sheet_number": ("服务单号", "Sheet number"),
    "service_engineer": ("服务工程师", "Service engineer"),
    "visit": ("上门服务", "Visit"),
    "visit_arrived_at": ("到场（服务器）", "Arrived (server)"),
    "visit_arrived_device_at": ("到场（手机）", "Arrived (phone)"),
    "signed_at": ("完成签字时间", "Signed"),
    "diagnosis": ("故障诊断", "Diagnosis"),
    "work_done": ("处理措施", "Work done"),
    "open_issues": ("遗留问题", "Open issues"),
    "parts_in_out": ("备件更换（装上 / 拆下）", "Parts in / out"),
    "photos_taken": ("现场照片", "Photos taken"),
    "photo_count": ("{n} 张", "{n}"),
    "observation": ("观察期", "Observation"),
    "observation_until": ("工程师观察至 {t}", "The engineer watches the system until {t}"),
    "signed_by": ("客户签字：{name}", "Signed by the customer: {name}"),
    "not_signed": ("未签字", "Not signed"),
    # monthly service report
    "plan_report_title": ("备件规划方案", "Service-Parts Plan"),
    "plan_run": ("方案", "Run"),
    "plan_value_now": ("当前库存金额", "Current stock value"),
    "plan_value_after": ("建议库存金额", "Recommended stock value"),
    "plan_fill_6h": ("6小时内满足率", "Filled within 6 h"),
    "plan_fill_2d": ("2个工作日内满足率", "Filled within 2 working days"),
    "plan_curve": (
        "服务水平与库存金额曲线（红点为当前）",
        "Service versus stock value (red: today)",
    ),
    "plan_by_class": (
        "按合同类别的满足率（前 → 后）",
        "Fill rate by contract class (before → after)",
    ),
    "plan_class": ("合同类别", "Contract class"),
    "plan_map": (
        "站点6小时满足率（绿 ≥ 95%，黄 80–95%，红 < 80%）",
        "Sites by 6 h fill rate (green ≥ 95 %, amber 80–95 %, red < 80 %)",
    ),
    "plan_moves": ("主要调整（共 {n} 条）", "Top moves ({n} in all)"),
    "plan_move_kind": ("调整", "Move"),
    "plan_from": ("从", "From"),
    "plan_to": ("到", "To"),
    "plan_move_transfer": ("调拨", "Transfer"),
    "plan_move_purchase": ("采购", "Purchase"),
    "plan_move_return": ("退回", "Return"),
    "plan_supplier": ("供应商", "Supplier"),
    "plan_centre": ("中心库", "Central warehouse"),
    "monthly_report_title": ("月度服务报告", "Monthly Service Report"),
    "period": ("统计周期", "Period"),
    "period_value": ("{y}年{m}月", "{month_name} {y}"),
    "generated_at": ("生成时间", "Generated"),
    "summary": ("概览", "Summary"),
    "tickets_total": ("工单总数", "Tickets opened"),
    "tickets_closed": ("已关闭工单", "Tickets closed"),
    "sla_overall": ("时限总达成率", "SLA attainment, all clocks"),
    "mttr": ("平均恢复时间", "Mean time to restore"),
    "overdue_count": ("逾期未返回件", "Overdue returns"),
    "satisfaction_overall": ("总体满意度", "Overall satisfaction"),
    "tickets_by_severity": ("按故障等级的工单数", "Tickets by severity"),
    "tickets": ("工单数", "Tickets"),
    "sla_attainment": ("各时限达成率", "SLA attainment per clock"),
    "met_of_total": ("达成 / 总数", "Met / total"),
    "attainment": ("达成率", "Attainment"),
    "mttr_by_severity": ("按故障等级的平均恢复时间", "Mean time to restore by severity"),
    "restore_target": ("恢复时限", "Restore target"),
    "overdue_returns": ("逾期返回的故障件", "Overdue faulty-part returns"),
    "returned_at": ("返回时间", "Returned"),
    "overdue_by": ("逾期", "Overdue by"),
    "outstanding": ("未返回", "not yet returned"),
    "no_overdue": ("本月无逾期返回。", "No overdue returns this month."),
    "satisfaction": ("客户满意度（0–5 分）", "Customer satisfaction (0–5)"),
    "responses": ("问卷份数：{n}", "Survey responses: {n}"),
    "sat_response_time": ("响应时间", "Response time"),
    "sat_quality": ("服务质量", "Quality of work"),
    "sat_attitude": ("服务态度", "Attitude"),
    "sat_overall": ("总体评价", "Overall"),
    "score": ("得分", "Score"),
    "sat_question": ("评价项", "Question"),
    "all_tickets": ("全部工单", "All tickets"),
    # deadlines (formatting.format_deadline)
    "deadline_date": ("{m}月{d}日", "{d} {mon}"),
    "deadline_date_year": ("{y}年{m}月{d}日", "{d} {mon} {y}"),
    "deadline_by": ("{date} {time}前", "by {time} on {date}"),
    "deadline_end_of_day": ("{date} 24:00前", "by end of {date}"),
    # durations
    "minutes": ("{n} 分钟", "{n} min"),
    "hours_minutes": ("{h} 小时 {n} 分钟", "{h} h {n} min"),
    "days_hours": ("{d} 天 {h} 小时", "{d} d {h} h"),
    # severities
    "sev_P1": ("P1 系统瘫痪/数据丢失", "P1 system down / data loss"),
    "sev_P2": ("P2 严重，性能下降", "P2 severe, degraded"),
    "sev_P3": ("P3 较大，仍可运行", "P3 significant, still running"),
    "sev_P4": ("P4 咨询/轻微", "P4 question / minor"),
    # channels
    "chan_hotline": ("热线电话", "Hotline"),
    "chan_fax": ("传真", "Fax"),
    "chan_email": ("电子邮件", "E-mail"),
    "chan_web": ("网页", "Web"),
    # SLA clocks
    "clk_response": ("首次响应", "First response"),
    "clk_onsite": ("工程师到场", "Engineer on site"),
    "clk_restore": ("恢复服务", "Service restored"),
    "clk_replacement": ("替换设备到场", "Replacement on site"),
    "clk_spare_request": ("备件申请答复", "Spare request answered"),
    "clk_faulty_return": ("故障件返回", "Faulty part returned"),
    "clk_last_mile": ("备件交付客户", "Part handed to customer"),
    # timeline events
    "evt_created": ("创建工单", "Ticket opened"),
    "evt_acknowledged": ("响应客户", "Acknowledged"),
    "evt_dispatched": ("派工", "Engineer dispatched"),
    "evt_escalated": ("升级", "Escalated"),
    "evt_on_site": ("工程师到场", "Engineer on site"),
    "evt_part_reserved": ("预留备件", "Spare reserved"),
    "evt_part_shipped": ("备件发出", "Spare shipped"),
    "evt_part_delivered": ("备件送达", "Spare delivered"),
    "evt_part_installed": ("备件更换", "Spare installed"),
    "evt_work_recorded": ("记录诊断与处理", "Diagnosis and work recorded"),
    "evt_photo_added": ("上传现场照片", "Photo added"),
    "evt_restored": ("服务恢复", "Service restored"),
    "evt_faulty_returned": ("故障件返回仓库", "Faulty part received at depot"),
    "evt_confirmed": ("客户确认", "Customer confirmed"),
    "evt_closed": ("关闭工单", "Ticket closed"),
    "evt_assigned": ("指派工程师", "Engineer assigned"),
    "evt_reassigned": ("更换工程师", "Engineer changed"),
    "evt_reopened": ("客户未确认，重新处理", "Not confirmed, reopened"),
    "evt_cancelled": ("取消工单", "Ticket cancelled"),
    "evt_severity_changed": ("调整故障等级", "Severity changed"),
    "evt_sla_breached": ("服务时限超时", "Service clock breached"),
    "evt_rma_opened": ("备件申请", "Spare requested"),
    "evt_rma_approved": ("备件申请批准", "Spare request approved"),
    "evt_rma_rejected": ("备件申请驳回", "Spare request rejected"),
    "evt_faulty_shipped": ("故障件寄回", "Faulty part sent back"),
    "evt_return_reminder": ("提醒寄回故障件", "Return reminder sent"),
    "evt_return_overdue": ("故障件逾期未返回", "Faulty part return overdue"),
    "evt_rma_closed": ("RMA关闭", "RMA closed"),
    "evt_rma_cancelled": ("RMA取消", "RMA cancelled"),
}

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def normalise_lang(lang: str) -> str:
    """Return "zh" or "en"; raise ValueError for any language the documents lack."""
    code = _ALIASES.get(lang.strip().lower()) if isinstance(lang, str) else None
    if code is None:
        raise ValueError(
            f"unsupported document language {lang!r}; use one of {', '.join(SUPPORTED_LANGS)}"
        )
    return code


def label(key: str, lang: str, **values: object) -> str:
    """The printed label ``key`` in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    zh, en = _LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def coded_label(prefix: str, code: str, lang: str) -> str:
    """Translate a stable code (severity, clock, channel, event); unknown codes print as given."""
    key = f"{prefix}_{code}"
    return label(key, lang) if key in _LABELS else code


def month_name(month: int) -> str:
    return _MONTHS_EN[month - 1]


def short_month_name(month: int) -> str:
    """ "Jan" … "Dec"."""
    return _MONTHS_EN[month - 1][:3]
