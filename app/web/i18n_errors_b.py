"""Domain errors in the reader's language (issue 13), until folded into the .po catalogues:
``err.<key>`` of the raises in inventory/, logistics/ and app/, and the ``thing.<what>``
words of ``err.unknown`` / ``err.taken``. ``python -m scripts.i18n fold
app.web.i18n_errors_b`` (docs/i18n.md)."""

from __future__ import annotations

ERRORS_B_MESSAGES: dict[str, tuple[str, str]] = {
    # -- things named by err.unknown / err.taken ------------------------------------------
    "thing.action": ("操作", "action"),
    "thing.article": ("知识条目", "article"),
    "thing.calendar_exception": ("日历例外", "calendar exception"),
    "thing.complaint": ("投诉", "complaint"),
    "thing.delivery": ("到货单", "delivery"),
    "thing.inspection": ("巡检", "inspection"),
    "thing.job": ("后台任务", "job"),
    "thing.photo": ("照片", "photo"),
    "thing.part_return": ("故障件返还单", "return"),
    "thing.repair_batch": ("送修批次", "repair batch"),
    "thing.return_rule": ("返还规则", "return rule"),
    "thing.service_file": ("服务档案", "service file"),
    "thing.subject_type": ("记录对象类型", "subject type"),
    "thing.survey_question": ("评价项", "survey question"),
    "thing.timezone": ("时区", "time zone"),
    "thing.transfer": ("调拨单", "transfer"),
    "thing.user": ("用户", "user"),
    "thing.webhook": ("事件推送地址", "webhook endpoint"),
    # -- quantities, choices, serials ---------------------------------------------------
    "err.qty_positive": ("数量至少为 1", "quantity must be at least 1"),
    "err.condition_choice": ("状态只能是故障或良品", "condition is faulty or good"),
    "err.serialized_one_at_a_time": (
        "按序列号管理的备件每次只能一件",
        "a serialized part is handled one unit at a time",
    ),
    "err.serialized_scan": ("{part} 按序列号管理，请扫描序列号", "{part} is serialized: scan it"),
    "err.serial_exists": (
        "{part} 的序列号 {serial} 已存在",
        "serial {serial} already exists for {part}",
    ),
    "err.serial_listed_twice": ("有序列号重复列出", "a serial is listed twice"),
    "err.cannot_receive_condition": (
        "不能以「{condition}」状态入库",
        "cannot receive stock in condition {condition}",
    ),
    # -- the engineer's job and van ------------------------------------------------------
    "err.ticket_no_engineer": ("工单 {ref} 尚未指派工程师", "ticket {ref} has no engineer"),
    "err.part_source_choice": (
        "备件来源只能是车载、库房自取或快递",
        "source is van, depot_pickup or courier",
    ),
    "err.scan_installed": ("请扫描所装备件的序列号", "scan the serial of the spare installed"),
    "err.not_in_van": (
        "{serial} 不在 {engineer} 的车载库存中",
        "{serial} is not in the van of {engineer}",
    ),
    "err.van_unit_condition": (
        "车载库存中的 {serial} 状态为「{condition}」",
        "{serial} in the van is {condition}",
    ),
    "err.not_installed": (
        "{serial} 不是客户处的在装设备（当前：{item_status}）",
        "{serial} is not installed at a customer (it is {item_status})",
    ),
    # -- faulty parts owed back ----------------------------------------------------------
    "err.deadline_hours_positive": (
        "期限须为正的小时数",
        "the deadline is a positive number of hours",
    ),
    "err.return_one_place": (
        "只能寄往一处：指定的目的地或工程师的所属备件库",
        "send the parts to one place: a destination or the engineer's home depot",
    ),
    "err.return_destination_kind": (
        "备件只能退回备件库或厂商处",
        "parts go back to a depot or a vendor's site",
    ),
    "err.return_changed": (
        "故障件返还单 {ref} 已不是「{return_status}」状态，请刷新后重试",
        "return {ref} is no longer {return_status}",
    ),
    "err.return_cannot": (
        "故障件返还单 {ref} 当前状态为「{return_status}」，不能执行此操作",
        "return {ref} is {return_status}",
    ),
    "err.return_not_sent": (
        "故障件返还单 {ref} 当前状态为「{return_status}」，须先寄出",
        "return {ref} is {return_status}; it must be sent first",
    ),
    "err.no_return_destination": (
        "没有返还规则指定此备件的去向，且 {engineer} 没有所属备件库，请联系管理员",
        "no return rule sends this part anywhere and {engineer} has no home depot; "
        "ask an administrator",
    ),
    "err.nobody_receives": ("{location} 没有人负责签收", "nobody receives at {location}"),
    # -- route planning ------------------------------------------------------------------
    "err.shifts_over": (
        "{day} 所有工程师的班次都已结束，没有可规划的内容",
        "every engineer's shift on {day} is over: nothing left to plan",
    ),
    "err.stop_ids_unique": (
        "站点编号不能重复（需取件的站点还会占用“<编号>@pickup”和“<编号>@via”）",
        "stop ids must be unique (a stop with a pickup also uses '<id>@pickup' and '<id>@via')",
    ),
    "err.plan_whom": (
        "请指定工程师，或指定要为其工程师做规划的备件库",
        "name the engineers or a depot whose engineers to plan",
    ),
    "err.depot_nobody_works": (
        "{depot} 在 {day} 没有工程师上班",
        "no engineer of {depot} works on {day}",
    ),
    "err.engineer_no_shift": (
        "工程师 {engineer} 在 {day} 没有班次",
        "engineer {engineer} has no shift on {day}",
    ),
    "err.stop_where": ("请填写站点编号或经纬度", "give a site code or lat and lon"),
    "err.coordinates_out_of_range": ("坐标超出范围", "coordinates out of range"),
    "err.stop_window": (
        "站点 {stop}：时间窗的结束早于开始",
        "stop {stop}: the time window ends before it starts",
    ),
    # -- tickets -------------------------------------------------------------------------
    "err.action_needs_call": (
        "操作 {action} 需要的不只是操作名，请使用对应的接口",
        "use the {action} call, it needs more than the action name",
    ),
    "err.severity_choice": ("严重级别只能是 P1、P2、P3 或 P4", "severity must be P1, P2, P3 or P4"),
    "err.channel_choice": (
        "渠道只能是电话、传真、邮件或网页",
        "channel must be phone, fax, email or web",
    ),
    "err.no_equipment_at_site": (
        "{site} 没有序列号为 {serial} 的在装设备",
        "no installed equipment {serial} at {site}",
    ),
    "err.ticket_severity_settled": (
        "工单 {ref} 当前状态为「{ticket_status}」，严重级别已不能更改",
        "ticket {ref} is {ticket_status}; its severity is settled",
    ),
    "err.ticket_not_dispatched": (
        "工单 {ref} 当前状态为「{ticket_status}」，只有已派工的工单可以改派",
        "ticket {ref} is {ticket_status}; only a dispatched ticket is reassigned",
    ),
    "err.rating_range": ("评分为 0 到 5", "ratings are 0 to 5"),
    # -- receiving -----------------------------------------------------------------------
    "err.delivery_received": ("到货单 {ref} 已入库", "delivery {ref} was already received"),
    "err.idempotency_key_reused": (
        "此幂等键已用于另一批到货，请换一个新键",
        "this idempotency key was already used for a different delivery; use a new key",
    ),
    "err.import_running": (
        "使用此键的首次导入仍在进行，请稍后重试",
        "the first import with this key is still running; retry",
    ),
    # -- contracts -----------------------------------------------------------------------
    "err.coverage_window": (
        "服务时段须在同一天内，且开始早于结束",
        "the coverage window must start before it ends, within one day",
    ),
    "err.coverage_choice": ("服务时间只能是 5x8、7x8 或 7x24", "coverage must be 5x8, 7x8 or 7x24"),
    "err.bad_sla_policy": (
        "合同 {ref} 的 SLA 策略无效：{error}",
        "contract {ref} has an invalid SLA policy: {error}",
    ),
    "err.not_changeable": ("{name} 不能在此修改", "{name} cannot be changed here"),
    "err.no_calendar": (
        "没有国家 {country} 的工作日历",
        "no working calendar for country {country}",
    ),
    "err.no_contract_for_customer": (
        "该站点的客户没有合同 {ref}",
        "no contract {ref} for this site's customer",
    ),
    # -- repairs -------------------------------------------------------------------------
    "err.name_vendor": ("请填写厂商", "name the vendor"),
    "err.batch_empty": ("送修批次至少要有一件", "a batch needs at least one unit"),
    "err.say_what_came_back": ("请填写返回了哪些件", "say what came back"),
    "err.not_faulty_on_shelf": (
        "{serial} 不是 {depot} 库内的故障件",
        "{serial} is not a faulty unit on the shelf at {depot}",
    ),
    "err.repair_outcome_choice": (
        "结果只能是已修复或已报废",
        "outcome must be repaired or scrapped",
    ),
    "err.not_in_batch": ("{serial} 不在送修批次 {ref} 中", "{serial} is not in batch {ref}"),
    "err.already_came_back": ("{serial} 已经返回", "{serial} already came back"),
    # -- knowledge base ------------------------------------------------------------------
    "err.describe_symptom": ("请描述故障现象", "describe the symptom"),
    "err.describe_fix": ("请描述处理方法", "describe the fix"),
    "err.type_symptom": ("请输入要查找的故障现象", "type a symptom to search for"),
    "err.ticket_close_first": (
        "工单 {ref} 当前状态为「{ticket_status}」，请先关闭",
        "ticket {ref} is {ticket_status}; close it first",
    ),
    "err.article_not_proposed": (
        "知识条目 {ref} 不是待审核状态，只有待审核的条目可以批准",
        "article {ref} is not proposed; only a proposed article is approved",
    ),
    # -- installed equipment -------------------------------------------------------------
    "err.no_equipment": (
        "没有序列号为 {serial} 的在装设备",
        "no installed equipment with serial {serial}",
    ),
    "err.equipment_several": (
        "序列号 {serial} 对应多台在装设备，请给出其编号",
        "serial {serial} names several installed units; give its numeric id",
    ),
    # -- documents -----------------------------------------------------------------------
    "err.report_not_issued": ("{ref} 的报告尚未出具", "the report of {ref} is not issued yet"),
    "err.no_packing_slip": (
        "RMA {ref} 当前状态为「{rma_status}」：备件先行的备件预留后才有装箱单",
        "RMA {ref} is {rma_status}: a packing slip exists once an advance replacement's "
        "spare is reserved",
    ),
    "err.no_faulty_to_return": (
        "RMA {ref} 当前状态为「{rma_status}」：没有待寄回的故障件",
        "RMA {ref} is {rma_status}: no faulty unit is waiting to be sent back",
    ),
    "err.service_sheet_unsigned": (
        "工单 {ref}：客户签字后才有技术服务单",
        "ticket {ref}: the service sheet exists once the customer has signed it",
    ),
    "err.fault_report_not_ready": (
        "工单 {ref} 当前状态为「{ticket_status}」：故障处理报告在解决或关闭后出具",
        "ticket {ref} is {ticket_status}: the fault report is written once it is resolved "
        "or closed",
    ),
    # -- dispatch ------------------------------------------------------------------------
    "err.dispatch_failed": ("无法计算派工方案：{error}", "cannot rank the options: {error}"),
    "err.engineer_cannot_take": (
        "{engineer} 不能接此工单：{why}",
        "{engineer} cannot take it: {why}",
    ),
    "refusal.unskilled": ("不具备此类备件的技能", "not skilled for this kind of part"),
    "refusal.full": ("未完成的任务已达上限", "already has the most open jobs allowed"),
    "refusal.off_shift": ("不在班", "not on shift"),
    "err.van_no_part": (
        "{engineer} 的车载库存中没有可用于此故障的良品备件",
        "the van of {engineer} holds no free good part for this fault",
    ),
    "err.mode_choice": (
        "方式只能是库房自取、快递、工程师送件或车载",
        "mode must be pickup, courier, engineer or van",
    ),
    "err.fault_needs_depot": (
        "此故障需要备件：请指定从哪个备件库出库",
        "the fault needs a part: say which depot it comes from",
    ),
    "err.bad_coordinate": ("{field} 不是有效的坐标", "{field} is not a valid coordinate"),
    "err.site_address_needed": ("请填写地址", "give the address"),
    "err.site_point_half": ("纬度和经度需同时填写", "give both latitude and longitude"),
    "err.site_bad_precision": (
        "点选位置的精度只能是精确或街道级",
        "a picked point is exact or street-level",
    ),
    "err.choose_depot": ("请选择备件库", "choose a depot"),
    "err.choose_ticket": ("请至少选择一张工单", "choose at least one ticket"),
    # -- van stock -----------------------------------------------------------------------
    "err.too_many_tools": ("工具最多 {n} 件", "at most {n} tools"),
    "err.tool_name_too_long": (
        "工具名称最多 {n} 个字符",
        "a tool's name has at most {n} characters",
    ),
    "err.level_negative": ("目标数量不能为负", "the level cannot be negative"),
    "err.fill_target_fraction": (
        "满足率目标须为 0 到 1 之间的小数",
        "the fill target is a fraction between 0 and 1",
    ),
    "err.radius_interval_positive": ("半径和间隔须为正数", "radius and interval must be positive"),
    "err.van_lacks_nothing": (
        "{engineer} 的车载库存不缺本库能补的备件",
        "the van of {engineer} lacks nothing this depot can send",
    ),
    # -- installed base ------------------------------------------------------------------
    "err.already_installed": ("{part} {serial} 已安装", "{part} {serial} is already installed"),
    "err.warranty_before_acceptance": (
        "保修结束日期不能早于验收日期",
        "warranty cannot end before acceptance",
    ),
    "err.equipment_several_site": (
        "序列号 {serial} 对应多台在装设备，请指明站点",
        "serial {serial} names several installed units; give the site",
    ),
    "err.contract_other_customer": (
        "合同 {ref} 属于其他客户",
        "contract {ref} belongs to another customer",
    ),
    # -- replenishment and reservations --------------------------------------------------
    "err.kind_transfer_or_purchase": ("类型只能是调拨或采购", "kind is transfer or purchase"),
    "err.transfer_needs_source": (
        "调拨需要指定调出备件库",
        "a transfer needs the depot it comes from",
    ),
    "err.transfer_two_depots": (
        "调出和调入须为两个不同的备件库",
        "a transfer needs two different depots",
    ),
    "err.cannot_spare": (
        "{depot} 目前只能调出 {n} 件 {part}，不足 {qty} 件，请刷新列表",
        "{depot} can spare {n} of {part} now, not {qty}; reload the list",
    ),
    "err.line_being_accepted": (
        "他人正在处理此行，请刷新",
        "someone else is accepting this line; reload",
    ),
    "err.reservation_needs_reference": ("预留需要填写关联单号", "a reservation needs a reference"),
    "err.reservation_released": ("预留 {ref} 已失效", "reservation {ref} is not held any more"),
    "err.not_enough_free": ("{depot} 可用的良品 {part} 不足", "not enough {part} free at {depot}"),
    "err.serial_not_free": (
        "序列号 {serial} 在 {depot} 已不可用",
        "no serial {serial} left free at {depot}",
    ),
    # -- stock ---------------------------------------------------------------------------
    "err.item_changed": (
        "{serial} 已被他人改动，请刷新后重试",
        "item {serial} was changed by someone else",
    ),
    "err.not_enough_stock": (
        "{location} 的{condition}件 {part} 不足 {qty} 件",
        "not enough {part} ({condition}) at {location} for {qty}",
    ),
    # -- accounts ------------------------------------------------------------------------
    "err.admin_self_lockout": (
        "管理员不能锁定自己的账号，请让其他管理员操作",
        "an admin cannot lock themselves out; ask another admin",
    ),
    # -- form fields of the pages --------------------------------------------------------
    "err.too_long": (
        "{field}最多 {n} 个字符（收到 {got} 个）",
        "{field}: at most {n} characters ({got} given)",
    ),
    "err.rtv_no_depot": ("您未被分配到任何库房", "You are not assigned to any depot"),
    "err.rtv_bad_amount": ("金额格式不对", "The amount is not a number"),
    "err.rtv_bad_outcome": ("未知的处理结果", "Unknown outcome"),
    # -- planning and periods ------------------------------------------------------------
    "err.whatif_not_acceptable": (
        "含假设备件库的方案不能采用：请先开设该备件库，再重新规划",
        "a what-if plan with a hypothetical depot cannot be accepted: open the depot, then "
        "plan again",
    ),
    "err.year_out_of_range": ("年份超出范围", "the year is out of range"),
    "err.period_format": (
        "期间格式为 YYYYQn（季度）或 YYYY（年度）",
        "a period is YYYYQn (a quarter) or YYYY (a year)",
    ),
    "err.lang_choice": ("语言只能是 zh 或 en", "lang must be zh or en"),
    "err.day_already_exception": (
        "{day} 已是 {country} 的例外日",
        "{day} is already an exception in {country}",
    ),
    # -- warranty ------------------------------------------------------------------------
    "err.months_range": ("月数为 1 到 {n}", "months is 1 to {n}"),
    "err.basis_choice": ("起算依据只能是采购或安装", "basis is purchase or installation"),
    # -- visits, photos, reports --------------------------------------------------------
    "err.no_visit_yet": ("工单 {ref} 还没有上门记录", "ticket {ref} has no visit yet"),
    "err.not_base64": ("不是有效的 base64 数据", "not base64"),
    "err.month_range": ("月份为 1 到 12", "month must be 1 to 12"),
    "err.month_not_begun": ("{month} 尚未开始", "{month} has not begun yet"),
    "err.period_not_begun": ("{period} 尚未开始", "{period} has not begun yet"),
    "err.run_no_finished_plan": (
        "方案运行 {ref} 还没有完成的方案",
        "run {ref} has no finished plan",
    ),
    # -- places --------------------------------------------------------------------------
    "err.place_not_found": (
        "找不到地点“{place}”：请输入城市名（如 拉萨）、地址或“纬度,经度”",
        "no known place matches {place}",
    ),
    "err.place_unreadable": (
        "无法识别的位置：{place}",
        "not a place this service can read: {place}",
    ),
    "err.bad_point": (
        "坐标超出范围（纬度 -90..90，经度 -180..180）或精度无效",
        "not a valid point (latitude -90..90, longitude -180..180) or precision",
    ),
    # -- catalogue, depots, indicators ---------------------------------------------------
    "err.depot_still_holds": (
        "备件库 {depot} 仍有 {units} 件库存和 {transfers} 张在途调拨单，请先移走",
        "depot {depot} still holds {units} units and {transfers} transfers in transit; "
        "move them first",
    ),
    "err.not_your_depot": ("您未被分配到备件库 {depot}", "you are not assigned to depot {depot}"),
    "err.period_reversed": ("期间的结束早于开始", "the period ends before it starts"),
    "err.period_too_long": ("期间最长 {n} 天", "a period is at most {n} days"),
    "err.replaces_itself": ("备件不能替代自身", "a part cannot replace itself"),
    "err.supersession_cycle": (
        "{part} 已经（经由替代链）被 {by} 替代",
        "{part} is already replaced, through its chain, by {by}",
    ),
    "err.gone": ("{what} {value} 已不存在", "{what} {value} no longer exists"),
    "err.not_waiting_for_part": (
        "以下不是等待备件的未关闭工单：{refs}",
        "not an open ticket waiting for a part: {refs}",
    ),
    "err.no_tracking_code": ("没有找到该跟踪码，请检查后重试", "no RMA has this tracking code"),
    # -- the pages' own fields -----------------------------------------------------------
    "err.bad_number": (
        "“{field}”不是有效数字或超出范围",
        "“{field}” is not a valid number in range",
    ),
    "err.rate_both": (
        "改故障率需同时填写备件号和故障率",
        "A failure-rate change needs both the part number and the rate",
    ),
    "err.not_a_date": ("不是日期（YYYY-MM-DD）", "not a date (YYYY-MM-DD)"),
    "err.complaints_staff_page": (
        "管理员请在员工页面登记投诉",
        "an administrator files complaints on the staff page",
    ),
    "err.hh_mm": ("请输入时:分，例如 09:00", "Give hours:minutes, e.g. 09:00"),
    "err.whole_number": ("请输入整数", "Give a whole number"),
    "err.whole_number_field": ("{field} 须为整数", "{field} must be a whole number"),
}
