"""A room larger than libzmq's and the system's default limits (workshop.server.limits).

Seen with 400 participants on one server: past about 350 kernels every page failed to
connect with "zmq.error.ZMQError: Too many open files", libzmq's 1023 sockets per context."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap

import pytest

from workshop.server import limits


def _probe(code: str, **kwargs) -> list[str]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=300, check=True, **kwargs)
    return out.stdout.split()


def test_the_servers_kernel_manager_holds_more_than_1023_zeromq_sockets():
    said = _probe("""
        import zmq
        from workshop.server import voila_patches
        voila_patches.check_voila_version()
        voila_patches.tune_kernel_pools()
        import voila.app
        from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
        cls = voila.app.voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
        manager = cls.__new__(cls)  # its context only: __init__ would start the pools
        sockets = [manager.context.socket(zmq.DEALER) for _ in range(1500)]
        print(len(sockets))
        for s in sockets:
            s.close()
        manager.context.term()
    """)
    assert said == ["1500"]


def test_a_plain_context_still_stops_at_1023_so_the_test_above_can_fail():
    import zmq
    context = zmq.Context()
    sockets = []
    try:
        with pytest.raises(zmq.ZMQError, match="Too many open files"):
            for _ in range(1500):
                sockets.append(context.socket(zmq.DEALER))
        assert len(sockets) == 1023
    finally:
        for s in sockets:
            s.close()
        context.term()


def test_the_soft_limit_on_open_files_is_raised_to_the_hard_one():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 1024:
        pytest.skip(f"this machine allows only {hard} open files")

    def low_soft_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    said = _probe("""
        import resource
        from workshop.server import limits
        before = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        now = limits.raise_open_files()
        print(before, now, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    """, preexec_fn=low_soft_limit)
    expected = hard if hard != resource.RLIM_INFINITY else 1 << 20
    assert said == ["1024", str(expected), str(expected)]


def test_the_socket_limit_follows_the_open_files_within_libzmqs_bounds():
    assert limits.socket_limit(100) == 1023
    assert limits.socket_limit(20_000) == 20_000
    assert limits.socket_limit(10**7) == limits.ZMQ_SOCKET_CEILING
