"""`workshop serve` and `workshop demo`: the Voila command line, the printed links, pages over HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest
import requests

from tests.servers import ROOT, free_port, workshop_command
from tests.widget_client import WidgetClient
from workshop import cli
from workshop.domain import workshops
from workshop.server import serve


def voila_options(argv: list[str]) -> dict[str, str]:
    args = cli.build_parser().parse_args(argv)
    cmd = serve.voila_command(args)
    return {part.split("=", 1)[0]: part.split("=", 1)[1] for part in cmd if part.startswith("--") and "=" in part}


def test_participant_kernels_are_preheated_for_the_whole_room():
    opts = voila_options(["serve", "--participants", "30", "--port", "12345"])
    pools = json.loads(opts["--VoilaKernelManager.kernel_pools_config"])
    assert opts["--preheat_kernel"] == "True"
    # Everyone in a room of 30 can click the link at once and find a warm kernel.
    assert pools["participant.ipynb"]["pool_size"] >= 30
    # Kernels are only started for the notebooks people open.
    assert pools["default"]["pool_size"] == 0
    assert opts["--port"] == "12345"


def test_pool_grows_with_the_room_and_never_drops_below_a_spare():
    small = json.loads(voila_options(["serve", "--participants", "1"])["--VoilaKernelManager.kernel_pools_config"])
    big = json.loads(voila_options(["serve", "--participants", "100"])["--VoilaKernelManager.kernel_pools_config"])
    assert small["participant.ipynb"]["pool_size"] >= 2
    assert big["participant.ipynb"]["pool_size"] >= 100
    assert big["participant.ipynb"]["pool_size"] > small["participant.ipynb"]["pool_size"]


def test_visitors_never_see_tracebacks_and_idle_kernels_are_culled():
    opts = voila_options(["serve"])
    assert opts["--VoilaConfiguration.show_tracebacks"] == "False"
    assert int(opts["--MappingKernelManager.cull_idle_timeout"]) > 0
    assert int(opts["--MappingKernelManager.cull_interval"]) > 0
    # A participant who closed the tab without a goodbye still gets culled.
    assert opts["--MappingKernelManager.cull_connected"] == "False"


def test_ip_option_reaches_voila():
    assert voila_options(["serve", "--ip", "0.0.0.0"])["--Voila.ip"] == "0.0.0.0"


def test_participant_notebook_waits_for_the_request_after_its_imports():
    """A preheated kernel must have imported the app before it blocks in wait_for_request."""
    source = (ROOT / "workshop" / "pages" / "participant.py").read_text()
    first_def = source.index("\ndef ")
    assert "import ipywidgets" in source[:first_def]
    assert "ParticipantApp" in source[:first_def]
    request = (ROOT / "workshop" / "pages" / "request.py").read_text()
    assert request.index("wait_for_request()") < request.index("QUERY_STRING")


def test_participant_page_answers_over_http_from_a_warm_kernel(server):
    code, _ = server.create("Served over <HTTP> & friends")
    started = time.monotonic()
    client = WidgetClient(server.participant_url(code)).open()
    elapsed = time.monotonic() - started
    try:
        assert f"Using pre-heated kernel: {client.kernel_id} for participant.ipynb" in server.log(200000)
        # Widgets render in the browser from the kernel's state: the title is there, escaped.
        titles = [m.state["value"] for m in client.find(name="HTMLModel") if "ws-title" in m.state.get("value", "")]
        assert any("Served over &lt;HTTP&gt; &amp; friends" in t for t in titles), titles
        assert "<HTTP>" not in client.all_text()
        assert client.find(cls="ws-join-button"), "the join form is shown"
        assert not client.errors, client.errors
    finally:
        client.close()
    # Joining costs a render, not a kernel start (generous: the machine is shared).
    assert elapsed < 15, f"participant page took {elapsed:.1f}s"


@pytest.mark.postgres
def test_participant_page_answers_on_postgresql(pg_server):
    code, _ = pg_server.create("On PostgreSQL")
    with WidgetClient(pg_server.participant_url(code)) as client:
        assert "On PostgreSQL" in client.all_text()
        client.join("Pat")
    # The join went through the served kernel into PostgreSQL.
    assert workshops.status(pg_server.store, code).participants == 1
    assert "database: postgresql" in pg_server.log(200000)


def test_unknown_code_shows_a_plain_message_and_no_error(server):
    with WidgetClient(server.participant_url("NOSUCHCODE")) as client:
        assert "This link does not open a workshop." in client.all_text()
        html = client.html
    assert "Traceback" not in html and "There was an error" not in html


def test_a_crashing_cell_shows_no_traceback(server):
    """A facilitator page for a workshop that does not exist fails; the visitor sees no internals."""
    resp = requests.get(server.facilitator_url("NOSUCHCODE", "wrong-key"), timeout=60)
    text = resp.text
    assert "Traceback" not in text
    assert ".py\"" not in text and "site-packages" not in text
    assert "sqlalchemy" not in text.lower()


def test_serve_prints_where_it_listens_and_the_start_page(server):
    log = server.log(200000)
    assert f"Serving the workshop apps at {server.base_url}" in log
    assert f"{server.base_url}voila/render/00-facilitator.ipynb" in log


def test_demo_prints_join_code_links_and_a_qr_code(tmp_path):
    port = free_port()
    env_home = tmp_path / "home"
    env_home.mkdir()
    out = subprocess.run(workshop_command() + ["--db", f"sqlite:///{tmp_path / 'demo.sqlite'}", "demo",
                                              "--seed-only", "--port", str(port)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**_env(), "WORKSHOP_HOME": str(env_home)})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    code = re.search(r"Join code:\s+(\S+)", text).group(1)
    assert re.search(rf"Participant link: http://127\.0\.0\.1:{port}/voila/render/participant\.ipynb\?w=\w+", text)
    assert re.search(rf"Facilitator link: http://127\.0\.0\.1:{port}/voila/render/00-facilitator\.ipynb\?w=\w+&key=\S+", text)
    assert code
    # The terminal QR code is drawn with block characters, many lines of them.
    qr_lines = [line for line in text.splitlines() if "█" in line or "▀" in line or "▄" in line]
    assert len(qr_lines) >= 10


def _env():
    import os
    env = dict(os.environ)
    env.pop("WORKSHOP_DB_URL", None)
    return env


def test_path_prefix_puts_every_route_and_link_under_it():
    args = cli.build_parser().parse_args(["serve", "--path-prefix", "a", "--port", "8871"])
    opts = voila_options(["serve", "--path-prefix", "a"])
    assert opts["--Voila.base_url"] == "/a/"
    assert serve.public_url(args) == "http://127.0.0.1:8871/a/"
    # Behind a proxy the links name the proxy; the prefix is the proxy's business.
    args = cli.build_parser().parse_args(["serve", "--path-prefix", "/a/", "--public-url", "https://ws.example.org"])
    assert serve.public_url(args) == "https://ws.example.org/"
    assert voila_options(["serve"])["--Voila.base_url"] == "/"


def _kernel_count(srv) -> int:
    import psutil
    return sum(1 for p in psutil.Process(srv.proc.pid).children(recursive=True)
               if "workshop.server.kernel" in " ".join(p.cmdline()))


@pytest.mark.slow
def test_once_the_room_has_joined_only_a_few_spare_kernels_are_started(tmp_path):
    """A room of four joins: the server keeps two spares warm, not a second room's worth."""
    from tests.servers import start_server
    from tests.widget_client import WidgetClient

    srv = start_server(f"sqlite:///{tmp_path / 'w.sqlite'}", tmp_path, participants=4,
                       env={"WORKSHOP_FACILITATOR_PREHEAT": "0"})
    clients = []
    try:
        code, _ = srv.create("Spares")
        # 6 participant kernels (one taken by the start-up check) + 6 for the follow-up pages.
        wait_for(lambda: _kernel_count(srv) >= 11, 120)
        before = _kernel_count(srv)
        for _ in range(3):  # with the start-up check's, four kernels taken: two spares left
            clients.append(WidgetClient(srv.participant_url(code)).open())
        time.sleep(serve.REFILL_DELAY + 6)
        assert _kernel_count(srv) == before, "no refills while two spare kernels are left"
        clients.append(WidgetClient(srv.participant_url(code)).open())  # one more person: one spare left
        wait_for(lambda: _kernel_count(srv) == before + 1, serve.REFILL_DELAY + 30)
        time.sleep(4)
        assert _kernel_count(srv) == before + 1, "topped up to two spares, no more"
    finally:
        for c in clients:
            c.close()
        srv.stop()


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
