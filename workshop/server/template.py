"""The template process: one warm Python that forks every participant's kernel.

Each kernel used to import ipykernel, ipywidgets, SQLAlchemy and the apps afresh: about
60 MB of the same bytes in every process. The template imports all of it once, freezes
the garbage collector's view of those objects (``gc.freeze()``, so no collection in a child
writes to the shared pages) and then waits on a unix socket in a private folder. For each
request of :mod:`workshop.server.forking` (the server's kernel provisioner) it forks a
child that becomes the kernel: new session, fresh random state, only the file descriptors
it needs, the environment and folder jupyter_client chose, and ipykernel started on the
connection file jupyter_client wrote. The child opens its sockets, threads and database
engine itself, after the fork: the template opens none of them.

The template reaps its children and tells the server their exit codes. It dies with the
server (PR_SET_PDEATHSIG, set by the server, and the server's pidfd watched here); each
kernel watches the server's pidfd too, so a template that dies takes no kernel with it
and a server that dies leaves no kernel behind.

What a forked kernel still holds of its own (about 20 MB once ipykernel runs, 29 MB once its
page opened a workshop) is almost all pages of the template's that the kernel wrote to: CPython
writes an object's reference count whenever it is used and a code object's counters whenever it
runs, so each page holding anything the kernel touched is copied (by page contents: code objects
6 MB, dicts 3 MB, classes 2.5 MB, tuples, functions, weak references). New objects are only
about 1.5 MB of it; no module is imported only in the kernel. Importing more here cannot avoid
those copies, and the ones gc could cause are avoided by ``gc.freeze()``; where the machine runs
KSM, :func:`merge_identical_pages` lets Linux share them again.

Run as ``python -m workshop.server.template SOCKET SERVER_PID BLANKS`` (by the provisioner).
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import threading

#: What every kernel imports (ipykernel's kernel, the widgets) and what the participants',
#: the room's, the facilitator's and the follow-up pages import (`workshop.pages.*`), plus
#: the database drivers an engine loads when it is created.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.comm",
    # What ipykernel and IPython import only when a kernel starts.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.core.logger",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "ipykernel.debugger",
    "faulthandler",
    "pdb",
    "runpy",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    # What a preheated kernel imports to wait for its visitor (workshop.pages.request): 24
    # modules, about 20 ms of CPU in every kernel otherwise.
    "websockets.sync.client",
    "ipywidgets",
    "anywidget",
    "comm",
    "sqlite3",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.orm",
    "workshop.server.kernel",
    "workshop.store",
    "workshop.pages.participant",
    "workshop.pages.room",
    "workshop.pages.facilitator",
    "workshop.pages.followup",
    "workshop.pages.exemplar",
    "workshop.pages.stakeholder",
    "workshop.pages.survey",
)

#: The kernel command (the kernel spec's argv after the interpreter) a child runs in-process;
#: any other command is exec'd as it is.
KERNEL_MODULE = ["-m", "workshop.server.kernel"]

#: Options every forked kernel starts with. No IPython history: nobody types into a page's
#: kernel, and the history database (one SQLite file shared by every kernel, with a thread in
#: each to save it) cost each kernel about 1 MB of private memory.
KERNEL_OPTIONS = ["--HistoryManager.enabled=False"]

#: Exit codes of reaped children kept for the server to ask about (oldest dropped first).
EXIT_CODES_KEPT = 4096

#: Largest request read (a kernel's environment).
MAX_REQUEST = 1 << 20


def preload() -> list[str]:
    """Imports :data:`PRELOAD`; returns the modules that could not be imported."""
    import importlib

    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type] - as workshop.server.kernel does
    missing = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional driver costs only its own import later
            missing.append(name)
    return missing


def warm() -> None:
    """Loads, once, the read-only data each kernel would otherwise build for itself after the
    fork, in pages of its own: the translation catalogues of every language (a visitor's first
    page parses the .mo file of their language: about 0.2 MB of objects each) and SQLAlchemy's
    mapper configuration (done at the first query otherwise). Neither opens a file that stays
    open, a connection or a thread, and neither draws anything random."""
    try:
        from sqlalchemy.orm import configure_mappers

        configure_mappers()
    except Exception:  # noqa: BLE001, S110 - the first query in each kernel configures them
        pass
    try:
        from workshop import i18n

        for lang in i18n.LANGUAGES:
            i18n.translations(lang)
    except Exception:  # noqa: BLE001, S110 - each kernel then loads its visitor's language itself
        pass


#: Where Linux says whether its same-page merging (KSM) runs: "1" when the machine's admin
#: switched it on (``echo 1 > /sys/kernel/mm/ksm/run``); it is off unless someone does.
KSM_RUN = "/sys/kernel/mm/ksm/run"

PR_SET_MEMORY_MERGE = 67


def merge_identical_pages(ksm_run: str = KSM_RUN) -> bool:
    """Where KSM runs, lets it merge the template's and its kernels' identical pages.

    Most of a forked kernel's private memory is pages the kernel wrote to without changing
    them for good: reference counts that went up and back down, code objects' counters. In a
    kernel that had opened a workshop, about 6 of its 29 MB of private pages were byte for byte
    the template's page again and 13 MB more were the same as another kernel's; KSM would
    share them again. The flag (PR_SET_MEMORY_MERGE, Linux 6.4) is inherited by every child
    and covers the memory it maps later. Off where KSM does not run: the flag would do nothing
    but cost a system call. Merged pages are read and compared by the kernel's ksmd thread:
    CPU time on a machine whose admin chose to spend it so; and as Voila runs only the
    notebooks' own cells, no visitor's code can time the merging to read another kernel's pages."""
    try:
        with open(ksm_run) as fh:
            if fh.read().strip() != "1":
                return False
        import ctypes
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _open_fds() -> list[int]:
    try:
        return sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:
        return list(range(3, 256))


