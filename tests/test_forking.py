"""Kernels forked from the warm template (workshop.server.forking, workshop.server.template), the
default of `workshop serve` on Linux: on a real server, a visitor's page works, two visitors' kernels
hand out different tokens, an interrupted kernel keeps its page, a kernel that dies is restarted, an
unconnected page's kernel is culled, a crashed server (Voila or `workshop serve` itself) leaves no
process behind and a crashed template is started again; with WORKSHOP_FORK_KERNELS=0 every kernel
starts the ordinary way. Through jupyter_client itself (Voila offers no interrupt): interrupt,
restart, shutdown, fresh secrets, and the ordinary way where forking is not possible."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.servers import Server, _alive, descendants, start_server
from tests.waiting import wait_for
from tests.widget_client import KERNEL_ID, WidgetClient
from workshop.server import forking, voila_config

pytestmark = pytest.mark.skipif(forking.forking_possible() is not None,
                                reason=f"kernels are not forked here: {forking.forking_possible()}")

#: Said, not left to the default: these tests are about forked kernels even where a run sets
#: WORKSHOP_FORK_KERNELS=0 for everything else.
FORKED = {forking.FORK_ENV: "1", voila_config.FACILITATOR_PREHEAT_ENV: "0"}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def processes(srv: Server) -> dict:
    """The server's processes by role: voila (pid), templates and kernels ({pid: kernel id})."""
    found = {"voila": None, "templates": [], "kernels": {}}
    for pid in descendants(srv.proc.pid):
        if not _alive(pid):
            continue
        cmd = _cmdline(pid)
        if "workshop.server.serve" in cmd:
            found["voila"] = pid
        elif "workshop.server.template" in cmd:
            found["templates"].append(pid)
        elif "workshop.server.kernel" in cmd and "kernel-" in cmd:
            kernel_id = cmd.split("kernel-")[-1].split(".json")[0]
            found["kernels"][pid] = kernel_id
    return found


@pytest.fixture(scope="module")
def forked_server():
    home = Path(tempfile.mkdtemp(prefix="workshop-forked-"))
    srv = start_server(f"sqlite:///{home / 'w.sqlite'}", home, participants=3, env=FORKED)
    yield srv
    srv.stop()


@pytest.fixture
def own_server(tmp_path):
    """A forked server of the test's own, for tests that crash it."""
    srv = start_server(f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path, participants=2, env=FORKED)
    yield srv
    srv.stop()


# ---- on a real `workshop serve` ------------------------------------------------------------

def test_a_participant_joins_on_a_kernel_forked_from_the_template(forked_server):
    code, _ = forked_server.create("Forked <room>")
    with WidgetClient(forked_server.participant_url(code)) as client:
        assert "Forked <room>" in client.all_text()
        client.join("Pat")
        assert client.token()
        assert not client.errors, client.errors
        procs = processes(forked_server)
        # The visitor's kernel is the template's child, named as a kernel with its connection file.
        (template,) = procs["templates"]
        pid = next(p for p, kid in procs["kernels"].items() if kid == client.kernel_id)
        assert _ppid(pid) == template and _ppid(template) == procs["voila"]
    # Its join reached the database through the forked kernel's own engine.
    from workshop.domain import workshops
    assert workshops.status(forked_server.store, code).participants == 1
    # Every kernel of the server is forked: no kernel started as a Python of its own.
    procs = processes(forked_server)
    assert procs["kernels"] and all(_ppid(p) == template for p in procs["kernels"])


def test_two_forked_kernels_hand_out_different_tokens(forked_server):
    code, _ = forked_server.create("Tokens")
    with WidgetClient(forked_server.participant_url(code)) as one, \
            WidgetClient(forked_server.participant_url(code)) as two:
        assert one.kernel_id != two.kernel_id
        one.join("Ann")
        two.join("Bob")
        assert one.token() and two.token() and one.token() != two.token()


def test_an_interrupted_forked_kernel_keeps_its_page(forked_server):
    """SIGINT to the kernel's process group, as jupyter_client's interrupt sends it (the forked
    kernel leads a group of its own): the kernel lives on and its page still answers."""
    code, _ = forked_server.create("Interrupted")
    with WidgetClient(forked_server.participant_url(code)) as client:
        pid = next(p for p, k in processes(forked_server)["kernels"].items() if k == client.kernel_id)
        assert os.getpgid(pid) == pid
        os.killpg(pid, signal.SIGINT)
        client.join("Ira")
        assert client.token() and not client.errors, client.errors
        assert _alive(pid)
    from workshop.domain import workshops
    assert workshops.status(forked_server.store, code).participants == 1


