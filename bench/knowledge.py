"""Does the knowledge base suggest the part that fixes a fault? (issue 17)

    python -m bench.knowledge [--tickets 800] [--seed 20261207] [--holdout 0.2]

Loads the demo (the same seeded data as `flask seed-demo`, as bench/planning_sim.py does)
into a temporary SQLite file and counts its closed tickets that used a part. The demo has
none (its tickets are all still open or resolved), so the history is SYNTHETIC, generated
here on the demo's installed base, seeded and reproducible:

* each ticket picks a demo unit; its equipment model is the unit's part number and its
  category (server, network, video, storage) gives the fault modes below;
* each model has its own mix of fault modes (gamma(0.8) weights: a few modes dominate,
  as they do for real models), so "the most frequent part for this model" is a fair
  baseline, not a straw man;
* the symptom is two or three phrases of the mode, some shared between modes on purpose
  (无法开机 is a power supply or a mainboard; 频繁重启 memory or mainboard), one time in
  five an English phrase, and reporting filler (客户来电反映…);
* one ticket in ten was fixed by another part of the same category than its symptom
  suggests (a misleading symptom: no method can get those from the text).

The tickets are ordered by close time; the last 20 % are held out. For each held-out
ticket the knowledge search (logistics.knowledge, the code behind GET
/api/knowledge/search) gets its symptom and equipment model over the earlier 80 % and
suggests three parts; the baseline suggests the three parts most used on that model so
far. Printed: how often the part actually used is among the top 3 (and top 1), with a 95 %
Wilson interval, for the search, the baseline, and the search topped up by the baseline
when it finds fewer than three parts.

The synthetic history measures the mechanism (Chinese matching, ranking, part voting),
not the product on real tickets: its figure is only as realistic as the fault table below.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.demo_db import demo_session
from logistics.knowledge import KnowledgeDoc, KnowledgeIndex, suggest_parts

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

# category -> fault modes: (part replaced, Chinese phrases, English phrases)
FAULTS: dict[str, list[tuple[str, list[str], list[str]]]] = {
    "server": [
        (
            "SRV-2288-PSU",
            ["电源模块故障", "电源指示灯不亮", "无法开机", "电源告警", "突然断电", "冗余电源失效"],
            ["PSU failed", "power supply alarm"],
        ),
        (
            "SRV-2288-RAID",
            ["RAID卡告警", "阵列降级", "硬盘离线", "逻辑盘不可访问", "系统识别不到磁盘"],
            ["RAID controller alarm", "array degraded"],
        ),
        (
            "SRV-BAT-SUPERCAP",
            ["RAID缓存电容告警", "缓存策略变为直写", "超级电容失效", "写入性能下降"],
            ["supercap failed", "write-through"],
        ),
        (
            "SRV-DIMM-32G",
            ["内存ECC错误", "内存告警", "系统蓝屏", "频繁重启", "可纠正错误过多"],
            ["memory ECC errors", "DIMM alarm"],
        ),
        (
            "SRV-2288-MB",
            ["无法开机", "主板告警", "POST自检失败", "频繁重启", "BMC无法登录"],
            ["mainboard fault", "no POST"],
        ),
        (
            "SRV-FAN-80",
            ["风扇告警", "风扇噪音大", "温度过高告警", "风扇转速异常"],
            ["fan alarm", "fan noise"],
        ),
        (
            "SRV-NIC-25G",
            ["网卡丢包", "网口down", "业务网络中断", "链路闪断"],
            ["NIC link down", "packet loss"],
        ),
        (
            "SRV-BMC-CARD",
            ["BMC无法登录", "远程管理卡无响应", "带外管理中断"],
            ["BMC unreachable"],
        ),
    ],
    "network": [
        (
            "NET-CE-PSU3K",
            ["电源模块告警", "电源指示灯红色", "设备掉电", "单电源运行"],
            ["PSU alarm", "power module failed"],
        ),
        (
            "NET-CE-FAN",
            ["风扇框告警", "温度过高", "风扇噪音异常", "设备过热"],
            ["fan tray alarm", "overheating"],
        ),
        (
            "NET-SFP-10G-SR",
            ["光模块告警", "端口收光弱", "链路闪断", "光口down", "CRC错误增多"],
            ["optical module alarm", "low rx power"],
        ),
        (
            "NET-CE-LPU48",
            ["业务板离线", "单板复位", "多个端口同时中断", "板卡告警"],
            ["line card offline", "board reset"],
        ),
        (
            "NET-CE-MPU",
            ["主控板倒换", "主控板故障", "设备无法管理", "配置丢失", "设备反复重启"],
            ["MPU switchover", "main control board fault"],
        ),
        (
            "NET-PATCH-LC",
            ["光纤跳线损坏", "链路中断", "光口无光", "跳线弯折"],
            ["fiber patch cord broken", "no light"],
        ),
    ],
    "video": [
        (
            "VC-TE50-CODEC",
            ["终端无法入会", "终端死机", "视频会议终端无法开机", "终端反复重启"],
            ["codec hangs", "terminal cannot join"],
        ),
        (
            "VC-TE50-CAM",
            ["摄像机无图像", "画面黑屏", "摄像机无法变焦", "图像花屏"],
            ["camera no video", "black screen"],
        ),
        (
            "VC-MIC-ARRAY",
            ["对端听不到声音", "麦克风无声", "声音断续", "回声严重"],
            ["no audio", "microphone silent"],
        ),
        (
            "VC-MCU-PSU",
            ["MCU电源告警", "MCU掉电", "电源指示灯不亮", "MCU无法开机"],
            ["MCU power failure"],
        ),
        (
            "VC-MCU-9660-MPB",
            ["多方会议画面卡顿", "媒体处理板告警", "会议无法召开", "转码失败"],
            ["media board alarm", "conference fails"],
        ),
        (
            "VC-TP-TOUCH",
            ["触控面板无响应", "触摸失灵", "面板黑屏", "触控屏无法连接终端"],
            ["touch panel unresponsive"],
        ),
    ],
    "storage": [
        (
            "STO-HDD-8T",
            ["硬盘故障", "硬盘亮红灯", "存储池降级", "硬盘预失效告警", "坏道告警"],
            ["disk failed", "pool degraded"],
        ),
        (
            "STO-OS5500-CM",
            ["控制器离线", "控制器故障", "单控运行", "主机路径丢失", "控制器反复重启"],
            ["controller offline", "single controller"],
        ),
        (
            "STO-BBU",
            ["备电模块告警", "BBU故障", "缓存写保护", "写性能下降"],
            ["BBU alarm", "battery failure"],
        ),
        (
            "STO-PSU-1200",
            ["存储电源告警", "电源模块故障", "单电源运行", "电源指示灯不亮"],
            ["storage PSU failed"],
        ),
        (
            "STO-FC-16G",
            ["FC链路中断", "主机识别不到LUN", "多路径告警", "HBA卡报错"],
            ["FC link down", "LUN missing"],
        ),
        (
            "STO-FAN-MOD",
            ["存储风扇告警", "温度过高", "风扇模块故障"],
            ["fan module alarm"],
        ),
    ],
}
FILLERS = [
    "客户来电反映",
    "今天上午",
    "机房值班人员发现",
    "请尽快处理",
    "影响业务",
    "客户要求今天到场",
    "夜间巡检时",
    "已重启无效",
]
MISLEADING = 0.10  # fixed by another part of the category than the symptom suggests
ENGLISH = 0.20  # reports that carry an English phrase


@dataclass(frozen=True)
class PastTicket:
    number: str
    closed_at: datetime
    model: str
    symptom: str
    part: str


def demo_units() -> tuple[list[tuple[str, str]], int]:
    """(model part number, category) of every unit of the demo's installed base, and the
    demo's closed tickets that used a part."""
    from sqlalchemy import func, select

    from inventory.knowledge import knowledge_docs
    from models import Equipment, Part, Ticket

    with demo_session("knowledge-bench-", NOW) as session:
        units = [
            (number, category)
            for number, category in session.execute(
                select(Part.part_number, Part.category)
                .join(Equipment, Equipment.part_id == Part.id)
                .order_by(Equipment.serial)
            )
        ]
        closed = session.scalar(select(func.count(Ticket.id)).where(Ticket.closed_at.is_not(None)))
        with_parts = sum(1 for d in knowledge_docs(session) if d.kind == "ticket" and d.parts)
        known = set(session.scalars(select(Part.part_number)))
    missing = {p for modes in FAULTS.values() for p, _zh, _en in modes} - known
    assert not missing, f"fault table names parts the demo catalogue lacks: {missing}"
    print(f"demo: {len(units)} installed units, {closed} closed tickets, {with_parts} with parts")
    return units, with_parts