def _watch_server(server_pidfd: int) -> None:
    """In the kernel: when the server is gone, the kernel and everything it started go too."""
    def watch() -> None:
        try:
            select.select([server_pidfd], [], [])
        finally:
            try:
                os.killpg(os.getpgid(0), signal.SIGKILL)
            finally:
                os._exit(1)

    threading.Thread(target=watch, name="workshop-server-watch", daemon=True).start()


def become_kernel(request: dict, server_pidfd: int, own_sockets: list[socket.socket]) -> None:
    """In the child, right after the fork: never returns."""
    code = 1
    try:
        # First of all: the template's SIGTERM handler would remove the template's folder.
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()  # its own process group: interrupts and kills reach this kernel only
        for sock in own_sockets:
            sock.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        # Nothing of the template's but stdout, stderr and the server's pidfd.
        for fd in _open_fds():
            if fd > 2 and fd != server_pidfd:
                try:
                    os.close(fd)
                except OSError:
                    pass
        signal.signal(signal.SIGINT, signal.default_int_handler)
        env = {str(k): str(v) for k, v in request.get("env", {}).items()}
        # ipykernel's parent poller would watch the template (this process's parent) and quit
        # with it; 1 means "no parent to watch" to ipykernel (and keeps its console banner
        # quiet). The server's pidfd is watched instead (_watch_server).
        env["JPY_PARENT_PID"] = "1"
        os.environ.clear()
        os.environ.update(env)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        reseed()
        forget_engines()
        # What the template imported stays frozen (gc.freeze in main): no collection in the
        # kernel walks those objects, so their pages stay shared.
        _watch_server(server_pidfd)
        argv = [str(a) for a in request["argv"]]
        if argv[1:3] == KERNEL_MODULE:
            set_command_line(argv)
            from workshop.server import kernel

            # IPKernelApp read $JPY_PARENT_PID when the template imported it: say it again.
            sys.argv = [kernel.__name__, *argv[3:], "--IPKernelApp.parent_handle=1", *KERNEL_OPTIONS]
            kernel.main()
            code = 0
        else:
            os.execvpe(argv[0], argv, env)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:  # interrupted (by a shutdown) before ipykernel took over SIGINT
        code = 130
    except BaseException:  # noqa: BLE001 - the child must never return into the template's loop
        import traceback
        traceback.print_exc()
    finally:
        try:
            import atexit
            atexit._run_exitfuncs()  # as at a normal exit: ipykernel removes its socket files
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


#: Bytes of command line the template is started with beyond its own (see set_command_line).
COMMAND_LINE_ROOM = 320