def test_a_stage_notebook_without_a_warm_kernel_still_shows_its_app(tmp_path):
    """Forked, with the facilitator's pools as shipped (not WORKSHOP_FACILITATOR_PREHEAT=0): a
    stage notebook (rehearsal, reading) keeps no warm kernel, and its page, opened, forks one and
    shows its panel."""
    srv = start_server(f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path, participants=1,
                       env={forking.FORK_ENV: "1"})
    try:
        code, key = srv.create("Cold <stage>")
        with WidgetClient(srv.facilitator_url(code, key, "05-voting.ipynb")) as client:
            client.wait_until(lambda c: "Cold <stage>" in c.all_text(), timeout=120, what="the voting panel")
            assert not client.errors, client.errors
            assert f"Using pre-heated kernel: {client.kernel_id} " not in srv.log(10 ** 7), \
                "a stage notebook keeps no warm kernel when kernels are forked"
            assert client.kernel_id in processes(srv)["kernels"].values(), "forked from the template"
    finally:
        srv.stop()


def test_a_kernel_that_dies_is_restarted_from_the_template(forked_server):
    """jupyter_client's restarter sees the death through the provisioner's poll (the pidfd)
    and restarts the kernel: forked again, with the same connection file."""
    procs = processes(forked_server)
    (template,) = procs["templates"]
    pid, kernel_id = next(iter(procs["kernels"].items()))
    os.kill(pid, signal.SIGKILL)
    restarted = wait_for(lambda: [p for p, k in processes(forked_server)["kernels"].items()
                                  if k == kernel_id and p != pid], 60, "the restarted kernel")
    assert _ppid(restarted[0]) == template
    assert "restarting" in forked_server.log(400000).lower()
    # The dead one was reaped by the template: no zombie left.
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), 10, "the dead kernel to be reaped")


def test_a_page_that_never_connects_has_its_forked_kernel_shut_down(forked_server):
    """The server's culling (here the unconnected-page culler, after 45 s) shuts a forked
    kernel down as any other: the process ends and is reaped."""
    code, _ = forked_server.create("Never connects")
    resp = requests.get(forked_server.participant_url(code), timeout=120)
    kernel_id = KERNEL_ID.search(resp.text).group(1)
    pid = next(p for p, k in processes(forked_server)["kernels"].items() if k == kernel_id)
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), voila_config.UNCONNECTED_SECONDS + 40,
             "the unconnected page's kernel to be shut down")
    assert f"Kernel {kernel_id}: its page never connected" in forked_server.log(400000)


def test_a_killed_server_leaves_no_template_and_no_kernel(own_server):
    procs = processes(own_server)
    assert procs["templates"] and len(procs["kernels"]) >= 3
    left = [procs["voila"], *procs["templates"], *procs["kernels"]]
    folder = Path(_cmdline(procs["templates"][0]).split()[3]).parent  # the template's private folder
    assert folder.is_dir()
    os.kill(procs["voila"], signal.SIGKILL)  # the Voila process crashes; `workshop serve` then ends
    wait_for(lambda: not any(_alive(p) for p in left), 20, "every process of the server to end")
    assert not folder.exists(), "the template's folder went with it"


def test_a_killed_workshop_serve_leaves_no_process_behind(own_server):
    """SIGKILL of the process the operator started (`workshop serve`): Voila is told to stop
    (PR_SET_PDEATHSIG), and the template and every forked kernel go with it."""
    procs = processes(own_server)
    assert procs["templates"] and len(procs["kernels"]) >= 3
    left = [procs["voila"], *procs["templates"], *procs["kernels"]]
    folder = Path(_cmdline(procs["templates"][0]).split()[3]).parent
    os.kill(own_server.proc.pid, signal.SIGKILL)
    own_server.proc.wait(timeout=10)
    wait_for(lambda: not any(_alive(p) for p in left), 30, "every process of the server to end")
    assert not folder.exists(), "the template's folder went with it"


