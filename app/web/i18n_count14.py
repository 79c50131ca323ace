"""The stock count documents' and the reorder actions' words, zh-CN and English; merged
into ``i18n.MESSAGES`` (same shape: key -> (zh, en))."""

from __future__ import annotations

COUNT14_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.counts": ("盘点", "Counts"),
    # the count documents
    "cnt.title": ("盘点单", "Stock counts"),
    "cnt.intro": (
        "开始盘点时冻结账面应有清单；可多人扫描或录入数量，每行记录盘点人。提交后逐行显示差异及按成本价计算的金额；"
        "某备件差异超过 {units} 件或 ¥{value} 时，须复盘或由另一人批准后才能过账。",
        "A count freezes the expected list when it starts; several people may scan or enter "
        "quantities, each line records who. Once submitted, each line shows its variance and "
        "its value at unit cost; a part whose variance is over {units} units or ¥{value} must "
        "be recounted or approved by a second person before the count posts.",
    ),
    "cnt.start_title": ("在 {depot} 开始盘点", "Start a count at {depot}"),
    "cnt.parts_label": ("盘点的备件号（每行一个）", "Part numbers to count (one per line)"),
    "cnt.parts_hint": (
        "留空则盘点本库所有有库存的备件。",
        "Leave empty to count every part with stock at this depot.",
    ),
    "cnt.start": ("开始盘点", "Start count"),
    "cnt.start_part": ("为此备件开盘点单", "Start a count of this part"),
    "cnt.start_part_hint": (
        "盘点以盘点单进行：先冻结账面，清点后审核差异，再过账。",
        "Counts are documents: the books are frozen, the shelf counted, the variances "
        "reviewed, then posted.",
    ),
    "cnt.list_title": ("盘点单列表", "Counts"),
    "cnt.none": ("还没有盘点单。", "No counts yet."),
    "cnt.number": ("盘点单号", "Count"),
    "cnt.depot": ("库房", "Depot"),
    "cnt.status": ("状态", "Status"),
    "cnt.status.counting": ("盘点中", "Counting"),
    "cnt.status.review": ("待审核", "In review"),
    "cnt.status.posted": ("已过账", "Posted"),
    "cnt.status.cancelled": ("已取消", "Cancelled"),
    "cnt.started": ("开始", "Started"),
    "cnt.lines": ("行数", "Lines"),
    "cnt.no_depot": (
        "您尚未被分配到任何库房，无法盘点。请联系管理员。",
        "You are not assigned to any depot, so you cannot count. Ask an administrator.",
    ),
    "cnt.failed": ("操作失败：{message}", "Not done: {message}"),
    "cnt.started_flash_ok": ("已开始盘点单 {ref}。", "Count {ref} started."),
    "cnt.doc_title": ("盘点单 {ref}", "Count {ref}"),
    "cnt.round": ("第 {n} 轮", "round {n}"),
    "cnt.limits": ("差异限额", "Variance limits"),
    "cnt.limits_text": ("每个备件 {units} 件或 ¥{value}", "{units} units or ¥{value} per part"),
    "cnt.counters": ("盘点人", "Counted by"),
    "cnt.submitted_by": ("提交人", "Submitted by"),
    "cnt.approved_by": ("批准人", "Approved by"),
    "cnt.posted_by": ("过账", "Posted"),
    "cnt.variance_total": ("差异金额合计", "Total variance value"),
    "cnt.record_title": ("清点", "Count the shelf"),
    "cnt.record_hint": (
        "扫描货架上的每个序列号（每行一个，重复扫描无妨），并录入计数备件的实盘数量。可分多次、由多人录入。",
        "Scan every serial on the shelf (one per line; scanning twice does no harm) and enter "
        "the quantity of each counted part. Several people may record, in several goes.",
    ),
    "cnt.scan_serials": (
        "扫描序列号（已扫 {done} / 应有 {total}）",
        "Scan serials ({done} of {total} expected scanned)",
    ),
    "cnt.qty_label": ("{part}（{condition}）实盘数量", "{part} ({condition}) counted"),
    "cnt.recount_line": ("复盘：首次 {n}（{who}）", "recount: first count {n} ({who})"),
    "cnt.record": ("记录", "Record"),
    "cnt.unknown_part": (
        "账上没有的序列号属于哪个备件（可选）",
        "Part of serials the books do not know (optional)",
    ),
    "cnt.submit": ("清点完成，提交审核", "Counting done: submit for review"),
    "cnt.by_part": ("按备件的差异", "Variance by part"),
    "cnt.recount_col": ("复盘", "Recount"),
    "cnt.variance": ("差异", "Variance"),
    "cnt.value": ("金额", "Value"),
    "cnt.check": ("限额", "Limit"),
    "cnt.recounted": ("已复盘", "Recounted"),
    "cnt.approved_short": ("已批准", "Approved"),
    "cnt.over_limit": ("超限：须复盘或批准", "Over the limit: recount or approve"),
    "cnt.within": ("在限额内", "Within the limits"),
    "cnt.recount": ("复盘所选备件", "Recount the parts ticked"),
    "cnt.post_title": ("过账", "Post"),
    "cnt.needs_check": (
        "有备件的差异超过限额：请复盘，或由未参与盘点的另一人批准。",
        "A part's variance is over the limits: recount it, or have a second person who did "
        "not count approve it.",
    ),
    "cnt.approve": ("批准差异（第二人）", "Approve the variances (second person)"),
    "cnt.second_person": (
        "您参与了本次盘点，需由另一人批准。",
        "You took part in this count: another person must approve.",
    ),
    "cnt.confirm_needed": (
        "应有的 {expected} 个序列号中有 {missing} 个未找到。确认后才会把它们记为丢失。",
        "{missing} of the {expected} expected serials were not found. They are written off "
        "as missing only once you confirm.",
    ),
    "cnt.confirm_label": (
        "确认将 {missing} 个未找到的序列号记为丢失",
        "Confirm: write the {missing} serials not found off as missing",
    ),
    "cnt.post": ("过账", "Post the count"),
    "cnt.lines_title": ("盘点明细", "Lines"),
    "cnt.serial": ("序列号", "Serial"),
    "cnt.expected": ("账面（开始时）", "Books at start"),
    "cnt.book_at_count": ("账面（清点时）", "Books when counted"),
    "cnt.counted": ("实盘", "Counted"),
    "cnt.note": ("说明", "Note"),
    "cnt.reserved": ("已预留", "reserved"),
    "cnt.moved_since_start": ("开始后变动 {n}", "moved {n} since start"),
    "cnt.not_scanned": ("未扫到", "not scanned"),
    "cnt.first_count": ("首次：{n}（{who}）", "first count: {n} ({who})"),
    "cnt.finding_short.missing": (
        "曾记丢失，过账时重新入库",
        "written off earlier: booked back in",
    ),
    "cnt.finding_short.elsewhere": ("账面在别处：{where}", "the books have it elsewhere: {where}"),
    "cnt.finding_short.unknown": ("账上无此序列号：请收货", "unknown to the books: receive it"),
    "cnt.finding_short.received": ("开始后才入库：{where}", "booked in after the start: {where}"),
    "cnt.finding.missing": (
        "发现 {serial}：账上记为丢失，过账时重新入库。",
        "Found {serial}: written off earlier, it is booked back in when the count posts.",
    ),
    "cnt.finding.elsewhere": (
        "发现 {serial}：账面显示在 {where}，不会被移动，请核查。",
        "Found {serial}: the books have it at {where}; it is not moved — look into it.",
    ),
    "cnt.finding.unknown": (
        "发现 {serial}：账上没有此序列号，请按收货流程入库。",
        "Found {serial}: no such serial in the books; receive it.",
    ),
    "cnt.finding.received": (
        "发现 {serial}：盘点开始后才入库（{where}），无需过账。",
        "Found {serial}: booked in after the count started ({where}); nothing to post.",
    ),
    "cnt.outcome.ok": ("无差异", "no difference"),
    "cnt.outcome.adjusted": ("已调整", "adjusted"),
    "cnt.outcome.written_off": ("已记丢失", "written off"),
    "cnt.outcome.found": ("已重新入库", "booked back in"),
    "cnt.outcome.moved": ("开始后已移动，未核销", "moved since the start; left as booked"),
    "cnt.outcome.reserved": ("已预留，未核销", "reserved; not written off"),
    "cnt.outcome.finding": ("待核查", "to look into"),
    "cnt.outcome.not_counted": ("未清点", "not counted"),
    "cnt.hidden": (
        "另有 {n} 行无差异，未显示。",
        "{n} more lines without a variance are not shown.",
    ),
    "cnt.cancel_reason": ("取消原因", "Reason to cancel"),
    "cnt.cancel": ("取消盘点单", "Cancel the count"),
    "cnt.back": ("返回盘点单列表", "Back to the counts"),
    "cnt.recorded": (
        "已记录：{matched} 个序列号、{qty} 个数量，{n} 项发现。",
        "Recorded: {matched} serials, {qty} quantities, {n} findings.",
    ),
    "cnt.submitted": ("盘点单 {ref} 已提交审核。", "Count {ref} is in review."),
    "cnt.pick_parts": ("请勾选要复盘的备件。", "Tick the parts to count again."),
    "cnt.recount_asked": (
        "已要求复盘，请重新清点所选备件。",
        "Recount asked: count the parts again.",
    ),
    "cnt.approved": ("已批准差异。", "The variances are approved."),
    "cnt.posted": (
        "盘点单 {ref} 已过账：出 {out} 件，入 {into} 件，差异金额 ¥{value}。",
        "Count {ref} posted: {out} units out, {into} in, variance ¥{value}.",
    ),
    "cnt.cancelled": ("盘点单已取消。", "The count is cancelled."),
    # the reorder list's actions
    "ro.depot": ("库房", "Depot"),
    "ro.proposal": ("建议", "Proposal"),
    "ro.action": ("操作", "Action"),
    "ro.source": ("调出库房", "From depot"),
    "ro.travel_minutes": ("在途时间（分钟）", "Travel (minutes)"),
    "ro.accepted_ref": ("已接受单号", "Accepted as"),
    "ro.kind.transfer": ("调拨", "Transfer"),
    "ro.kind.purchase": ("采购", "Purchase"),
    "ro.kind.accepted": ("已接受", "Accepted"),
    "ro.transfer_from": (
        "从 {source} 调拨 {qty} 件（车程 {minutes}；该库有 {have}，保留 {keep}）",
        "Transfer {qty} from {source} ({minutes} away; it has {have}, keeps {keep})",
    ),
    "ro.purchase_of": (
        "无库房可调出：采购 {qty} 件",
        "No depot can spare it: buy {qty}",
    ),
    "ro.accepted_line": ("{kind} {ref}（{qty} 件，{who}）", "{kind} {ref} ({qty}, {who})"),
    "ro.accept_transfer": ("接受调拨", "Accept transfer"),
    "ro.accept_purchase": ("生成采购申请", "Raise purchase request"),
    "ro.accepted.transfer": (
        "已从 {source} 发出调拨 {ref}（{qty} 件），在途中。",
        "Transfer {ref} shipped from {source} ({qty} units); it is in transit.",
    ),
    "ro.accepted.purchase": (
        "已生成采购申请 {ref}（{qty} 件）。",
        "Purchase request {ref} raised ({qty} units).",
    ),
    "ro.already": (
        "此行已接受过：{ref}（{qty} 件），未重复创建。",
        "This line was accepted already: {ref} ({qty} units); nothing created twice.",
    ),
    "ro.rest": ("其余 {n} 件仍缺", "{n} still short after it"),
    "ro.not_your_depot": ("非您负责的库房", "Not one of your depots"),
    "ro.export_csv": ("导出 CSV", "Export CSV"),
    "ro.export_xlsx": ("导出 Excel", "Export Excel"),
    "ro.plan_targets": (
        "目标库存来自 {when} 由 {who} 接受的备件规划 {ref}。",
        "Targets come from the parts plan {ref} accepted by {who} on {when}.",
    ),
    "ro.policy_targets": (
        "目标库存来自各库房的补货策略（尚未接受备件规划）。",
        "Targets are the depots' stock policies (no parts plan accepted yet).",
    ),
    "ro.how": (
        "建议从车程最近、调出后仍不低于自身目标的库房调拨；没有则建议采购。",
        "Each line proposes a transfer from the nearest depot (by travel time) that stays at "
        "its own level afterwards, else a purchase.",
    ),
}
