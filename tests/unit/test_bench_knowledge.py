"""bench.knowledge scores what it says: held-out tickets are the latest by close time, and a
part counts as found only when it is among the three suggested."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.knowledge import PastTicket, evaluate, synthetic_history

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _t(i: int, symptom: str, part: str) -> PastTicket:
    return PastTicket(f"T{i}", T0 + timedelta(days=i), "M1", symptom, part)


def test_the_search_finds_a_rare_part_the_per_model_baseline_never_ranks_first():
    learned = [_t(i, "风扇噪音大", f"FAN{i % 3}") for i in range(12)]
    learned += [_t(12, "电源指示灯不亮", "PSU"), _t(13, "电源指示灯不亮 无法开机", "PSU")]
    held_out = [_t(14, "电源灯不亮", "PSU")]
    result = evaluate(learned + held_out, holdout=1 / 15)
    assert result["search"] == (1, 1, 1)
    assert result["baseline"] == (0, 0, 1)  # FAN0..FAN2, four times each, outrank PSU


def test_the_synthetic_history_is_reproducible_and_in_close_time_order():
    units = [("SRV-2288-MB", "server"), ("NET-CE-MPU", "network"), ("X", "printers")]
    a, b = synthetic_history(units, 50, 7), synthetic_history(units, 50, 7)
    assert a == b and [t.closed_at for t in a] == sorted(t.closed_at for t in a)
    assert {t.model for t in a} <= {"SRV-2288-MB", "NET-CE-MPU"}  # no fault table: skipped
