"""Start ``valo-bot <role>`` processes from a fork server that has already imported the bot.

A fresh ``python -m bot`` spends seconds of CPU importing aiogram (its types are built on
import) before it does anything; the end-to-end tests start the bot over a hundred times. The
fork server imports the bot's modules once, without running any of them, and each start is
a ``fork()`` of it that runs ``bot.__main__.main(argv)`` with the test's environment, working
directory and standard streams: a separate process in its own session (so SIGKILL of its
process group takes everything), started from the same code as ``python -m bot ARGS`` after its
imports. The command-line tests (tests.cli_run, the demo's) start their processes here too.

Protocol, over a Unix socket, one connection per process: the test sends one byte carrying
three file descriptors (the process's stdin, stdout and stderr: a log file, a pipe, /dev/null)
and one JSON line (argv, env, cwd); the server answers the process id, then its exit code when
it ends (negative for a signal, like ``asyncio.subprocess.Process.returncode``).

Run as ``python -m tests.e2e.launcher SOCKET``; it stops when its standard input closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

# What the roles import lazily, so that a start does not import it again. Import only.
PRELOAD = (
    "bot.__main__",
    "bot.app",
    "bot.ops.roles",
    "bot.demo.server",
    "bot.handlers.services",
    "bot.indicators.assemble",
    "aiohttp.web",
    "sqlalchemy.dialects.sqlite.aiosqlite",
    "alembic.command",
)
OPTIONAL_PRELOAD = ("asyncpg", "sqlalchemy.dialects.postgresql.asyncpg", "redis.asyncio")


# ------------------------------------------------------------------------------ the server


def _run_child(request: dict[str, Any], streams: list[int], closing: list[int]) -> None:
    """In the forked bot process: become ``python -m bot ARGS`` and never return."""
    code = 1
    try:
        os.setsid()
        os.chdir(request["cwd"])
        for target, fd in enumerate(streams):
            os.dup2(fd, target)
        for fd in {*streams, *closing} - {0, 1, 2}:
            with contextlib.suppress(OSError):
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [
            str(Path(sys.modules["bot.__main__"].__file__ or "__main__.py")),
            *request["argv"],
        ]
        from bot.__main__ import main

        try:
            code = main(request["argv"])
        except SystemExit as exc:
            if exc.code is None:
                code = 0
            elif isinstance(exc.code, int):
                code = exc.code
            else:
                print(exc.code, file=sys.stderr)
                code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        # What interpreter shutdown would do: atexit handlers (logging flushes there), stdio.
        with contextlib.suppress(BaseException):
            import atexit

            atexit._run_exitfuncs()
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code & 0xFF)


def _serve_one(conn: socket.socket, closing: list[int]) -> None:
    """In the forked monitor: start the bot process, report its pid and exit code."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server ignores it to reap monitors
    code = 1
    try:
        _, streams, _, _ = socket.recv_fds(conn, 1, 3)
        with conn.makefile("rb") as reader:
            request = json.loads(reader.readline())
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _run_child(request, streams, [*closing, conn.fileno()])
        for fd in streams:  # only the process holds them: a pipe's reader sees its end
            os.close(fd)
        conn.sendall(f"{pid}\n".encode())
        _, status = os.waitpid(pid, 0)
        conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def serve(path: str) -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    for name in OPTIONAL_PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # Parse the repository's texts once: bot.i18n keeps parsed files by their content, so a
    # start that loads these texts still reads and checks them but need not parse them again
    # (a test's own texts are parsed as usual). A broken file is the bot's to report.
    from datetime import UTC

    from bot.data_errors import DataFileError
    from bot.i18n import I18n

    with contextlib.suppress(DataFileError):
        I18n.load(Path("locales"), UTC)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished monitors are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    return  # the test session ended
                continue
            conn, _ = listener.accept()
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                _serve_one(conn, [listener.fileno(), selector.fileno(), sys.stdin.fileno()])
            conn.close()


# ------------------------------------------------------------------------------ the client


class LaunchedProcess:
    """The parts of ``asyncio.subprocess.Process`` the tests use: pid, returncode, wait()."""

    def __init__(self, pid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.pid = pid
        self.returncode: int | None = None
        self._writer = writer
        self._exited = asyncio.ensure_future(self._watch(reader))

    async def _watch(self, reader: asyncio.StreamReader) -> int:
        try:
            line = await reader.readline()
            if not line:
                raise RuntimeError(f"launcher lost process {self.pid}")
            self.returncode = int(line)
            return self.returncode
        finally:
            self._writer.close()

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)