def set_command_line(argv: list[str]) -> None:
    """The kernel's command line in ``ps`` and /proc/PID/cmdline: the command jupyter_client
    would have run (with its connection file), so a kernel is found and named as any other.

    Written over the template's own argv area, which is :data:`COMMAND_LINE_ROOM` bytes longer
    than it needs (the provisioner starts it with a blank argument that long); a longer
    command is cut short."""
    try:
        import ctypes
        with open("/proc/self/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (fields 48 and 49)
        room = end - start
        data = "\0".join(argv).encode()[: room - 1]
        ctypes.memmove(start, data.ljust(room, b"\0"), room)
    except (OSError, ValueError, IndexError):
        pass


def reseed() -> None:
    """Fresh random state: the child has a copy of the template's.

    ``secrets``, ``uuid.uuid4`` and jupyter_client's session keys read the OS's random source
    each time; ``random`` is reseeded by Python at the fork and once more here; NumPy's global
    generator (pandas imports NumPy) would repeat the template's sequence in every kernel."""
    import random
    random.seed()
    # Ids the apps draw once per process at import: drawn again, so no two kernels share one.
    throttle = sys.modules.get("workshop.domain.throttle")
    if throttle is not None and hasattr(throttle, "_PROCESS"):
        import uuid
        throttle._PROCESS = uuid.uuid4().hex
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        try:
            numpy_random.seed()
        except Exception:  # noqa: BLE001, S110 - a NumPy without a global generator has nothing to reseed
            pass


def forget_engines() -> None:
    """No database engine crosses the fork (the template opens none; this makes sure)."""
    engine = sys.modules.get("workshop.store.engine")
    if engine is not None:
        engine._stores.clear()


class Template:
    def __init__(self, path: str, server_pid: int):
        self.path = path
        self.server_pid = server_pid
        self.server_pidfd = os.pidfd_open(server_pid)
        self.exit_codes: dict[int, int] = {}
        self.children: set[int] = set()
        self.listener: socket.socket | None = None

    def listen(self) -> None:
        """Binds under a temporary name, then renames: the socket's name appearing means ready."""
        tmp = self.path + ".starting"
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(tmp)
        self.listener.listen(256)
        os.rename(tmp, self.path)

    def reap(self, pid: int = -1, block: bool = False) -> None:
        while self.children:
            try:
                found, status = os.waitpid(pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if found == 0:
                return
            self.children.discard(found)
            self.exit_codes[found] = os.waitstatus_to_exitcode(status)
            while len(self.exit_codes) > EXIT_CODES_KEPT:
                self.exit_codes.pop(next(iter(self.exit_codes)))
            if pid != -1:
                return

    def serve_forever(self) -> None:
        assert self.listener is not None
        while True:
            ready, _, _ = select.select([self.listener, self.server_pidfd], [], [], 0.5)
            self.reap()
            if self.server_pidfd in ready:  # the server is gone: so is its template
                os.kill(os.getpid(), signal.SIGTERM)
            if self.listener in ready:
                conn, _ = self.listener.accept()
                try:
                    self.answer(conn)
                except Exception as err:  # noqa: BLE001 - one bad request must not stop the template
                    print(f"workshop template: request failed: {err!r}", file=sys.stderr, flush=True)
                finally:
                    conn.close()

    def answer(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
            if len(data) > MAX_REQUEST:
                raise ValueError("request too large")
        request = json.loads(data)
        op = request.get("op")
        if op == "ping":
            conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        elif op == "exit_code":
            pid = int(request["pid"])
            if pid in self.children:
                # The server saw the pidfd readable: the child has exited, so this returns at once.
                self.reap(pid, block=True)
            conn.sendall(json.dumps({"exit_code": self.exit_codes.get(pid)}).encode() + b"\n")
        elif op == "launch":
            pid = os.fork()
            if pid == 0:
                become_kernel(request, self.server_pidfd, [conn, self.listener])
            self.children.add(pid)
            # Opened before the child can be reaped (only this loop reaps): it is this child's.
            pidfd = os.pidfd_open(pid)
            try:
                socket.send_fds(conn, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
            finally:
                os.close(pidfd)
        else:
            raise ValueError(f"unknown request {op!r}")


def main(argv: list[str]) -> None:
    path, server_pid = argv[0], int(argv[1])  # argv[2]: room for the kernels' command lines
    die_with_parent(signal.SIGTERM)  # as the server set it (preexec): stop() below removes the folder
    if os.getppid() != server_pid:  # the server died while this process started
        raise SystemExit(0)
    # Stopped with SIGTERM by the server, or by the kernel on the server's death (PR_SET_PDEATHSIG):
    # the private folder goes with it. The kernels are not ours to stop (each watches the server).
    folder = os.path.dirname(path)

    def stop(*_):
        import shutil
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal is the server's
    template = Template(path, server_pid)
    missing = preload()
    warm()
    if missing:
        print(f"workshop template: could not preload {', '.join(missing)}", file=sys.stderr, flush=True)
    if threading.active_count() > 1:  # a thread would not survive the fork; the kernel starts its own
        print("workshop template: an import started a thread; kernels are forked anyway",
              file=sys.stderr, flush=True)
    gc.collect()
    gc.freeze()
    merge_identical_pages()
    template.listen()
    template.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
