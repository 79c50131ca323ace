"""The gettext catalogue: pybabel extraction and the .po files agree, strict mode, folding
a work-in-progress dict module into the catalogue."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from app import i18n
from scripts import i18n as tool

ROOT = Path(__file__).resolve().parents[2]


def test_extraction_and_catalogue_agree_and_every_entry_is_translated():
    assert tool.problems() == []


def test_the_catalogue_is_gettext_compiled_from_the_po_files():
    zh = i18n.translations("zh")
    assert zh.gettext("nav.login") == "登录"
    assert i18n.translations("en").gettext("nav.login") == "Sign in"
    assert i18n.translate("doc.page", "zh", n=2) == "第 2 页"


def test_a_missing_key_raises_in_strict_mode_and_prints_as_itself_otherwise():
    with pytest.raises(i18n.MissingTranslation):
        i18n.translate("no.such.key", "zh")
    assert i18n.message("no.such.key", "en", strict=False) == "no.such.key"


def test_a_registered_dict_module_is_served_until_folded():
    i18n.register({"probe.only": ("探针", "Probe")})
    try:
        assert i18n.translate("probe.only", "zh") == "探针"
        assert "probe.only" in i18n.MESSAGES
        assert i18n.MESSAGES["probe.only"] == ("探针", "Probe")
    finally:
        i18n.PENDING.pop("probe.only")


def test_fold_writes_the_po_files_marks_run_time_keys_and_removes_the_module(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "app", root / "app", ignore=shutil.ignore_patterns("static"))
    for source in ("inventory", "logistics", "models"):
        (root / source).mkdir()
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    module_dir = tmp_path / "mods"
    module_dir.mkdir()
    (module_dir / "i18n_probe_fold.py").write_text(
        'PROBE_MESSAGES = {"probe.static": ("静态 {n}", "Static {n}"),'
        ' "probe.dynamic.x": ("动态", "Dynamic")}\n',
        encoding="utf-8",
    )
    (root / "app" / "web" / "probe_page.py").write_text(
        'from app.web.i18n import t\n\ndef page():\n    return t("probe.static", n=1)\n',
        encoding="utf-8",
    )
    registry = root / "app" / "web" / "i18n.py"
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + "from i18n_probe_fold import PROBE_MESSAGES  # noqa\nMESSAGES.update(PROBE_MESSAGES)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(module_dir))
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", root / "app" / "translations")
    try:
        assert tool.fold("i18n_probe_fold", root) == 2
        assert not (module_dir / "i18n_probe_fold.py").exists()
        assert "PROBE_MESSAGES" not in registry.read_text(encoding="utf-8")
        po = (root / "app/translations/zh_CN/LC_MESSAGES/messages.po").read_text("utf-8")
        assert 'msgid "probe.static"\nmsgstr "静态 {n}"' in po
        marked = tool.run_time_keys(root / "app" / "i18n_keys.py")
        assert "probe.dynamic.x" in marked and "probe.static" not in marked
        assert tool.problems(root, root / "app" / "translations") == []
        assert i18n.translate("probe.dynamic.x", "en") == "Dynamic"
    finally:
        sys.modules.pop("i18n_probe_fold", None)
        monkeypatch.undo()
        i18n.reload()
