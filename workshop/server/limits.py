"""Room for a large room: open files and ZeroMQ sockets in the Voila process.

The server holds ZeroMQ sockets for every kernel (its manager's control socket, the
preheating client's channels, and each page's shell, iopub, stdin, control and heartbeat),
and every ZeroMQ socket holds file descriptors. Two limits stop a room long before memory
or the cores do:

- libzmq allows 1023 sockets per context unless told otherwise (``ZMQ_MAX_SOCKETS``): a
  server of about 350 kernels met it, and every page after that failed to connect with
  "Too many open files" (``benchmarks.live_room --active 400``, 2026-12-02);
- many systems give a process 1024 open files (the soft limit) while allowing far more
  (the hard limit): a server at that limit fails the same way at a few dozen pages.

Both are raised here, as far as the system allows and no further.
"""

from __future__ import annotations

import resource

import zmq

#: The most sockets libzmq lets one context hold, whatever is asked.
ZMQ_SOCKET_CEILING = 65535


def raise_open_files() -> int:
    """The soft limit on open files up to the hard one; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass  # a container may refuse; the server runs with what it has
    return soft


def socket_limit(open_files: int | None = None) -> int:
    """How many ZeroMQ sockets a context should allow: as many as the open files could carry
    (each socket needs at least one), never fewer than libzmq's default."""
    if open_files is None:
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if open_files == resource.RLIM_INFINITY:
        open_files = ZMQ_SOCKET_CEILING
    return max(1023, min(ZMQ_SOCKET_CEILING, open_files))


def widen(context: zmq.Context) -> zmq.Context:
    """Let ``context`` hold :func:`socket_limit` sockets. libzmq reads the setting when the
    context opens its first socket, so this must come before that."""
    context.set(zmq.MAX_SOCKETS, socket_limit())
    return context