def test_a_killed_template_is_started_again_and_kernels_keep_running(own_server):
    code, _ = own_server.create("Template crash")
    procs = processes(own_server)
    (template,) = procs["templates"]
    kernels = dict(procs["kernels"])
    os.kill(template, signal.SIGKILL)
    wait_for(lambda: not _alive(template), 10, "the template to end")
    # The kernels it forked keep running, and a visitor still joins on one.
    with WidgetClient(own_server.participant_url(code)) as client:
        client.join("Kim")
        assert client.kernel_id in kernels.values()
    # The next kernel started (here: one that died, restarted) comes from a new template.
    pid, kernel_id = next((p, k) for p, k in kernels.items() if _alive(p))
    os.kill(pid, signal.SIGKILL)
    restarted = wait_for(lambda: [p for p, k in processes(own_server)["kernels"].items()
                                  if k == kernel_id and p != pid], 90, "a kernel from a new template")
    (new_template,) = processes(own_server)["templates"]
    assert new_template != template and _ppid(restarted[0]) == new_template
    assert "starting it again" in own_server.log(400000)


def test_with_fork_kernels_0_every_kernel_starts_as_its_own_python(tmp_path):
    """The ordinary start on a real server: no template, every kernel Voila's own child (started
    from the kernel spec's command), and a visitor's page works on it."""
    srv = start_server(f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path, participants=2,
                       env={forking.FORK_ENV: "0", voila_config.FACILITATOR_PREHEAT_ENV: "0"})
    try:
        code, _ = srv.create("Ordinary")
        with WidgetClient(srv.participant_url(code)) as client:
            client.join("Ola")
            assert client.token() and not client.errors, client.errors
            procs = processes(srv)
            assert procs["templates"] == []
            assert procs["kernels"] and all(_ppid(p) == procs["voila"] for p in procs["kernels"])
            assert client.kernel_id in procs["kernels"].values()
        from workshop.domain import workshops
        assert workshops.status(srv.store, code).participants == 1
        assert "kernels are started the ordinary way" not in srv.log(400000), "asked for, so not said"
    finally:
        srv.stop()


# ---- the provisioner through jupyter_client itself ------------------------------------------

def run_async(make_coroutine):
    """``asyncio.run`` on a thread of its own: sync Playwright (other modules' browser fixtures)
    may hold a running loop on the main thread. The template it starts ends with that thread
    (PR_SET_PDEATHSIG), after the test's work is done."""
    import threading

    result: dict = {}

    def run():
        try:
            result["value"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=run, name="forked-kernels-test")
    thread.start()
    thread.join(300)
    if "error" in result:
        raise result["error"]
    return result["value"]


@pytest.fixture
def forked_kernels(monkeypatch, tmp_path):
    """AsyncKernelManagers on the workshop kernel spec, forked by a template of this test's own."""
    from jupyter_client import AsyncKernelManager

    from workshop.server.kernelspec import WorkshopKernelSpecManager

    monkeypatch.setenv(forking.FORK_ENV, "1")
    monkeypatch.setattr(forking, "_template", None)
    ksm = WorkshopKernelSpecManager()
    managers = []

    def make():
        km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=ksm, transport="ipc",
                                connection_file=str(tmp_path / f"kernel-{len(managers)}.json"))
        managers.append(km)
        return km

    yield make

    async def shut_down():
        for km in managers:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
    run_async(shut_down)
    if forking._template is not None:
        forking._template.stop()


async def _run(km, code: str, timeout: float = 30) -> str:
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        out: list[str] = []
        await kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: out.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        return "".join(out).strip()
    finally:
        kc.stop_channels()


PROBE = ("import secrets, random, uuid, os, numpy, sys; "
         "print(secrets.token_hex(16), random.random(), uuid.uuid4(), numpy.random.random(), os.getppid(), "
         "len(sys.modules['workshop.store.engine']._stores), sys.modules['workshop.domain.throttle']._PROCESS)")


def test_forked_kernels_never_share_random_state_or_engines(forked_kernels):
    async def go():
        kms = [forked_kernels() for _ in range(2)]
        for km in kms:
            await km.start_kernel()
        assert all(isinstance(km.provisioner, forking.ForkingProvisioner) for km in kms)
        assert all(isinstance(km.provisioner.process, forking.ForkedKernel) for km in kms)
        return [await _run(km, PROBE) for km in kms]

    one, two = (line.split() for line in run_async(go))
    template = forking._template.proc.pid
    # secrets, random, uuid and NumPy's generator: nothing repeats between two kernels.
    assert all(a != b for a, b in zip(one[:4], two[:4])), (one, two)
    assert one[4] == two[4] == str(template)
    assert one[5] == two[5] == "0", "no database engine came with the fork"
    assert one[6] != two[6], "the id the throttle draws once per process is drawn again in each kernel"


