"""A real server for load and crash tests: ``gunicorn wsgi:app`` on a loopback port.

The harness owns the listening socket (127.0.0.1, a free port chosen by the kernel) and
hands it to gunicorn as ``--bind fd://N``, so the port stays the same across a restart
and nothing else can take it while the server is down: connections made in between wait
in the socket's backlog and are served once the new server is up, as with socket
activation. gunicorn runs in its own process group, which is what ``kill_all`` kills.

    with LiveServer(database_url, workers=4) as server:
        requests.get(server.base_url + "/api/health")
        server.kill_worker()          # kill -9 one worker; the master starts another
        server.worker_serving(port)   # the worker holding a client's connection (its local port)
        server.kill_all()             # kill -9 master and workers (the process group)
        server.start()                # the same port again

Workers are gthread (``threads`` each): several requests in flight per process, and
HTTP keep-alive, which sync workers do not speak. Used by tests/load and bench/throughput.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (from /proc; zombies left out)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return sorted(found)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _server_socket_inode(server_port: int, client_port: int) -> int | None:
    """Inode of the loopback TCP socket whose local port is ``server_port`` and remote
    port ``client_port`` (from /proc/net/tcp)."""
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if (
            int(local.split(":")[1], 16) == server_port
            and int(remote.split(":")[1], 16) == client_port
            and inode
        ):
            return inode
    return None


class ServerDied(RuntimeError):
    pass


class LiveServer:
    """gunicorn serving ``app`` (``module:callable``) with ``workers`` processes."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        app: str = "wsgi:app",
        workers: int = 4,
        threads: int = 8,
        env: dict[str, str] | None = None,
        cwd: Path | str = REPO,
        log_path: Path | str | None = None,
        timeout: int = 30,
        keep_alive: int = 10,
        backlog: int = 2048,
    ):
        self.app = app
        self.workers = workers
        self.threads = threads
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.keep_alive = keep_alive
        self.env = dict(os.environ)
        self.env.update({"PYTHONUNBUFFERED": "1", "SECRET_KEY": secrets.token_hex(16)})
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.env.update(env or {})
        self._own_log = log_path is None  # a temporary log, removed by close()
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="sparelog-gunicorn-", suffix=".log")
            os.close(handle)
            log_path = name
        self.log_path = Path(log_path)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(backlog)
        self._socket.set_inheritable(True)
        self.port = self._socket.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    # -- life cycle ---------------------------------------------------------------------

    def start(self, ready_timeout: float = 90.0) -> LiveServer:
        """Start gunicorn and return once every worker is up and /api/health answers 200."""
        if self.running:
            raise RuntimeError("the server is already running")
        fd = self._socket.fileno()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "--bind",
            f"fd://{fd}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--timeout",
            str(self.timeout),
            "--graceful-timeout",
            "5",
            "--keep-alive",
            str(self.keep_alive),
            "--log-level",
            "warning",
        ]
        with open(self.log_path, "a") as log:
            log.write(f"--- start {self.starts + 1}: {' '.join(command)}\n")
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        self.wait_ready(ready_timeout)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def master_pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server is not started")
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The master's live children: its workers."""
        return children_of(self.master_pid) if self.running else []

    def wait_workers(self, count: int | None = None, timeout: float = 60.0) -> list[int]:
        """Wait until the master has ``count`` (default: ``workers``) live workers."""
        count = self.workers if count is None else count
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            pids = self.worker_pids()
            if len(pids) == count:
                return pids
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(pids)} workers instead of {count} after {timeout} s\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Every worker started and GET /api/health answered 200."""
        deadline = time.monotonic() + timeout
        self.wait_workers(timeout=timeout)
        while True:
            self._check_alive()
            try:
                with urllib.request.urlopen(self.base_url + "/api/health", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"/api/health did not answer 200 within {timeout} s\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def worker_serving(self, client_port: int) -> int | None:
        """The worker holding the server side of the client's connection from
        ``client_port`` (None while it waits in the backlog, or when it is gone)."""
        inode = _server_socket_inode(self.port, client_port)
        if inode is None:
            return None
        target = f"socket:[{inode}]"
        for pid in self.worker_pids():
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
                except OSError:
                    continue
        return None

    def kill_worker(self, pid: int | None = None, rng: random.Random | None = None) -> int:
        """kill -9 one worker (``pid``, or one chosen at random); returns its pid. The
        master notices and starts a replacement."""
        if pid is None:
            pids = self.worker_pids()
            if not pids:
                raise RuntimeError("no worker to kill")
            pid = (rng or random).choice(pids)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        return pid

    def kill_all(self) -> None:
        """kill -9 the whole server at once: master and workers (its process group)."""
        if self.process is None:
            return
        doomed = [self.process.pid, *self.worker_pids()]
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in doomed) and time.monotonic() < deadline:
            time.sleep(0.01)

    def restart(self, ready_timeout: float = 90.0) -> LiveServer:
        self.kill_all()
        return self.start(ready_timeout)

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master), then kill -9 whatever is left."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        self.kill_all()

    def close(self) -> None:
        """Stop, release the port, and remove the temporary log."""
        self.stop()
        self._socket.close()
        if self._own_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> LiveServer:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # -- diagnostics --------------------------------------------------------------------

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise ServerDied(f"gunicorn exited with {self.process.returncode}\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
