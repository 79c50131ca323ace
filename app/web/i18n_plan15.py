"""The planning page's what-if, map and comparison words, zh-CN and English; merged into
``i18n.MESSAGES`` (same shape: key -> (zh, en))."""

from __future__ import annotations

PLAN15_MESSAGES: dict[str, tuple[str, str]] = {
    "pl.field.extra_depot": ("假设在此城市增设备件库", "Hypothetical depot in city"),
    "pl.extra_depot_hint": (
        "只用于本次计算，不会新建备件库；含假设备件库的方案不能采纳。",
        "Used for this run only, no depot is created; a plan with a hypothetical depot "
        "cannot be accepted.",
    ),
    "pl.whatif_accept_refused": (
        "该方案含假设备件库（{city}），不能采纳：请先新建该备件库，再重新计算。",
        "This plan has a hypothetical depot ({city}) and cannot be accepted: open the depot, "
        "then plan again.",
    ),
    "pl.place_not_found": (
        "找不到城市“{city}”：请输入城市名（如 拉萨）或“纬度,经度”。",
        "No city found for “{city}”: enter a city name (e.g. Lhasa) or “lat,lon”.",
    ),
    "pl.hypothetical": ("假设备件库", "Hypothetical depot"),
    "pl.map_title": ("各站点在时限内拿到备件的概率", "Which sites get the part within the clock"),
    "pl.map_part": ("备件", "Part"),
    "pl.map_all_parts": ("全部备件（取最差）", "All parts (the worst)"),
    "pl.map_clock": ("时限", "Clock"),
    "pl.clock.replacement": ("6小时换件", "Replacement within 6 h"),
    "pl.clock.spare": ("2个工作日送达", "Spare within 2 working days"),
    "pl.map_show": ("显示", "Show"),
    "pl.map_bands": (
        "站点颜色：绿 ≥ 95%，黄 80–95%，红 < 80%（方案执行后）；方块为存放该备件的备件库。",
        "Sites: green ≥ 95 %, amber 80–95 %, red < 80 % (after the plan); squares are the "
        "depots that stock the part.",
    ),
    "pl.map_site_title": (
        "{site}（{customer}）：满足率 {rate}",
        "{site} ({customer}): fill rate {rate}",
    ),
    "pl.map_depot_title": ("{depot} {name}：建议 {n} 件", "{depot} {name}: {n} recommended"),
    "pl.map_sites_count": (
        "{good} 个站点 ≥ 95%，{warn} 个 80–95%，{late} 个 < 80%",
        "{good} sites ≥ 95 %, {warn} at 80–95 %, {late} below 80 %",
    ),
    "pl.legend.good": ("良好（≥ 95%）", "Good (≥ 95 %)"),
    "pl.legend.warn": ("一般（80–95%）", "Fair (80–95 %)"),
    "pl.legend.late": ("偏低（< 80%）", "Poor (< 80 %)"),
    "pl.legend.depot": ("备件库", "Depot"),
    "pl.legend.hypothetical": ("假设备件库", "Hypothetical depot"),
    "pl.compare_whatif": ("假设条件", "What-if"),
    "pl.compare_base": ("基准", "Baseline"),
    "pl.compare_depot": ("增设 {city}", "Depot in {city}"),
    "pl.compare_rate": ("{part} 故障率 {rate}", "{part} failure rate {rate}"),
    "pl.compare_units": ("建议备件数", "Recommended units"),
    "pl.compare_class_after": ("{klass} 6小时满足率", "{klass} within 6 h"),
    "pl.compare_curve": (
        "各方案的曲线画在同一坐标上，圆点为各自的建议位置。",
        "Every run's curve on the same axes; the dots are each run's recommendation.",
    ),
    "pl.compare_pick": ("对比", "Compare"),
    "pl.acceptances": ("方案采纳记录（审计）", "Accepted plans (audit trail)"),
    "pl.no_acceptances": ("还没有采纳过方案", "No plan accepted yet"),
    "pl.acceptance_entry": (
        "设定 {n} 条补货点与目标库存，清除 {cleared} 条",
        "{n} reorder points and targets set, {cleared} cleared",
    ),
    "pl.now_off_chart": (
        "当前：库存金额 {value}（超出坐标范围）→",
        "Now: stock value {value} (off the axis) →",
    ),
    "pl.warn.default_rate": (
        "备件 {part} 没有故障记录，也没有录入故障率：按默认 {rate} 次/台/年 规划。",
        "Part {part} has no failure data and no entered rate: planned on the default "
        "{rate} failures per unit-year.",
    ),
    "pl.warn.more": (
        "另有 {n} 条提示（见方案 JSON 的 warnings）",
        "{n} more (see the plan JSON's warnings)",
    ),
    "pl.curve_of": ("方案 {id}", "Run {id}"),
}
