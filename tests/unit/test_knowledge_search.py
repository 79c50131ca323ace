"""The knowledge-base scorer: Chinese symptoms find their article without a dictionary,
ranking follows term overlap, and the parts of the best matches are suggested first."""

from __future__ import annotations

from logistics.knowledge import KnowledgeDoc, KnowledgeIndex, suggest_parts, terms

PSU = KnowledgeDoc(
    "article",
    "KB-2026-000001",
    "电源模块故障，设备无法开机，电源指示灯不亮。更换电源模块。",
    parts=("SRV-PSU-800W",),
    models=("SRV-R740",),
)
RAID = KnowledgeDoc(
    "article",
    "KB-2026-000002",
    "RAID卡告警，磁盘阵列降级，硬盘指示灯闪烁橙色。更换RAID控制器。",
    parts=("RAID-H740P",),
    models=("SRV-R740",),
)
FAN = KnowledgeDoc(
    "ticket",
    "TKT-2026-000009",
    "风扇噪音大，机箱温度告警 fan noise, temperature alarm",
    parts=("FAN-60MM",),
    models=("SRV-R740",),
)
CORPUS = (PSU, RAID, FAN)


def test_chinese_text_is_cut_into_character_bigrams_and_latin_into_words():
    assert terms("RAID卡告警") == ["raid", "卡告", "告警"]
    assert terms("电源 PSU-800W 坏") == ["电源", "psu-800w", "坏"]


def test_a_chinese_symptom_typed_in_other_words_finds_the_right_article():
    hits = KnowledgeIndex(CORPUS).search("服务器开不了机，电源灯不亮")
    assert hits[0].doc.ref == "KB-2026-000001"


def test_an_english_symptom_finds_the_ticket_written_in_both_languages():
    hits = KnowledgeIndex(CORPUS).search("loud fan noise")
    assert [h.doc.ref for h in hits] == ["TKT-2026-000009"]


def test_the_document_sharing_more_of_the_symptom_ranks_first():
    hits = KnowledgeIndex(CORPUS).search("磁盘阵列降级，RAID告警，电源正常")
    assert [h.doc.ref for h in hits][:2] == ["KB-2026-000002", "KB-2026-000001"]
    assert hits[0].score > hits[1].score > 0


def test_a_rare_term_weighs_more_than_a_common_one():
    docs = [
        KnowledgeDoc("ticket", f"T{i}", "告警 " + ("温度" if i == 0 else "普通")) for i in range(6)
    ]
    hits = KnowledgeIndex(docs).search("温度告警")
    assert hits[0].doc.ref == "T0" and hits[0].score > 2 * hits[1].score


def test_the_same_equipment_model_breaks_a_tie():
    a = KnowledgeDoc("ticket", "T1", "无法开机", parts=("P1",), models=("M1",))
    b = KnowledgeDoc("ticket", "T2", "无法开机", parts=("P2",), models=("M2",))
    assert KnowledgeIndex([a, b]).search("无法开机", model="M2")[0].doc.ref == "T2"


def test_nothing_in_common_finds_nothing():
    assert KnowledgeIndex(CORPUS).search("打印机卡纸") == []
    assert KnowledgeIndex(CORPUS).search("，。!") == []
    assert KnowledgeIndex([]).search("电源") == []


def test_parts_named_by_several_close_matches_are_suggested_first():
    docs = [
        KnowledgeDoc("ticket", "T1", "电源故障 无法开机", parts=("PSU",)),
        KnowledgeDoc("ticket", "T2", "电源故障 指示灯不亮", parts=("PSU",)),
        KnowledgeDoc("ticket", "T3", "电源故障 主板烧毁", parts=("MAINBOARD",)),
        KnowledgeDoc("ticket", "T4", "风扇异响", parts=("FAN",)),
    ]
    suggestions = suggest_parts(KnowledgeIndex(docs).search("电源故障"))
    assert [s.part_number for s in suggestions] == ["PSU", "MAINBOARD"]
    assert suggestions[0].refs == ("T1", "T2")
