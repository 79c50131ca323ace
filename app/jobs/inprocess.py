"""The embedded default: the sweep and the outbox delivery on a background thread.

One daemon thread per process runs the sweep every ``SWEEP_INTERVAL_SECONDS`` (60) and
delivers the outbox every ``OUTBOX_INTERVAL_SECONDS`` (15). Several processes doing
the same (gunicorn workers) are safe: the database decides which sweep fires a step and
which worker sends a message. An error is logged and the loop goes on.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from app.jobs.bodies import run_delivery, run_service_files, run_sweep

log = logging.getLogger(__name__)

RUNNER_KEY = "sparelog.jobs.runner"
_START_LOCK = threading.Lock()


class Runner:
    """Run the jobs of one app until ``stop()``; ``run_forever`` in the calling thread,
    ``start()`` on a daemon thread."""

    def __init__(self, app: Flask):
        self.app = app
        self.sweep_every = float(app.config.get("SWEEP_INTERVAL_SECONDS", 60.0))
        self.deliver_every = float(app.config.get("OUTBOX_INTERVAL_SECONDS", 15.0))
        self.files_every = float(app.config.get("SERVICE_FILES_INTERVAL_SECONDS", 3600.0))
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> Runner:
        self.thread = threading.Thread(target=self.run_forever, name="sparelog-jobs", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def run_forever(self) -> None:
        next_sweep = next_delivery = time.monotonic()
        next_files = next_sweep + 60.0  # the service files after the first minute
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_files:
                next_files = now + self.files_every
                self._guarded("service files", run_service_files)
            if now >= next_sweep:
                next_sweep = now + self.sweep_every
                self._guarded("sweep", run_sweep)
            if now >= next_delivery:
                next_delivery = now + self.deliver_every
                self._guarded("delivery", run_delivery)
            soonest = min(next_sweep, next_delivery, next_files)
            self._stop.wait(max(0.0, soonest - time.monotonic()))

    def _guarded(self, name: str, job) -> None:
        try:
            result = job(self.app)
            log.debug("%s: %s", name, result)
        except Exception:
            log.exception("background %s failed; trying again at the next tick", name)


def start_runner(app: Flask) -> Runner:
    """Start the app's runner once per process and return it."""
    with _START_LOCK:
        runner = app.extensions.get(RUNNER_KEY)
        if runner is None:
            runner = app.extensions[RUNNER_KEY] = Runner(app).start()
            log.info(
                "in-process jobs started: sweep every %ss, outbox every %ss",
                runner.sweep_every,
                runner.deliver_every,
            )
    return runner
