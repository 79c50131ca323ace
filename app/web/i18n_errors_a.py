"""Domain errors in the reader's language (issue 13): the ``err.<key>`` words of the raises
in inventory/ that carry a key, and the ``thing.<what>`` they name. Folded into the .po
catalogues with ``python -m scripts.i18n fold app.web.i18n_errors_a`` (docs/i18n.md)."""

from __future__ import annotations

ERRORS_A_MESSAGES: dict[str, tuple[str, str]] = {
    "err.between_days": ("须在 {low} 到 {high} 天之间", "between {low} and {high} days"),
    "err.between_minutes": ("须在 {low} 到 {high} 分钟之间", "between {low} and {high} minutes"),
    "err.cnt.adjust_reason": ("库存调整须填写原因", "an adjustment needs a reason"),
    "err.cnt.by_serials_any": (
        "按序列号管理的备件须扫描序列号清点",
        "a serialized part is counted by its serials",
    ),
    "err.cnt.cancel_reason": ("取消盘点单须填写原因", "cancelling a count needs a reason"),
    "err.cnt.cannot": (
        "盘点单 {ref} 当前状态为「{count_status}」，不能执行此操作",
        "count {ref} is {count_status}; this step is not possible now",
    ),
    "err.cnt.confirm_missing": (
        "应有的 {expected} 个序列号中有 {missing} 个未找到；确认后才会记为丢失",
        "{missing} of {expected} expected serials were not found; confirm to write them off as missing",
    ),
    "err.cnt.delta_zero": ("调整数量不能为 0", "the adjustment must not be zero"),
    "err.cnt.depot_empty": (
        "备件库 {depot} 没有库存，请填写要盘点的备件",
        "depot {depot} holds no stock; name the parts to count",
    ),
    "err.cnt.moved_since": (
        "{part}（{condition}）清点后有变动：{depot} 现有可用数量不足 {n}，请复盘",
        "{part} ({condition}) moved since it was counted: fewer than {n} free at {depot} now; recount it",
    ),
    "err.cnt.not_at_depot": (
        "{serial} 不在备件库 {depot}",
        "item {serial} is not at depot {depot}",
    ),
    "err.cnt.not_counted": (
        "{part}（{condition}）尚未清点；货架为空请填 0",
        "{part} ({condition}) is not counted yet; give 0 if the shelf is empty",
    ),
    "err.cnt.not_waiting_approval": (
        "盘点单 {ref} 不在待批准状态",
        "count {ref} is not waiting for approval",
    ),
    "err.cnt.over_limits": (
        "{parts} 的差异超过限额：请复盘，或由另一人批准",
        "the variance of {parts} is over the limits: recount it or have a second person approve",
    ),
    "err.cnt.qty_required": ("请填写实盘数量（0 或以上）", "give the counted quantity (0 or more)"),
    "err.cnt.recount_none": ("请选择要复盘的备件", "name the parts to count again"),
    "err.cnt.recount_not_in_count": (
        "所选备件都不在本盘点单中",
        "none of these parts is in the count",
    ),
    "err.cnt.scanned_elsewhere": (
        "序列号 {serial} 在此扫到，但账上为「{item_status}」（{location}）：请先收货或调拨",
        "serial {serial} was scanned here but the books say it is {item_status} at {location}; receive or transfer it first",
    ),
    "err.cnt.scanned_unknown": (
        "序列号 {serial} 在此扫到，但账上没有：请先收货入库",
        "serial {serial} was scanned here but the books do not know it; receive it first",
    ),
    "err.cnt.scrap_by_serial": (
        "{part} 按序列号管理，请按序列号报废",
        "{part} is serialized: scrap it by serial",
    ),
    "err.cnt.scrap_not_on_shelf": (
        "{serial} 当前为「{item_status}」：只有在库的备件才能报废",
        "item {serial} is {item_status}; only shelf stock can be scrapped",
    ),
    "err.cnt.scrap_reason": ("报废须填写原因", "scrapping needs a reason"),
    "err.cnt.scrap_what": (
        "请填写序列号，或备件库、备件号和数量",
        "give a serial, or depot, part number and quantity",
    ),
    "err.cnt.second_person": (
        "须由另一人批准：您参与了清点或提交了本盘点单",
        "a second person approves: you counted or submitted this count",
    ),
    "err.cnt.too_many_scans": (
        "每次最多录入 {n} 个序列号和数量",
        "at most {n} serials and quantities a time",
    ),
    "err.cnt.unknown_serial": (
        "序列号 {serial} 不在账上：请填写其备件号以便记录",
        "serial {serial} is unknown: give its part number to note it",
    ),
    "err.cpl.cannot": (
        "客户问题 {ref} 当前状态为「{complaint_status}」，不能执行此操作",
        "complaint {ref} is {complaint_status}; this step is not possible now",
    ),
    "err.cpl.closed": ("客户问题 {ref} 已关闭", "complaint {ref} is closed"),
    "err.cpl.date_before_received": (
        "预计解决日期早于问题受理日期",
        "the expected resolution date is before the problem was received",
    ),
    "err.cpl.department_inactive": (
        "部门 {department} 已停用",
        "department {department} is not active",
    ),
    "err.cpl.opinion_required": ("请填写意见或评分", "give an opinion or a rating"),
    "err.cpl.received_future": ("受理时间不能晚于现在", "the time received is in the future"),
    "err.cpl.satisfaction": ("满意度须为 1 到 5", "satisfaction must be 1 to 5"),
    "err.email_invalid": ("不是有效的电子邮箱地址", "not an e-mail address"),
    "err.image.empty": ("图片为空", "the image is empty"),
    "err.image.too_large": ("图片不能超过 {kb} KB", "the image is larger than {kb} KB"),
    "err.image.too_wide": ("图片边长不能超过 {px} 像素", "the image is over {px} pixels wide"),
    "err.image.type": ("图片须为 {types} 格式", "images must be {types}"),
    "err.image.unreadable": ("文件不是可读取的图片", "the file is not a readable image"),
    "err.import.bad_csv": ("无法读取此 CSV 文件", "unreadable CSV file"),
    "err.import.bad_xlsx": ("无法读取此 Excel 文件", "unreadable Excel file"),
    "err.import.encoding": (
        "CSV 文件既不是 UTF-8 也不是 GB18030 编码",
        "the CSV is neither UTF-8 nor GB18030 text",
    ),
    "err.import.file_type": (
        "到货文件须为 .csv 或 .xlsx 格式",
        "the delivery must be a .csv or .xlsx file",
    ),
    "err.import.missing_columns": ("缺少列：{columns}", "missing column(s): {columns}"),
    "err.import.no_header": ("文件没有表头行", "the file has no header row"),
    "err.import.nul": (
        "第 {row} 行含有 NUL 字符：请将到货文件另存为 UTF-8 编码的 CSV 或 .xlsx",
        "row {row} holds NUL characters: save the delivery as UTF-8 CSV or .xlsx",
    ),
    "err.import.part_too_large": (
        "工作簿内的 {name} 解压后超过 {mb} MB",
        "the workbook part {name} unpacks to more than {mb} MB",
    ),
    "err.import.row_too_many_columns": (
        "第 {row} 行：每行最多 {n} 列",
        "row {row}: at most {n} columns per row",
    ),
    "err.import.too_large": (
        "工作簿解压后超过 {mb} MB",
        "the workbook unpacks to more than {mb} MB",
    ),
    "err.import.too_many_columns": ("每行最多 {n} 列", "at most {n} columns per row"),
    "err.import.too_many_parts": (
        "工作簿内部文件超过 {n} 个",
        "the workbook holds more than {n} parts",
    ),
    "err.import.too_many_rows": ("每个文件最多 {n} 行", "at most {n} rows per file"),
    "err.ins.cannot": (
        "巡检 {ref} 当前状态为「{inspection_status}」，不能执行此操作",
        "inspection {ref} is {inspection_status}; this step is not possible now",
    ),
    "err.ins.engineer_off": (
        "工程师 {engineer} 在 {day} 不上班",
        "{engineer} does not work on {day}",
    ),
    "err.ins.frequency": (
        "频率只能是每月、每季度或每年",
        "the frequency is monthly, quarterly or yearly",
    ),
    "err.ins.frequency_required": ("请选择巡检频率", "give the frequency"),
    "err.ins.item_key_format": (
        "检查项代码只能含字母、数字及 - _ .，最多 40 个字符",
        "letters, digits, - _ . (at most 40)",
    ),
    "err.ins.item_key_twice": ("检查项代码 {key} 重复", "key {key} is used twice"),
    "err.ins.item_not_object": ("检查项格式不正确", "an item is an object"),
    "err.ins.mode": ("方式只能是现场巡检或电话巡检", "the mode is on site or by phone"),
    "err.ins.no_checklists": (
        "请至少填写一类设备及其检查项",
        "give at least one equipment kind with its items",
    ),
    "err.ins.no_items": ("{kind} 至少需要一个检查项", "give at least one item for {kind}"),
    "err.ins.no_programme": (
        "合同 {contract} 没有巡检计划",
        "contract {contract} has no inspection programme",
    ),
    "err.ins.not_customer_site": ("该客户没有站点 {code}", "no site {code} of this customer"),
    "err.ins.not_on_checklist": ("{key} 不在本次检查清单上", "{key} is not on this checklist"),
    "err.ins.not_setting": ("{key} 不是巡检计划的设置项", "{key} is not a programme setting"),
    "err.ins.not_signed": ("巡检 {ref} 尚未签字", "inspection {ref} is not signed yet"),
    "err.ins.outcome": (
        "检查结果须为合格、不合格或不适用",
        "the result is pass, fail or not applicable",
    ),
    "err.ins.preferred_hours": (
        "偏好时段的开始须早于结束，且在同一天内",
        "the preferred hours must start before they end, within one day",
    ),
    "err.ins.programme_paused": (
        "合同 {contract} 的巡检计划已暂停",
        "the inspection programme of {contract} is paused",
    ),
    "err.ins.site_list": ("站点代码须为列表", "a list of site codes"),
    "err.ins.too_many_items": ("{kind} 最多 {n} 个检查项", "at most {n} items for {kind}"),
    "err.ins.unanswered": (
        "还有 {n} 个检查项未填写结果：{items}",
        "{n} checklist items have no result: {items}",
    ),
    "err.ins.weekdays": ("工作日用 1–7 表示（1 为周一），例如 24", "ISO weekdays 1-7, e.g. 24"),
    "err.not_negative": ("不能为负数", "must not be negative"),
    "err.required": ("必填", "required"),
    "err.rma.counted_repair": (
        "按数量管理的备件通过维修批次送修",
        "counted parts are repaired through repair batches",
    ),
    "err.rma.faulty_serial_required": ("请填写故障件序列号", "give the faulty unit's serial"),
    "err.rma.kind": (
        "RMA 类型只能是备件先行或返厂维修",
        "the kind is advance replacement or return for repair",
    ),
    "err.rma.other_customer_serial": (
        "序列号 {serial} 安装在其他客户处",
        "serial {serial} is installed at another customer",
    ),
    "err.rma.repair_outcome": ("结果只能是已修复或已换新", "the outcome is repaired or exchanged"),
    "err.rma.replacement_elsewhere": (
        "RMA {ref}：替换件不在此步骤的起点，请刷新后核对",
        "RMA {ref}: the replacement is not where this move starts",
    ),
    "err.rma.return_depot_required": (
        "请选择接收故障件的备件库",
        "say which depot receives the unit",
    ),
    "err.rma.serialized_one": (
        "按序列号管理的备件每张 RMA 只退回一件",
        "a serialized part comes back one unit per RMA",
    ),
    "err.rma.source_depot_required": (
        "请选择发出替换件的备件库",
        "say which depot the replacement comes from",
    ),
    "err.rma.unknown_action": ("未知的 RMA 操作 {action}", "unknown RMA action {action}"),
    "err.rtv.cannot": (
        "索赔单 {ref} 当前状态为「{rtv_status}」，不能执行此操作",
        "RTV {ref} is {rtv_status}; this step is not possible now",
    ),
    "err.rtv.credit_note_required": (
        "请填写供应商贷项通知单号",
        "give the vendor's credit note number",
    ),
    "err.rtv.failure_required": ("请填写报修故障", "say what failure is reported"),
    "err.rtv.no_units": ("索赔单至少需要一件故障件", "an RTV needs at least one unit"),
    "err.rtv.not_faulty_here": (
        "{serial} 不是 {depot} 或 {site} 的故障件",
        "{serial} is not a faulty unit at {depot} or {site}",
    ),
    "err.rtv.not_on_rtv": ("{serial} 不在索赔单 {ref} 上", "{serial} is not on RTV {ref}"),
    "err.rtv.not_received": (
        "索赔单 {ref} 当前状态为「{rtv_status}」：全部件返回后才能记录赔付",
        "RTV {ref} is {rtv_status}; the credit is recorded once every unit is back",
    ),
    "err.rtv.not_shipped": (
        "索赔单 {ref} 当前状态为「{rtv_status}」：发往供应商后才能记录返回",
        "RTV {ref} is {rtv_status}; units come back after it is shipped",
    ),
    "err.rtv.not_vendor_site": ("{code} 不是供应商站点", "{code} is not a vendor's site"),
    "err.rtv.other_vendor_site": (
        "{code} 不是 {vendor} 的站点",
        "{code} is not a site of {vendor}",
    ),
    "err.rtv.replacement_only_replaced": (
        "只有已换新的件才填写新序列号",
        "only a replaced unit has a replacement serial",
    ),
    "err.rtv.replacement_required": (
        "已换新的件须填写换回的新序列号",
        "a replaced unit needs the replacement's serial",
    ),
    "err.rtv.several_sites": (
        "这些故障件位于不同的供应商站点：每个站点开一张索赔单",
        "the units are at different vendor sites: one RTV per site",
    ),
    "err.rtv.unit_taken": (
        "{serial} 已在其他索赔单上，或刚被移动",
        "{serial} is already on a claim or was moved meanwhile",
    ),
    "err.rtv.vendor_rma_required": ("请填写供应商 RMA 号", "give the vendor's RMA number"),
    "err.rtv.vendor_rma_taken": (
        "{vendor} 的 RMA 号 {vendor_rma} 已在另一张索赔单上",
        "{vendor} RMA {vendor_rma} is on another RTV",
    ),
    "err.signature_empty": ("签名为空，请在框内签字", "the signature is empty: sign in the box"),
    "err.signer_name": ("请填写签字人姓名", "the person signing gives their name"),
    "err.text_too_long": ("不能超过 {n} 个字符", "at most {n} characters"),
    "err.trf.already_received": ("调拨单 {ref} 已被接收", "transfer {ref} was already received"),
    "err.trf.depot_receives": (
        "调往备件库的调拨由该库房接收",
        "a depot's transfer is received by its warehouse",
    ),
    "err.trf.discrepancy_cannot": (
        "收货差异 {id} 当前为「{discrepancy_status}」，不能这样处理",
        "discrepancy {id} is {discrepancy_status}; this step is not possible now",
    ),
    "err.trf.no_discrepancy": (
        "调拨单 {ref} 没有编号为 {id} 的收货差异",
        "transfer {ref} has no discrepancy {id}",
    ),
    "err.trf.no_item": ("找不到备件 {part}、序列号 {serial}", "no item {part} / {serial}"),
    "err.trf.no_lines": ("调拨单至少需要一行", "a transfer needs at least one line"),
    "err.trf.not_on_shelf": (
        "{serial} 不在调出库房的货架上（当前为「{item_status}」，位于 {location}）",
        "item {serial} is not on the shelf of the shipping depot (it is {item_status} at {location})",
    ),
    "err.trf.resolved_meanwhile": (
        "收货差异 {id} 刚被他人处理，请刷新",
        "discrepancy {id} was resolved meanwhile; reload it",
    ),
    "err.trf.serial_required": (
        "{part} 按序列号管理，请填写序列号",
        "{part} is serialized: give the serial",
    ),
    "err.trf.van_receives": (
        "调往车载备件的调拨由该车的工程师接收",
        "a van's transfer is received by the van's engineer",
    ),
    "err.trf.writeoff_admin": ("核销须由管理员批准", "a write-off is approved by an administrator"),
    "err.trf.writeoff_other": (
        "核销须由申请人以外的人批准",
        "a write-off is approved by someone other than who asked for it",
    ),
    "err.visit.actions_first": (
        "请先填写处理措施，再请客户签字",
        "record the actions taken before the signature",
    ),
    "err.visit.cannot_install": (
        "RMA {ref} 当前状态为「{rma_status}」，现在不能装上备件",
        "RMA {ref} is {rma_status}; its spare cannot be installed now",
    ),
    "err.visit.install_first": (
        "RMA {ref} 当前状态为「{rma_status}」：请先装上备件，再拆下故障件",
        "RMA {ref} is {rma_status}; install the spare before removing the faulty unit",
    ),
    "err.visit.no_spare": (
        "工单 {ref} 没有预留备件，请联系调度",
        "ticket {ref} has no spare reserved; ask the dispatcher",
    ),
    "err.visit.not_faulty_unit": (
        "{serial} 不是记录中的故障件（应为 {expected}）",
        "{serial} is not the faulty unit on record ({expected})",
    ),
    "err.visit.not_on_site": (
        "工单 {ref} 当前状态为「{ticket_status}」，请先记录到场",
        "ticket {ref} is {ticket_status}; record the arrival first",
    ),
    "err.visit.not_reserved_spare": (
        "{serial} 不是为本工单预留的备件（应为 {expected}）",
        "{serial} is not the spare reserved for this job ({expected})",
    ),
    "err.visit.scan_serial": (
        "请扫描装上或拆下的序列号",
        "scan the serial installed or the serial removed",
    ),
    "thing.count": ("盘点单", "count"),
    "thing.rtv": ("索赔单", "return to vendor"),
}
