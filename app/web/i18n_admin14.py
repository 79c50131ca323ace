"""Words added for issue 14 (administration, shelf papers) not yet folded into the
catalogue (``python -m scripts.i18n fold app.web.i18n_admin14``): key -> (zh, en)."""

from __future__ import annotations

ADMIN14_MESSAGES: dict[str, tuple[str, str]] = {
    "a14.doc.papers": ("打印", "Print"),
    "a14.doc.pick_list": ("拣货单", "Pick list"),
    "a14.doc.delivery_note": ("送货单", "Delivery note"),
    "a14.doc.item_labels": ("备件标签（60×40 mm）", "Item labels (60×40 mm)"),
    "a14.doc.bin_labels": ("库位标签（60×40 mm）", "Bin labels (60×40 mm)"),
    # invitations and password-reset links
    "a14.link.invite": ("生成邀请链接", "Invitation link"),
    "a14.link.reset": ("生成重设密码链接", "Password-reset link"),
    "a14.link.help": (
        "把链接交给本人：用它自己设置密码，{hours} 小时内有效，用过一次即失效。",
        "Hand the link to the person: they set their own password with it; it works for "
        "{hours} hours and only once.",
    ),
    "a14.link.once": (
        "链接只显示这一次（{hours} 小时内有效，用过即失效）：",
        "The link is shown this once (good for {hours} hours, and only once):",
    ),
    "a14.link.title": ("设置密码", "Set your password"),
    "a14.link.intro": (
        "{name}（{username}），请设置您的登录密码，至少 8 个字符。",
        "{name} ({username}), choose your password: at least 8 characters.",
    ),
    "a14.link.password": ("新密码", "New password"),
    "a14.link.password_again": ("再输入一次", "New password again"),
    "a14.link.submit": ("设置密码", "Set password"),
    "a14.link.mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
    "a14.link.done": ("密码已设置，请用 {name} 登录。", "Password set; sign in as {name}."),
    "a14.link.invalid": (
        "该链接无效、已过期或已经用过。请向管理员索取新链接。",
        "This link is not valid, has expired or was used already. Ask an administrator for "
        "a new one.",
    ),
    "adm.ev.invited": ("发出邀请链接", "invitation link issued"),
    "adm.ev.reset_link_issued": ("发出重设密码链接", "password-reset link issued"),
    "adm.new_user_help": (
        "可设置初始密码（至少 8 位）后告知本人；留空则是邀请：页面给出一个链接，本人用它自己设置密码。",
        "Set a first password (8 characters or more) and pass it on, or leave it blank to "
        "invite: the page gives a link with which the person sets their own password.",
    ),
    "a14.part.saved": ("备件 {part} 已保存。", "Part {part} saved."),
}
