"""`workshop serve` and `workshop demo`: the Voila configuration and patches, the printed links,
the browser, pages over HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, free_port, workshop_command
from tests.widget_client import WidgetClient
from workshop import cli
from workshop.core import links
from workshop.domain import workshops
from workshop.server import forking, serve, voila_config, voila_patches
from workshop.server.kernelspec import WorkshopKernelSpecManager


def config_for(argv: list[str], notebooks: Path = serve.NOTEBOOKS):
    """The Voila configuration `workshop ARGV` would write, as Voila reads it back from voila.json."""
    args = cli.build_parser().parse_args(argv)
    return voila_config.voila_config(args, notebooks)


@pytest.fixture(autouse=True)
def _default_preheat(monkeypatch):
    monkeypatch.delenv(voila_config.FACILITATOR_PREHEAT_ENV, raising=False)
    monkeypatch.delenv(links.PUBLIC_URL_ENV, raising=False)


def test_participant_kernels_are_preheated_for_the_whole_room():
    c = config_for(["serve", "--participants", "30", "--port", "12345"])
    pools = c.VoilaKernelManager.kernel_pools_config
    assert c.VoilaConfiguration.preheat_kernel is True
    # Everyone in a room of 30 can click the link at once and find a warm kernel.
    assert pools["participant.ipynb"]["pool_size"] >= 30
    assert pools["participant.ipynb"]["spare"] == serve.spare_kernels(30)
    # Kernels are only started for the notebooks people open.
    assert pools["default"]["pool_size"] == 0
    assert c.Voila.port == 12345


def test_the_visitors_address_reaches_kernels_only_behind_a_proxy():
    """Without a proxy that sets X-Real-IP, anyone could send it with any address: not trusted."""
    assert "X-Real-IP" not in config_for(["serve"]).VoilaConfiguration.get("http_header_envs", [])
    assert config_for(["serve", "--behind-proxy"]).VoilaConfiguration.http_header_envs == ["X-Real-IP"]
    # The guide's proxy file sets the header, and its serve command trusts it.
    guide = (ROOT / "facilitator_guide.md").read_text(encoding="utf-8")
    assert "proxy_set_header X-Real-IP $remote_addr;" in guide and "--behind-proxy" in guide


def test_pools_warm_one_kernel_per_stage_and_two_per_follow_up_page(tmp_path, monkeypatch):
    """Kernels started the ordinary way take seconds each: every facilitator page keeps one warm."""
    for name in ("00-facilitator.ipynb", "05-voting.ipynb", "participant.ipynb", "survey.ipynb",
                 "results.ipynb", "notes-00.ipynb", "room.ipynb"):
        (tmp_path / name).write_text("{}")
    pools = voila_config.kernel_pools(12, tmp_path, forked=False)
    assert pools == {
        "default": {"pool_size": 0},
        "participant.ipynb": {"pool_size": serve.participant_pool_size(12), "spare": serve.spare_kernels(12)},
        "room.ipynb": {"pool_size": 1},
        "00-facilitator.ipynb": {"pool_size": 1},
        "05-voting.ipynb": {"pool_size": 1},
        "survey.ipynb": {"pool_size": 2},  # stakeholder and exemplar are not in this folder
    }
    monkeypatch.setenv(voila_config.FACILITATOR_PREHEAT_ENV, "0")  # a small machine
    small = voila_config.kernel_pools(12, tmp_path, forked=False)
    assert small["05-voting.ipynb"] == small["00-facilitator.ipynb"] == small["room.ipynb"] == {"pool_size": 0}
    # The shipped notebooks: every stage and follow-up page is in the pools.
    shipped = voila_config.kernel_pools(3, serve.NOTEBOOKS, forked=False)
    assert {"00-facilitator.ipynb", "12-survey.ipynb", "stakeholder.ipynb", "exemplar.ipynb"} <= set(shipped)


def test_forked_pools_warm_only_the_console_and_the_room_screen_and_one_per_follow_up_page(tmp_path, monkeypatch):
    """A forked kernel starts in about a second: the stage notebooks (rehearsal, reading) keep none,
    the pages the facilitator runs the call from keep theirs, a follow-up page keeps one."""
    for name in ("00-facilitator.ipynb", "05-voting.ipynb", "participant.ipynb", "survey.ipynb",
                 "results.ipynb", "room.ipynb"):
        (tmp_path / name).write_text("{}")
    pools = voila_config.kernel_pools(12, tmp_path, forked=True)
    assert pools == {
        "default": {"pool_size": 0},
        "participant.ipynb": {"pool_size": serve.participant_pool_size(12), "spare": serve.spare_kernels(12)},
        "room.ipynb": {"pool_size": 1},
        "00-facilitator.ipynb": {"pool_size": 1},
        "05-voting.ipynb": {"pool_size": 0},
        "survey.ipynb": {"pool_size": 1},
    }
    monkeypatch.setenv(voila_config.FACILITATOR_PREHEAT_ENV, "0")  # a small machine: none at all
    small = voila_config.kernel_pools(12, tmp_path, forked=True)
    assert small["00-facilitator.ipynb"] == small["room.ipynb"] == {"pool_size": 0}
    # Every shipped stage notebook but the console is still served, from no warm kernel.
    monkeypatch.delenv(voila_config.FACILITATOR_PREHEAT_ENV)
    shipped = voila_config.kernel_pools(3, serve.NOTEBOOKS, forked=True)
    stage_pages = [s.notebook for s in voila_config.stages.STAGES if s.name != voila_config.stages.CONSOLE]
    assert stage_pages and all(shipped[name] == {"pool_size": 0} for name in stage_pages)
    assert shipped["00-facilitator.ipynb"] == shipped["room.ipynb"] == {"pool_size": 1}
    assert shipped["stakeholder.ipynb"] == shipped["exemplar.ipynb"] == {"pool_size": 1}
    # By default the pools follow how this machine starts kernels (WORKSHOP_FORK_KERNELS).
    monkeypatch.setenv(forking.FORK_ENV, "0")
    assert voila_config.kernel_pools(3, serve.NOTEBOOKS)["05-voting.ipynb"] == {"pool_size": 1}


def test_serve_says_which_facilitator_pages_are_preheated():
    forked = serve.preheat_line(voila_config.kernel_pools(3, serve.NOTEBOOKS, forked=True))
    others = len(voila_config.stages.STAGES) - 1  # every stage notebook but the console
    assert f"00-facilitator.ipynb, room.ipynb and 0 of {others} stage notebooks" in forked
    assert "start a kernel when opened" in forked and "1 kernel(s) for each follow-up page" in forked
    ordinary = serve.preheat_line(voila_config.kernel_pools(3, serve.NOTEBOOKS, forked=False))
    assert f"{others} of {others} stage notebooks;" in ordinary and "2 kernel(s)" in ordinary


def test_pool_grows_with_the_room_and_never_drops_below_a_spare():
    small = config_for(["serve", "--participants", "1"]).VoilaKernelManager.kernel_pools_config
    big = config_for(["serve", "--participants", "100"]).VoilaKernelManager.kernel_pools_config
    assert small["participant.ipynb"]["pool_size"] >= 2
    assert big["participant.ipynb"]["pool_size"] >= 100
    assert big["participant.ipynb"]["pool_size"] > small["participant.ipynb"]["pool_size"]


def test_visitors_never_see_tracebacks_and_idle_kernels_are_culled():
    c = config_for(["serve"])
    assert c.VoilaConfiguration.show_tracebacks is False
    assert c.MappingKernelManager.cull_idle_timeout > 0
    assert c.MappingKernelManager.cull_interval > 0
    # A participant who closed the tab without a goodbye still gets culled.
    assert c.MappingKernelManager.cull_connected is False


def test_kernels_use_unix_sockets_and_the_refill_waits_for_the_burst():
    c = config_for(["serve"])
    assert c.KernelManager.transport == "ipc"
    assert c.VoilaKernelManager.fill_delay == serve.REFILL_DELAY
    assert c.VoilaExecutor.iopub_timeout == serve.IOPUB_TIMEOUT
    # Voila never opens its own browser window; `workshop serve` decides (see below).
    assert c.Voila.open_browser is False


def test_ip_option_reaches_voila():
    assert config_for(["serve", "--ip", "0.0.0.0"]).Voila.ip == "0.0.0.0"


def test_voila_reads_the_written_configuration(tmp_path):
    """The voila.json `workshop serve` writes is what a Voila application ends up configured with."""
    import signal

    from voila.app import Voila

    args = cli.build_parser().parse_args(["serve", "--port", "8123", "--path-prefix", "/b/", "--participants", "7"])
    path = voila_config.write(voila_config.voila_config(args, serve.NOTEBOOKS), tmp_path)
    assert path == tmp_path / "voila.json"
    cmd = serve.voila_command(tmp_path)
    assert cmd[:3] == [sys.executable, "-m", "workshop.server.serve"]
    handler = signal.getsignal(signal.SIGTERM)
    app = Voila()
    try:
        app.initialize(cmd[3:])  # reads the file; starts nothing
    finally:
        signal.signal(signal.SIGTERM, handler)  # Voila installs its own
    assert app.port == 8123 and app.base_url == "/b/" and app.open_browser is False
    assert app.root_dir == str(serve.NOTEBOOKS)
    vc = app.voila_configuration
    assert vc.preheat_kernel is True and vc.show_tracebacks is False and vc.theme == "light"
    assert vc.kernel_spec_manager_class is WorkshopKernelSpecManager
    assert app.config.VoilaKernelManager.kernel_pools_config["participant.ipynb"]["pool_size"] == \
        serve.participant_pool_size(7)
    assert app.config.KernelManager.transport == "ipc"


def test_python3_means_the_workshop_kernel():
    """Voila starts "python3" for every notebook: that name is our kernel, without a JUPYTER_PATH trick."""
    ksm = WorkshopKernelSpecManager()
    spec = ksm.get_kernel_spec("python3")
    assert spec.argv[:3] == [sys.executable, "-m", "workshop.server.kernel"]
    assert "{connection_file}" in spec.argv
    assert ksm.get_all_specs()["python3"]["spec"]["argv"] == spec.argv
    assert json.loads((serve.NOTEBOOKS / "participant.ipynb").read_text())["metadata"]["kernelspec"]["name"] == "python3"


def test_an_unknown_voila_version_stops_with_one_clear_message(monkeypatch, capsys):
    assert voila_patches.check_voila_version("0.5.13") == "0.5.13"
    assert voila_patches.check_voila_version("0.5.0a1") == "0.5.0a1"
    for version in ("0.6.0", "0.50.1", "1.0.0"):
        with pytest.raises(voila_patches.UnsupportedVoila) as err:
            voila_patches.check_voila_version(version)
        assert version in str(err.value) and "voila>=0.5,<0.6" in str(err.value)
        assert "voila_patches.py" in str(err.value)

    import voila
    monkeypatch.setattr(voila, "__version__", "0.6.1")
    # The Voila process (`python -m workshop.server.serve`) refuses before patching anything.
    applied = []
    monkeypatch.setattr(voila_patches, "share_template_cache", lambda: applied.append(1))
    with pytest.raises(SystemExit) as stop:
        serve.main([str(serve.NOTEBOOKS)])
    assert stop.value.code == 1 and not applied
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Voila 0.6.1 is installed" in lines[0] and "voila>=0.5,<0.6" in lines[0]

    # `workshop serve` checks too, before printing links or starting anything: one line, exit 1.
    monkeypatch.setattr(serve, "installed_voila_version", lambda: "0.7.0")
    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda *a, **kw: started.append(a))
    assert cli.main(["--db", "sqlite:///:memory:", "serve"]) == 1
    out = capsys.readouterr()
    assert not started and "Serving" not in out.out
    assert out.err.strip().count("\n") == 0 and "Voila 0.7.0" in out.err


def test_the_server_imports_voila_without_building_the_iri_grammar_and_iris_are_still_checked():
    """Importing Voila built jsonschema's IRI grammar (rfc3987_syntax, a Lark parser): most of
    the server's start-up CPU before its first kernel. Deferred, an IRI is checked as before."""
    probe = (
        "import sys\n"
        "from workshop.server import voila_patches\n"
        "voila_patches.defer_iri_grammar()\n"
        "import voila.app\n"
        "built_at_import = 'lark' in sys.modules\n"
        "from jsonschema import Draft202012Validator as V\n"
        "v = V({'type': 'string', 'format': 'iri'}, format_checker=V.FORMAT_CHECKER)\n"
        "print(built_at_import, v.is_valid('https://example.org/ä'), v.is_valid('no iri'))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "False"]


def test_the_browser_opens_only_for_a_demo_with_a_display_and_without_no_browser():
    parse = cli.build_parser().parse_args
    demo, quiet = parse(["demo"]), parse(["demo", "--no-browser"])
    x11, bare = {"DISPLAY": ":0"}, {}
    assert serve.browser_wanted(demo, "CODE", x11, "linux")
    assert serve.browser_wanted(demo, "CODE", {"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not serve.browser_wanted(quiet, "CODE", x11, "linux")
    # A server without a screen: webbrowser would start a text browser in the terminal.
    assert not serve.browser_wanted(demo, "CODE", bare, "linux")
    assert serve.browser_wanted(demo, "CODE", bare, "darwin")
    # Plain `workshop serve` (tests, bench, proxies) knows no workshop: no page to open.
    assert not serve.browser_wanted(parse(["serve"]), None, x11, "linux")


def test_the_browser_opens_once_the_server_answers():
    import http.server
    import threading

    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    opened = []

    class Running:
        def poll(self):
            return None

    # Nobody listens yet: the page is not opened...
    thread = serve.open_browser_when_up("http://page/", f"http://127.0.0.1:{port}/voila/static/voila.js",
                                        Running(), timeout=30, opener=opened.append)
    time.sleep(1.2)
    assert not opened
    # ...until the server answers (a 404 is an answer).
    httpd = http.server.HTTPServer(("127.0.0.1", port), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        thread.join(15)
        assert opened == ["http://page/"]
    finally:
        httpd.shutdown()
        httpd.server_close()

    class Exited:
        def poll(self):
            return 1

    gone = serve.open_browser_when_up("http://page/", f"http://127.0.0.1:{free_port()}/", Exited(),
                                      opener=opened.append)
    gone.join(5)
    assert opened == ["http://page/"], "a server that stopped opens nothing"


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
        # The tab's title is plain text (the page sets document.title, never HTML), so it keeps
        # the title as written; everything rendered as markup has it escaped.
        semantics = [m for m in client.find(name="AnyModel") if "title" in m.state and "lang" in m.state]
        assert semantics and all(m.state["title"].endswith("– Served over <HTTP> & friends") for m in semantics)
        rendered = "\n".join(m.text() for m in client.models.values() if m not in semantics)
        assert "<HTTP>" not in rendered
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
    # The pools have filled (the harness's warm visit): no line per notebook about its signature.
    assert "is not trusted" not in log


def test_demo_prints_join_code_links_and_a_qr_code(tmp_path):
    port = free_port()
    env_home = tmp_path / "home"
    env_home.mkdir()
    out = subprocess.run(workshop_command() + ["--db", f"sqlite:///{tmp_path / 'demo.sqlite'}", "demo",
                                              "--seed-only", "--no-browser", "--port", str(port)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**_env(), "WORKSHOP_HOME": str(env_home)})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    code = re.search(r"Join code:\s+(\S+)", text).group(1)
    assert re.search(rf"Participant link: http://127\.0\.0\.1:{port}/voila/render/participant\.ipynb\?w=\w+", text)
    assert re.search(rf"Facilitator link: http://127\.0\.0\.1:{port}/voila/render/00-facilitator\.ipynb\?w=\w+&key=\S+", text)
    # The room screen's link, to share on the call, carries its own secret and no key.
    room_link = re.search(rf"Room screen link: (http://127\.0\.0\.1:{port}/voila/render/room\.ipynb\?s=\S+)", text)
    assert room_link and "key=" not in room_link.group(1)
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
    assert config_for(["serve", "--path-prefix", "a"]).Voila.base_url == "/a/"
    assert config_for(["serve", "--path-prefix", "/a/b/"]).Voila.base_url == "/a/b/"
    assert serve.public_url(args) == "http://127.0.0.1:8871/a/"
    # Behind a proxy the links name the proxy; the prefix is the proxy's business.
    args = cli.build_parser().parse_args(["serve", "--path-prefix", "/a/", "--public-url", "https://ws.example.org"])
    assert serve.public_url(args) == "https://ws.example.org/"
    assert serve.local_url(args) == "http://127.0.0.1:8866/a/"
    assert config_for(["serve"]).Voila.base_url == "/"


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
        # 6 participant kernels (one taken by the start-up check) + the follow-up pages' (one each
        # when kernels are forked, two each the ordinary way).
        pools = voila_config.kernel_pools(4, serve.NOTEBOOKS)
        follow_ups = sum(pools[s.visitor_notebook]["pool_size"] for s in voila_config.stages.STAGES
                         if s.visitor_notebook)
        wait_for(lambda: _kernel_count(srv) >= 5 + follow_ups, 120)
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


# ---- kernels are a budget; secrets stay out of addresses and logs ------------------------------

def test_theme_and_template_overrides_are_off_and_pages_say_no_referrer():
    c = config_for(["serve"])
    assert c.VoilaConfiguration.allow_theme_override == "NO"
    assert c.VoilaConfiguration.allow_template_override == "NO"
    assert c.Voila.tornado_settings["headers"]["Referrer-Policy"] == "no-referrer"


def test_only_the_registrys_notebooks_are_served():
    from workshop.core import stages

    served = config_for(["serve"]).WorkshopServer.notebooks
    assert stages.PARTICIPANT_NOTEBOOK in served
    assert all(s.notebook in served for s in stages.STAGES)
    assert all(s.visitor_notebook in served for s in stages.STAGES if s.visitor_notebook)
    assert "results.ipynb" not in served


def test_the_kernel_budget_follows_the_room_unless_given():
    c = config_for(["serve", "--participants", "30"])
    pools = c.VoilaKernelManager.kernel_pools_config
    pooled = sum(p["pool_size"] for name, p in pools.items() if name != "default")
    assert c.WorkshopServer.max_kernels == pooled + len(voila_config.stages.STAGES) + 30
    assert config_for(["serve", "--max-kernels", "7"]).WorkshopServer.max_kernels == 7
    assert config_for(["serve"]).WorkshopServer.unconnected_timeout < 60
