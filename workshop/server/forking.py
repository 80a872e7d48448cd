"""The kernel provisioner of `workshop serve`: kernels forked from a warm template.

jupyter_client starts each kernel through the provisioner its kernel spec names
(``metadata.kernel_provisioner.provisioner_name``, see :mod:`workshop.server.kernelspec`;
registered as the ``workshop-forking`` entry point of ``jupyter_client.kernel_provisioners``).
This one asks the template process (:mod:`workshop.server.template`, started here on the
first launch and again whenever it has died) to fork the kernel, instead of starting a new
Python that imports everything again. Everything else is jupyter_client's own
:class:`LocalProvisioner`: the connection file, the ports, the environment, and the life
cycle, which only needs a process object: :class:`ForkedKernel` answers poll, wait and
signals for a process that is the template's child, not the server's, through its pidfd.

On by default; ``WORKSHOP_FORK_KERNELS=0`` starts every kernel the ordinary way (its own Python).
Where forking is not possible (not Linux, no pidfd, the template cannot start) kernels are
started the ordinary way, and the server's log says so once.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import pathlib
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from workshop.server.template import COMMAND_LINE_ROOM

#: The entry point's name (pyproject.toml), named in the kernel spec.
PROVISIONER_NAME = "workshop-forking"

#: 1: kernels are forked from the template; 0: every kernel starts as its own Python.
FORK_ENV = "WORKSHOP_FORK_KERNELS"

#: On: where forking is not possible (see forking_possible) kernels start the ordinary way all the
#: same, and WORKSHOP_FORK_KERNELS=0 asks for the ordinary way (a kernel spec without this provisioner).
FORK_DEFAULT = "1"

#: Seconds the template may take to import everything before kernels start the ordinary way.
TEMPLATE_START_SECONDS = 60

#: Starts in a row that may fail before kernels are started the ordinary way for good.
START_ATTEMPTS = 3

#: Seconds one request to the template may take (a fork takes milliseconds).
REQUEST_SECONDS = 20

log = logging.getLogger(__name__)


class TemplateUnavailable(Exception):
    """The template could not be started or asked; the kernel is started the ordinary way."""


def fork_wanted(environ=None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get(FORK_ENV, FORK_DEFAULT).strip().lower() not in ("0", "no", "false", "off")


def forking_possible() -> str | None:
    """None if kernels can be forked here, else why not."""
    if not sys.platform.startswith("linux"):
        return f"kernels are forked on Linux only, not on {sys.platform}"
    for owner, name in ((os, "fork"), (os, "pidfd_open"), (signal, "pidfd_send_signal"), (socket, "send_fds")):
        if not hasattr(owner, name):
            return f"this Python has no {owner.__name__}.{name}"
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError as err:
        return f"this system has no pidfd ({err})"
    return None


_said: set[str] = set()


def say_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        log.warning("%s", message)
        print(f"workshop serve: {message}", file=sys.stderr, flush=True)


def _readable(fd: int, timeout: float) -> bool:
    """True once ``fd`` is readable (a pidfd: its process has ended).

    poll, not select: the server holds a socket per kernel and page, so its pidfds soon
    pass 1023, where select.select raises "filedescriptor out of range"."""
    watch = select.poll()
    watch.register(fd, select.POLLIN)
    return bool(watch.poll(timeout * 1000))


class ForkedKernel:
    """What LocalProvisioner needs of a ``Popen``, for a kernel forked by the template.

    The pidfd came from the template with the fork: it names this process and no other,
    even once its pid is reused, so signals never reach a stranger."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int, template: TemplateProcess):
        self.pid = pid
        self.pidfd = pidfd
        self.template = template
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if not _readable(self.pidfd, 0):
            return None
        code = self.template.exit_code(self.pid)
        # The template reaped it (and tells its code), or died before it could: then the
        # kernel was reparented and its code is lost; it has ended all the same.
        self.returncode = -signal.SIGKILL if code is None else code
        self._close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            _readable(self.pidfd, 0.1)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        """As ``Popen.send_signal``: nothing happens to a kernel that has ended."""
        if self.poll() is not None:
            return
        try:
            signal.pidfd_send_signal(self.pidfd, signum)
        except ProcessLookupError:  # ended since the poll
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _close(self) -> None:
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1

    def __del__(self):
        try:
            self._close()
        except OSError:
            pass


def _die_with_server_hook():
    """What the template runs between fork and exec: PR_SET_PDEATHSIG, so it is stopped when the
    server's main thread ends. Looked up before the fork: the hook must import nothing (another
    thread of the server may hold the import lock while it forks)."""
    try:
        import ctypes
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: the template removes its folder, then ends