class LaunchedChild:
    """The parts of ``subprocess.Popen`` the command-line tests use, without asyncio: pid,
    returncode, poll(), wait(timeout), send_signal(), kill() (of its process group)."""

    def __init__(self, pid: int, conn: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._conn = conn

    def poll(self) -> int | None:
        self._read_exit(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._read_exit(timeout):
            raise subprocess.TimeoutExpired(["valo-bot"], timeout or 0)
        assert self.returncode is not None
        return self.returncode

    def _read_exit(self, timeout: float | None) -> bool:
        """Whether the process has ended, waiting up to ``timeout`` for its exit code."""
        if self.returncode is None:
            if not select.select([self._conn], [], [], timeout)[0]:
                return False
            line = _read_line(self._conn)
            self._conn.close()
            if not line:
                raise RuntimeError(f"launcher lost process {self.pid}")
            self.returncode = int(line)
        return True

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL the process group (the process is its leader), as a crash would end it."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)


def _read_line(conn: socket.socket) -> bytes:
    """One line from the launcher, byte by byte: the exit code may follow the pid at once."""
    line = b""
    while not line.endswith(b"\n"):
        byte = conn.recv(1)
        if not byte:
            return b""
        line += byte
    return line


class Launcher:
    """The fork server of one test session (started on first use)."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self._cwd = cwd
        self._env = env
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._ready = False

    @property
    def socket_path(self) -> str:
        assert self._directory is not None
        return os.path.join(self._directory.name, "launcher.sock")

    def prestart(self) -> None:
        """Start the server's imports now, without waiting for them (the tests run meanwhile)."""
        if self._server is not None and (self._ready or self._server.poll() is None):
            return
        self.close()
        self._directory = tempfile.TemporaryDirectory(prefix="valo-launcher-")
        self._server = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.launcher", self.socket_path],
            cwd=self._cwd,
            env={**self._env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def _ensure_started(self) -> None:
        if self._server is not None and self._ready and self._server.poll() is None:
            return
        if self._server is None or self._server.poll() is not None:
            self.prestart()
        assert self._server is not None
        assert self._server.stdout is not None
        if self._server.stdout.readline() != b"ready\n":
            raise RuntimeError("the bot launcher did not start")
        self._ready = True

    def _launch(
        self, argv: list[str], env: dict[str, str], cwd: Path, streams: tuple[int, int, int]
    ) -> tuple[int, socket.socket]:
        """Start ``argv`` with ``streams`` as its stdin, stdout and stderr; the process id and
        the connection its exit code comes on. A local socket: this takes milliseconds."""
        self._ensure_started()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self.socket_path)
            socket.send_fds(conn, [b"s"], list(streams))
            request = {"argv": argv, "env": env, "cwd": str(cwd)}
            conn.sendall(json.dumps(request).encode() + b"\n")
            line = _read_line(conn)
            if not line:
                raise RuntimeError("the bot launcher did not start the process")
        except BaseException:
            conn.close()
            raise
        return int(line), conn

    async def start(
        self, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path
    ) -> LaunchedProcess:
        """``argv`` with stdout and stderr appended to ``log``, stdin empty."""
        pid, conn = self._launch_logged(argv, env, cwd, log)
        reader, writer = await asyncio.open_unix_connection(sock=conn)
        return LaunchedProcess(pid, reader, writer)

    def _launch_logged(
        self, argv: list[str], env: dict[str, str], cwd: Path, log: Path
    ) -> tuple[int, socket.socket]:
        with open(os.devnull, "rb") as null, log.open("ab") as out:
            return self._launch(argv, env, cwd, (null.fileno(), out.fileno(), out.fileno()))

    def spawn(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: Path,
        stdin: int,
        stdout: int,
        stderr: int,
    ) -> LaunchedChild:
        """``argv`` with these file descriptors as its streams (the caller closes its copies)."""
        pid, conn = self._launch(argv, env, cwd, (stdin, stdout, stderr))
        return LaunchedChild(pid, conn)

    def close(self) -> None:
        if self._server is not None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            try:
                self._server.wait(10)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait()
            if self._server.stdout is not None:
                self._server.stdout.close()
            self._server = None
            self._ready = False
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None


if __name__ == "__main__":
    serve(sys.argv[1])
