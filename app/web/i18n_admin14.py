"""Words added for issue 14 (administration, shelf papers) not yet folded into the
catalogue (``python -m scripts.i18n fold app.web.i18n_admin14``): key -> (zh, en)."""

from __future__ import annotations

ADMIN14_MESSAGES: dict[str, tuple[str, str]] = {
    "a14.doc.papers": ("打印", "Print"),
    "a14.doc.pick_list": ("拣货单", "Pick list"),
    "a14.doc.delivery_note": ("送货单", "Delivery note"),
    "a14.doc.item_labels": ("备件标签（60×40 mm）", "Item labels (60×40 mm)"),
    "a14.doc.bin_labels": ("库位标签（60×40 mm）", "Bin labels (60×40 mm)"),
}