class TemplateProcess:
    """The server's one template: started on first use, restarted when it has died."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="workshop-template-")  # 0700: only this user connects
        self.path = os.path.join(self.folder, "template.sock")
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.spawned_at = 0.0
        self.failed_starts = 0
        self._lock: asyncio.Lock | None = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        """Starts the template (it imports everything, then its socket appears).

        Called from the server's main thread (the event loop's, or serve.main's before Voila
        is imported): PR_SET_PDEATHSIG follows the thread that forked, not the process."""
        if self.proc is not None:
            log.warning("The kernel template (pid %d) ended with %s; starting it again",
                        self.proc.pid, self.proc.returncode)
        for stale in (self.path, self.path + ".starting"):
            try:
                os.unlink(stale)
            except FileNotFoundError:
                pass
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop.server.template", self.path, str(os.getpid()),
             " " * COMMAND_LINE_ROOM],
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_server_hook(), close_fds=True)  # noqa: PLW1509
        self.starts += 1
        self.spawned_at = time.monotonic()

    async def ensure(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.alive() and os.path.exists(self.path):
                return
            if self.failed_starts >= START_ATTEMPTS:  # it cannot start here: no more waiting for it
                raise TemplateUnavailable(f"the kernel template failed to start {self.failed_starts} times")
            if not self.alive():
                self.spawn()
            deadline = self.spawned_at + TEMPLATE_START_SECONDS
            while not os.path.exists(self.path):
                if self.proc.poll() is not None:
                    self.failed_starts += 1
                    raise TemplateUnavailable(f"the kernel template ended at start with {self.proc.returncode}")
                if time.monotonic() > deadline:
                    self.proc.kill()
                    self.failed_starts += 1
                    raise TemplateUnavailable(f"the kernel template was not ready within {TEMPLATE_START_SECONDS} s")
                await asyncio.sleep(0.02)
            self.failed_starts = 0
            log.info("Kernel template ready (pid %d): kernels are forked from it", self.proc.pid)

    def request(self, payload: dict, timeout: float = REQUEST_SECONDS) -> tuple[dict, list[int]]:
        """One request, one answer (and the pidfd sent with a launch's). Blocking."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(self.path)
            sock.sendall(json.dumps(payload).encode() + b"\n")
            data, fds, _flags, _addr = socket.recv_fds(sock, 65536, 1)
            while data and not data.endswith(b"\n"):
                more = sock.recv(65536)
                if not more:
                    break
                data += more
        if not data:
            for fd in fds:
                os.close(fd)
            raise ConnectionError("the kernel template closed the connection")
        return json.loads(data), list(fds)

    def exit_code(self, pid: int) -> int | None:
        if not self.alive():
            return None
        try:
            answer, _ = self.request({"op": "exit_code", "pid": pid}, timeout=2)
        except (OSError, ValueError):
            return None
        return answer.get("exit_code")

    async def launch(self, argv: list[str], env: dict, cwd: str | None) -> tuple[int, int]:
        """Forks a kernel; returns its pid and pidfd. Restarts a dead template once."""
        payload = {"op": "launch", "argv": list(argv), "env": dict(env), "cwd": str(cwd) if cwd else None}
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            await self.ensure()
            try:
                answer, fds = await loop.run_in_executor(None, self.request, payload)
            except (OSError, ValueError) as err:
                if attempt == 2 or self.alive():
                    raise TemplateUnavailable(f"the kernel template did not fork a kernel: {err}") from err
                continue  # it died: start it again and ask once more
            if len(fds) != 1 or "pid" not in answer:
                for fd in fds:
                    os.close(fd)
                raise TemplateUnavailable(f"the kernel template answered {answer!r}")
            return int(answer["pid"]), fds[0]
        raise AssertionError("unreachable")

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


_template: TemplateProcess | None = None


def shared_template() -> TemplateProcess:
    global _template
    if _template is None:
        _template = TemplateProcess()
        atexit.register(_template.stop)
    return _template


def will_fork(environ=None) -> bool:
    """Will `workshop serve`'s kernels be forked: asked for, possible here, and the provisioner
    installed? (Where not, they start the ordinary way, and pages keep more kernels warm.)"""
    from workshop.server.kernelspec import forking_provisioner_installed

    return fork_wanted(environ) and forking_possible() is None and forking_provisioner_installed()


def start_early() -> None:
    """In the Voila process, before Voila is imported: the template imports the kernels'
    modules while Voila imports its own, so the first kernels need not wait for both in turn."""
    if will_fork():
        shared_template().spawn()


class ForkingProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels are forked by the template (see the module's doc)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        why_not = forking_possible()
        if why_not is None and not fork_wanted():
            why_not = f"{FORK_ENV}=0"
        if why_not is not None:
            say_once(f"kernels are started the ordinary way (each its own Python): {why_not}")
            return await super().launch_kernel(cmd, **kwargs)
        template = shared_template()
        env = kwargs.get("env")
        try:
            pid, pidfd = await template.launch(cmd, os.environ if env is None else env, kwargs.get("cwd"))
        except TemplateUnavailable as err:
            say_once(f"kernels are started the ordinary way (each its own Python): {err}")
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid, pidfd, template)
        self.pid = pid
        self.pgid = pid  # the child called setsid(): its own process group, as jupyter_client's launcher does
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info
