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
    # webhook endpoints
    "a14.wh.title": ("Webhook 接收地址", "Webhook endpoints"),
    "a14.wh.intro": (
        "需要通知的事件（发货、送达、逾期、升级、超时）会以签名的 JSON 发送到每个启用的地址；"
        "每个地址有自己的密钥和发送记录。",
        "Every event that notifies (shipped, delivered, overdue, escalated, breached) is "
        "posted as signed JSON to each active endpoint; each has its own secret and "
        "delivery log.",
    ),
    "a14.wh.intro_home": (
        "事件推送地址、密钥和发送记录。",
        "Where events are posted, their secrets and delivery log.",
    ),
    "a14.wh.name": ("名称", "Name"),
    "a14.wh.url": ("接收地址（URL）", "URL"),
    "a14.wh.secret": ("签名密钥", "Signing secret"),
    "a14.wh.secret_optional": ("签名密钥（留空自动生成）", "Signing secret (blank: generated)"),
    "a14.wh.none": ("还没有接收地址。", "No endpoints yet."),
    "a14.wh.new": ("新建接收地址", "New endpoint"),
    "a14.wh.new_help": (
        "名称 2–64 个字母、数字或 _ . -；地址以 http:// 或 https:// 开头；密钥至少 16 个字符。",
        "Name: 2–64 letters, digits, _ . -; URL: http:// or https://; a secret has at least "
        "16 characters.",
    ),
    "a14.wh.create": ("创建", "Create"),
    "a14.wh.created": ("接收地址 {name} 已创建。", "Endpoint {name} created."),
    "a14.wh.secret_once": (
        "请现在保存此密钥：它只显示这一次，接收方用它校验 X-Sparelog-Signature。",
        "Store this secret now: it is shown this once; the receiver checks "
        "X-Sparelog-Signature with it.",
    ),
    "a14.wh.ping": ("发送测试消息", "Send a test message"),
    "a14.wh.ping_queued": (
        "测试消息已排队，稍后发送。",
        "Test message queued; it goes out shortly.",
    ),
    "a14.wh.rotate": ("更换密钥", "New secret"),
    "a14.wh.deactivate": ("停用", "Deactivate"),
    "a14.wh.reactivate": ("重新启用", "Reactivate"),
    "a14.wh.details_done": ("{name} 的地址已保存。", "{name}: URL saved."),
    "a14.wh.deactivate_done": (
        "{name} 已停用，不再接收事件。",
        "{name} deactivated: no more events.",
    ),
    "a14.wh.reactivate_done": ("{name} 已重新启用。", "{name} reactivated."),
    "a14.wh.rotate_done": ("{name} 已更换密钥。", "{name} has a new secret."),
    "a14.wh.log": ("发送记录", "Delivery log"),
    "a14.wh.log_n": ("共 {n} 条，显示最新 {shown} 条", "{n} in all, the newest {shown} shown"),
    "a14.wh.queued": ("排队时间", "Queued"),
    "a14.wh.delivery": ("投递编号", "Delivery id"),
    "a14.wh.attempts": ("尝试次数", "Attempts"),
    "a14.wh.sent": ("发送时间", "Sent"),
    "a14.wh.error": ("最近错误", "Last error"),
    "a14.wh.next_try": ("下次尝试 {at}", "next try {at}"),
    "a14.wh.no_deliveries": ("还没有发送记录。", "Nothing sent yet."),
    "a14.wh.status.pending": ("待发送", "pending"),
    "a14.wh.status.sent": ("已发送", "sent"),
    "a14.wh.status.dead": ("放弃", "given up"),
    "adm.ev.secret_rotated": ("更换密钥", "secret rotated"),
    "adm.ev.ping_queued": ("测试消息", "test message queued"),
    "adm.f.url": ("接收地址（URL）", "URL"),
    "adm.f.secret": ("签名密钥", "Signing secret"),
    # customers, sites and depots
    "a14.details": ("基本信息", "Details"),
    "a14.f.code": ("代码", "Code"),
    "adm.f.contact_name": ("联系人", "Contact person"),
    "adm.f.phone": ("电话", "Phone"),
    "adm.f.fax": ("传真", "Fax"),
    "adm.f.email": ("电子邮件", "E-mail"),
    "adm.f.postcode": ("邮编", "Postcode"),
    "adm.f.uncertainty_km": ("定位误差（公里）", "Uncertainty (km)"),
    "a14.cust.title": ("客户与站点", "Customers and sites"),
    "a14.cust.intro_home": (
        "客户单位、联系人和站点地址（自动定位）。",
        "Customer units, contacts and site addresses (placed on the map).",
    ),
    "a14.cust.new": ("新建客户", "New customer"),
    "a14.cust.create": ("创建客户", "Create customer"),
    "a14.cust.created": ("客户 {code} 已创建。", "Customer {code} created."),
    "a14.cust.saved": ("客户 {code} 已保存。", "Customer {code} saved."),
    "a14.cust.new_contract": ("为该客户新建合同", "New contract for this customer"),
    "a14.site.title": ("站点", "Sites"),
    "a14.site.none": ("还没有站点。", "No sites yet."),
    "a14.site.new": ("新建站点", "New site"),
    "a14.site.create": ("创建站点", "Create site"),
    "a14.site.created": (
        "站点 {code} 已创建，定位精度：{precision}。",
        "Site {code} created, placed to {precision} precision.",
    ),
    "a14.site.saved": (
        "站点 {code} 已保存，定位精度：{precision}。",
        "Site {code} saved, placed to {precision} precision.",
    ),
    "a14.site.edit_help": (
        "改了地址而不改经纬度时按新地址重新定位；填写新的经纬度则按填写的位置。",
        "A new address with the coordinates left as they are is placed again by the "
        "address; new coordinates are taken as entered.",
    ),
    "a14.depot.saved": ("备件库 {code} 已保存。", "Depot {code} saved."),
    "a14.depot.holdings": ("库存与人员", "Stock and staff"),
    "a14.depot.units": (
        "在库 {n} 件（序列号件 {serial}，数量件 {counted}）",
        "{n} units on the shelves ({serial} serialized, {counted} counted)",
    ),
    "a14.depot.in_transit": ("在途调拨 {n} 单", "{n} transfers in transit"),
    "a14.depot.staff": ("分配的仓库人员 {n} 人：", "{n} staff assigned:"),
    "a14.depot.deactivate_help": (
        "库内还有库存或在途调拨时不能停用：先调走。停用后人员的分配保留，但在重新启用前不能在此操作。",
        "A depot with stock on its shelves or transfers in transit cannot be deactivated: "
        "move them first. Its staff keep their assignment but cannot act there until it "
        "is reactivated.",
    ),
    "a14.depot.deactivated": (
        "备件库 {code} 已停用；{n} 名人员保留分配但不能在此操作：{staff}。",
        "Depot {code} deactivated; {n} staff keep their assignment but cannot act there: {staff}.",
    ),
    "a14.depot.reactivated": (
        "备件库 {code} 已重新启用；{n} 名人员可再次在此操作：{staff}。",
        "Depot {code} reactivated; {n} staff can act there again: {staff}.",
    ),
    "adm.ev.depots_assigned": ("分配备件库", "depots assigned"),
}
