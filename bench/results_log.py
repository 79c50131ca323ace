"""The JSON-lines file a benchmark suite writes as it goes: one solve a line, appended as
soon as it finishes, so that an interrupted run resumes from the file (``--resume``)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


class ResultsLog:
    """The results of a suite's run: those already in ``resume`` (if given), else none, in a
    new file ``bench/out/<suite>-<local time>.jsonl``."""

    def __init__(self, suite: str, resume: Path | None = None) -> None:
        self.path = resume or OUT / time.strftime(f"{suite}-%Y%m%d-%H%M%S.jsonl")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        self.results: list[dict[str, Any]] = [json.loads(line) for line in lines]

    def add(self, result: dict[str, Any]) -> None:
        """Keep ``result`` and write it to the file at once."""
        self.results.append(result)
        with open(self.path, "a") as f:
            f.write(json.dumps(result) + "\n")
