"""Words added for issue 13's offline engineer pages and job card (zh-CN, English); merged
into ``i18n.MESSAGES`` (same shape: key -> (zh, en)), folded into the catalogues later."""

from __future__ import annotations

ENG13_MESSAGES: dict[str, tuple[str, str]] = {
    "eng13.offline.no_signal": (
        "没有网络连接：记录会先保存在手机上，有信号后自动发送。",
        "No connection: what you record is kept on the phone and sent when the signal returns.",
    ),
    "eng13.offline.saved_copy": (
        "这是手机上保存的页面，保存于",
        "This is the copy saved on the phone at",
    ),
    "eng13.van": ("备件来源", "Part from"),
    "eng13.van.take": (
        "车载库存：从您的车上取用，无需去备件库",
        "Your van's stock: take it from your van, no depot visit",
    ),
    "eng13.observation.ended": ("观察期已于 {when} 结束", "Observation ended {when}"),
}