def synthetic_history(units: list[tuple[str, str]], count: int, seed: int) -> list[PastTicket]:
    """`count` closed tickets over the two years before NOW, oldest first (see the module)."""
    rng = random.Random(seed)
    usable = [(m, c) for m, c in units if c in FAULTS]
    mix = {
        model: [rng.gammavariate(0.8, 1.0) for _ in FAULTS[category]] for model, category in usable
    }
    start = NOW - timedelta(days=730)
    moments = sorted(start + timedelta(minutes=rng.uniform(0, 730 * 1440)) for _ in range(count))
    history = []
    for i, closed_at in enumerate(moments):
        model, category = rng.choice(usable)
        modes = FAULTS[category]
        k = rng.choices(range(len(modes)), weights=mix[model])[0]
        part, zh, en = modes[k]
        phrases = rng.sample(zh, min(len(zh), rng.choice((2, 2, 3))))
        if rng.random() < ENGLISH:
            phrases.append(rng.choice(en))
        if rng.random() < 0.6:
            phrases.insert(0, rng.choice(FILLERS))
        if rng.random() < MISLEADING:
            part = rng.choice([p for p, _z, _e in modes if p != part])
        symptom = "，".join(phrases)
        history.append(PastTicket(f"TKT-S-{i + 1:05d}", closed_at, model, symptom, part))
    return history


