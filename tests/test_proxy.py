"""The deployment in the facilitator guide, for real: nginx with the guide's own file in front
of two `workshop serve` on one PostgreSQL database, each under its path prefix.

Participants and the facilitator use one link each (the proxy's); whichever server a page
lands on, everything they do is seen by everybody else.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from benchmarks.servers import free_port, start_workshop_serve, wait_http, wait_quiet
from tests.servers import ROOT
from tests.widget_client import WidgetClient
from workshop.demo import seed as demo
from workshop.domain import voting
from workshop.store import open_store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def guide_nginx_config() -> str:
    """The ```nginx block of the facilitator guide, as a reader would copy it."""
    guide = (ROOT / "facilitator_guide.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", guide, flags=re.S)
    assert len(blocks) == 1, "the guide shows one nginx file"
    return blocks[0]


def nginx_conf(folder: Path, listen: int, a: int, b: int) -> Path:
    """The guide's file with this machine's addresses, inside a minimal nginx.conf."""
    site = guide_nginx_config()
    replaced = (site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
                .replace("http://10.0.0.11:8866", f"http://127.0.0.1:{a}")
                .replace("http://10.0.0.12:8866", f"http://127.0.0.1:{b}")
                .replace("/var/log/nginx/", f"{folder}/"))
    assert replaced.count("127.0.0.1") == 3, "the guide's addresses changed; update this test"
    assert replaced.count(f"{folder}/workshop.") == 2, "the guide's log files changed; update this test"
    (folder / "workshop.conf").write_text(replaced)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/workshop.conf;
}}
""")
    return conf


@pytest.fixture
def nginx_available():
    if not os.path.exists(NGINX):
        reason = "nginx is not installed (Debian's nginx-light; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true)")
        pytest.skip(reason)


def test_the_guides_nginx_file_puts_two_servers_behind_one_link(nginx_available, pg_url, tmp_path):
    store = open_store(pg_url)
    code, key = demo.seed(store, "voting")
    listen = free_port()
    public = f"http://127.0.0.1:{listen}/"
    env = dict(os.environ, WORKSHOP_HOME=str(tmp_path), WORKSHOP_DB_URL=pg_url,
               WORKSHOP_FACILITATOR_PREHEAT="0")
    a = start_workshop_serve(env, 3, tmp_path, pg_url, prefix="/a/", public_url=public)
    b = start_workshop_serve(env, 3, tmp_path, pg_url, prefix="/b/", public_url=public)
    proxy = None
    clients: list[WidgetClient] = []
    try:
        for s in (a, b):
            wait_http(s, 120)
            wait_quiet(s, min_kernels=3, timeout=300)
        conf = nginx_conf(tmp_path, listen, a.port, b.port)
        proxy = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                                 stderr=subprocess.PIPE)
        _wait_listening(public, proxy)

        # Everyone opens the same link; the proxy spreads the pages over both servers.
        landed = Counter()
        link = f"{public}voila/render/participant.ipynb?w={code}"
        for name in ("Ana", "Ben", "Cleo", "Dev", "Eve", "Finn"):
            client = WidgetClient(link).open()
            clients.append(client)
            landed[client.base.rsplit("/", 2)[-2]] += 1
            assert client.base.startswith(public), "the page stays behind the proxy"
            client.join(name)
            plus = [m for m in client.buttons() if (m.state.get("tooltip") or "").startswith("Add a dot to ") and not m.state.get("disabled")]
            assert plus, f"{name} sees no ballot"
            client.click(plus[0].model_id)
        assert set(landed) <= {"a", "b"} and sum(landed.values()) == 6

        # The facilitator's link, through the proxy too, sees every vote from both servers.
        with WidgetClient(f"{public}voila/render/05-voting.ipynb?w={code}&key={key}") as facilitator:
            facilitator.wait_until(
                lambda c: all(f"✓ {n}" in c.all_text() or f"… {n}" in c.all_text()
                              for n in ("Ana", "Ben", "Cleo", "Dev", "Eve", "Finn")),
                60, "every voter marked as having voted")
        progress = {p.name: p.used for p in voting.progress(store, code, key)}
        assert all(progress[n] == 1 for n in ("Ana", "Ben", "Cleo", "Dev", "Eve", "Finn")), progress
        print(f"pages per server behind the proxy: {dict(landed)}")

        # Page loads are limited per address: a script gets "429 Too Many Requests" after the burst
        # (pages that do not exist cost no kernel, and count all the same).
        statuses = Counter(requests.get(f"{public}voila/render/nope.ipynb?w={code}&key={key}",
                                        timeout=30).status_code for _ in range(80))
        assert statuses[429] > 0 and statuses[404] > 0, statuses
        # The proxy's logs never hold the key or a participant's token.
        logs = "".join((tmp_path / name).read_text() for name in ("workshop.access.log", "workshop.error.log")
                       if (tmp_path / name).exists())
        assert "/voila/render/" in logs, "the page loads are logged"
        assert key not in logs and "key=" not in logs and "?w=" not in logs
    finally:
        for client in clients:
            client.close()
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        a.stop()
        b.stop()
        store.dispose()


def _wait_listening(url: str, proxy: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.poll() is not None:
            raise AssertionError(f"nginx stopped: {proxy.stderr.read().decode()}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("nginx did not start listening")
