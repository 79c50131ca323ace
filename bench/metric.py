"""METRIC marginal-analysis curve of a two-echelon instance, as one JSON line.

    python -m bench.metric --instance FILE.json [--max-cost C]

Prints `{"instance": FILE, "points": [{"cost": C, "ebo": E, "stock": {"PART":
{"depot": s0, "BASE": s, ...}}}, ...]}`: the curve from zero stock, one point per
marginal-analysis step, up to `--max-cost` (a step that would cost more is not taken)
or until the total EBO falls below 0.001. `ebo` is METRIC's total expected base
backorders (Poisson pipelines, no VARI-METRIC correction); `cost` the total unit cost
of the stock, depot included. Every base of the instance is listed for every part.

A bad instance (missing or negative field, probability outside [0, 1], unknown or
duplicate id, unreadable JSON) is a message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence

from logistics.planning.metric import (
    CurvePoint,
    MetricInstance,
    PlanningInputError,
    instance_from_dict,
    marginal_curve,
)

EBO_TARGET = 0.001


def curve_json(name: str, instance: MetricInstance, points: Sequence[CurvePoint]) -> dict:
    """The command's output object for a computed curve."""
    return {
        "instance": name,
        "points": [
            {
                "cost": p.cost,
                "ebo": p.ebo,
                "stock": {
                    part.id: {
                        "depot": p.stock[part.id].depot,
                        **{b: p.stock[part.id].bases.get(b, 0) for b in instance.bases},
                    }
                    for part in instance.parts
                },
            }
            for p in points
        ],
    }


def _fail(message: str) -> int:
    print(f"bench.metric: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.metric", description=__doc__)
    parser.add_argument("--instance", required=True, help="instance JSON file")
    parser.add_argument("--max-cost", type=float, default=None, help="budget (money)")
    args = parser.parse_args(argv)
    if args.max_cost is not None and not (math.isfinite(args.max_cost) and args.max_cost >= 0):
        return _fail(f"--max-cost must be a finite number >= 0, got {args.max_cost}")
    try:
        with open(args.instance, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        return _fail(f"cannot read {args.instance}: {exc.strerror or exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _fail(f"{args.instance} is not valid JSON: {exc}")
    try:
        instance = instance_from_dict(data)
        points = marginal_curve(instance, max_cost=args.max_cost, ebo_target=EBO_TARGET)
    except PlanningInputError as exc:
        return _fail(f"{args.instance}: {exc}")
    print(json.dumps(curve_json(args.instance, instance, points), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