def test_interrupt_restart_and_shutdown_of_a_forked_kernel(forked_kernels):
    async def go():
        km = forked_kernels()
        await km.start_kernel()
        first = km.provisioner.pid
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=30)
        msg_id = kc.execute("import time; time.sleep(60)")
        await kc.get_iopub_msg(timeout=10)  # busy
        await asyncio.sleep(0.5)
        started = time.monotonic()
        await km.interrupt_kernel()
        while True:
            reply = await kc.get_shell_msg(timeout=10)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        interrupted = (reply["content"]["status"], reply["content"].get("ename"), time.monotonic() - started)
        kc.stop_channels()
        await km.restart_kernel(now=False)
        second = km.provisioner.pid
        after_restart = await _run(km, "print(6 * 7)")
        alive = await km.is_alive()
        await km.shutdown_kernel(now=False)
        return first, second, interrupted, after_restart, alive, await km.is_alive()

    first, second, interrupted, after_restart, alive, alive_after = run_async(go)
    assert interrupted[:2] == ("error", "KeyboardInterrupt") and interrupted[2] < 5
    assert second != first and not _alive(first)
    assert after_restart == "42" and alive
    assert not alive_after and not _alive(second)


def test_kernels_start_the_ordinary_way_where_fork_is_not_possible(forked_kernels, monkeypatch, capsys):
    monkeypatch.setattr(forking, "forking_possible", lambda: "kernels are forked on Linux only, not on testos")
    monkeypatch.setattr(forking, "_said", set())

    async def go():
        kms = [forked_kernels() for _ in range(2)]
        for km in kms:
            await km.start_kernel()
        out = [await _run(km, "print(40 + 2)") for km in kms]
        return kms, out

    kms, out = run_async(go)
    assert out == ["42", "42"]
    assert all(not isinstance(km.provisioner.process, forking.ForkedKernel) for km in kms)
    assert forking._template is None, "no template was started"
    said = capsys.readouterr().err
    assert said.count("kernels are started the ordinary way") == 1 and "testos" in said


def test_the_kernel_spec_names_the_forking_provisioner_unless_told_not_to(monkeypatch):
    from workshop.server.kernelspec import workshop_kernel_spec

    def provisioner():
        return workshop_kernel_spec().metadata.get("kernel_provisioner", {}).get("provisioner_name")

    monkeypatch.delenv(forking.FORK_ENV, raising=False)
    assert forking.fork_wanted() and provisioner() == forking.PROVISIONER_NAME, "forked by default"
    monkeypatch.setenv(forking.FORK_ENV, "1")
    assert provisioner() == forking.PROVISIONER_NAME
    for off in ("0", "off", "false", "no"):
        monkeypatch.setenv(forking.FORK_ENV, off)
        assert provisioner() is None


def test_a_template_that_cannot_start_is_tried_three_times_then_kernels_start_the_ordinary_way(
        forked_kernels, monkeypatch, capsys):
    import subprocess

    def broken_spawn(self):  # a template that dies at start (an import error, say)
        self.proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
        self.starts += 1
        self.spawned_at = time.monotonic()

    monkeypatch.setattr(forking.TemplateProcess, "spawn", broken_spawn)
    monkeypatch.setattr(forking, "_said", set())

    async def go():
        kms = [forked_kernels() for _ in range(4)]
        for km in kms:
            await km.start_kernel()
        return kms, [await _run(km, "print(40 + 2)") for km in kms]

    kms, out = run_async(go)
    assert out == ["42"] * 4
    assert all(not isinstance(km.provisioner.process, forking.ForkedKernel) for km in kms)
    assert forking._template.starts == forking.START_ATTEMPTS
    said = capsys.readouterr().err
    assert said.count("kernels are started the ordinary way") == 2  # "ended at start", then "failed 3 times"
    assert "ended at start with 3" in said


def test_a_kernel_whose_pidfd_is_past_1023_is_still_watched():
    """A busy server holds a socket per page and kernel, so its pidfds pass select()'s limit
    of 1023 (seen after about 40 pages: "filedescriptor out of range in select()")."""
    import resource
    import subprocess

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows only {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)

    class Reaped:  # the template's answer for a child the test reaps itself
        def exit_code(self, pid):
            return child.wait()

    try:
        kernel = forking.ForkedKernel(child.pid, os.pidfd_open(child.pid), Reaped())
        assert kernel.pidfd > 1023
        assert kernel.poll() is None
        child.stdin.close()
        assert kernel.wait(timeout=30) == 0
    finally:
        for fd in filler:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        child.kill()
