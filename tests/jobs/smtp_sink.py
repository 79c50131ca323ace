"""A local SMTP server process for the tests: aiosmtpd, spooling each accepted message to
a directory (one .eml file per message), refusing the first N with a temporary 451.

    python -m tests.jobs.smtp_sink --port 8025 --spool /tmp/spool [--refuse-first 2]

Prints ``ready <port>`` once it listens; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class SpoolHandler:
    def __init__(self, spool: Path, refuse_first: int):
        self.spool = spool
        self.refuse_left = refuse_first
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_left > 0:
                self.refuse_left -= 1
                return "451 4.3.0 Try again later"
            self.count += 1
            name = f"{self.count:05d}"
        tmp = self.spool / f".{name}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        os.replace(tmp, self.spool / f"{name}.eml")  # readers never see half a message
        return "250 2.0.0 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", type=Path, required=True)
    parser.add_argument("--refuse-first", type=int, default=0)
    args = parser.parse_args()
    args.spool.mkdir(parents=True, exist_ok=True)
    controller = Controller(
        SpoolHandler(args.spool, args.refuse_first), hostname="127.0.0.1", port=args.port
    )
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"ready {args.port}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    controller.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
