"""Words of the administration pages added for issue 14 (calendar, webhooks, customers
and sites, depot changes, invitations) and of the shelf papers' links, zh-CN and English;
merged into ``i18n.MESSAGES`` (same shape: key -> (zh, en))."""

from __future__ import annotations

ADMIN14_MESSAGES: dict[str, tuple[str, str]] = {
    "a14.remove": ("删除", "Remove"),
    "a14.all_events": ("全部审计记录", "The whole audit trail"),
    "adm.subject.calendar": ("工作日历", "Working calendar"),
    "adm.subject.webhook": ("Webhook 接收地址", "Webhook endpoint"),
    "adm.ev.day_added": ("新增例外日", "day added"),
    "adm.ev.day_removed": ("删除例外日", "day removed"),
    # the working calendar
    "a14.cal.title": ("工作日历", "Working calendar"),
    "a14.cal.intro": (
        "法定节假日和调休按国家日历自动计算；这里登记公司自己的休息日（如公司假期）和额外工作日。"
        "5×8 合同的时限和返还期限按此计算；已开的工单保留原截止时间。",
        "Public holidays and make-up working days come from the country's calendar; record "
        "the company's own days off (a company holiday) and extra working days here. 5×8 "
        "contracts' clocks and return windows count them; tickets already open keep their "
        "deadlines.",
    ),
    "a14.cal.intro_home": (
        "公司假期和额外工作日，影响 SLA 时限。",
        "Company holidays and extra working days, which move SLA deadlines.",
    ),
    "a14.cal.weekday": ("星期", "Weekday"),
    "a14.cal.holiday": ("休息日", "Day off"),
    "a14.cal.workday": ("工作日", "Working day"),
    "a14.cal.none": ("还没有登记例外日。", "No exceptions recorded yet."),
    "a14.cal.new": ("新增例外日", "Add a day"),
    "a14.cal.new_help": (
        "公司假期选“休息日”；周末上班选“工作日”。同一天只能登记一次。",
        "Choose “Day off” for a company holiday, “Working day” for a weekend worked. A day "
        "can be recorded once.",
    ),
    "a14.cal.add": ("登记", "Add"),
    "a14.cal.holiday_added": (
        "{day}（{name}）已登记为休息日。",
        "{day} ({name}) is now a day off.",
    ),
    "a14.cal.workday_added": (
        "{day}（{name}）已登记为工作日。",
        "{day} ({name}) is now a working day.",
    ),
    "a14.cal.removed": ("{day}（{name}）已删除，恢复按国家日历。", "{day} ({name}) removed."),
    "adm.f.day": ("日期", "Date"),
    "adm.f.working": ("类型", "Kind of day"),
    "a14.wd.0": ("星期一", "Monday"),
    "a14.wd.1": ("星期二", "Tuesday"),
    "a14.wd.2": ("星期三", "Wednesday"),
    "a14.wd.3": ("星期四", "Thursday"),
    "a14.wd.4": ("星期五", "Friday"),
    "a14.wd.5": ("星期六", "Saturday"),
    "a14.wd.6": ("星期日", "Sunday"),
}