def wilson(hits: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p, z = hits / n, 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def evaluate(history: list[PastTicket], holdout: float) -> dict[str, tuple[int, int, int]]:
    """method -> (top-3 hits, top-1 hits, held-out tickets)."""
    cut = int(round(len(history) * (1 - holdout)))
    train, test = history[:cut], history[cut:]
    index = KnowledgeIndex(
        [KnowledgeDoc("ticket", t.number, t.symptom, (t.part,), (t.model,)) for t in train]
    )
    by_model: dict[str, Counter[str]] = {}
    for t in train:
        by_model.setdefault(t.model, Counter())[t.part] += 1
    overall = Counter(t.part for t in train)
    scores = {m: [0, 0] for m in ("search", "baseline", "search+baseline")}
    for t in test:
        counts = by_model.get(t.model) or overall  # a model never seen: the overall counts
        baseline = [p for p, _n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))][:3]
        hits = index.search(t.symptom, model=t.model, limit=10)
        search = [s.part_number for s in suggest_parts(hits, 3)]
        topped = (search + [p for p in baseline if p not in search])[:3]
        for method, parts in (
            ("search", search),
            ("baseline", baseline),
            ("search+baseline", topped),
        ):
            scores[method][0] += t.part in parts
            scores[method][1] += bool(parts) and parts[0] == t.part
    return {m: (a, b, len(test)) for m, (a, b) in scores.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=800)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--holdout", type=float, default=0.2)
    args = parser.parse_args(argv)
    units, with_parts = demo_units()
    if with_parts < 50:
        print(
            f"the demo has {with_parts} closed tickets with parts: too few; using a synthetic "
            f"history of {args.tickets} tickets on its installed base (seed {args.seed})"
        )
    history = synthetic_history(units, args.tickets, args.seed)
    started = time.perf_counter()
    result = evaluate(history, args.holdout)
    seconds = time.perf_counter() - started
    n = next(iter(result.values()))[2]
    print(
        f"held out the last {args.holdout:.0%} by close time: {n} tickets "
        f"({len(history) - n} to learn from); {seconds:.2f} s for all searches"
    )
    print(f"{'method':<18}{'part in top 3':>16}{'95% CI':>16}{'top 1':>10}")
    for method, (top3, top1, total) in result.items():
        low, high = wilson(top3, total)
        print(
            f"{method:<18}{top3 / total:>15.1%} {f'{low:.1%}–{high:.1%}':>15}{top1 / total:>10.1%}"
        )
    # what one GET /api/knowledge/search costs at the cap of tickets it reads
    from inventory.knowledge import MAX_TICKETS_SEARCHED

    big = synthetic_history(units, MAX_TICKETS_SEARCHED, args.seed + 1)
    docs = [KnowledgeDoc("ticket", t.number, t.symptom, (t.part,), (t.model,)) for t in big]
    started, cpu = time.perf_counter(), time.process_time()
    suggest_parts(KnowledgeIndex(docs).search(big[-1].symptom, model=big[-1].model))
    print(
        f"index of {len(docs)} tickets built and searched once: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms wall, "
        f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (documents in memory, no DB)"
    )


if __name__ == "__main__":
    main()
