"""The workshop's Voila template (workshop.voila_template): a page needs no host but the server.

A plain Voila serves a folder with a one-button notebook using the template, as `workshop serve`
does once it names the template (VoilaConfiguration.template) and its data folder (JUPYTER_PATH);
headless Chromium records every request a page makes, and the button's icon is drawn with the
Font Awesome font the server sent. Voila's error pages need no other host either.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import nbformat
import pytest
import requests

from tests.servers import START_TIMEOUT, free_port
from workshop import voila_template

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ICON_NOTEBOOK = 'import ipywidgets as w\nw.Button(description="Add card", icon="plus")'


@pytest.fixture(scope="module")
def voila_base(tmp_path_factory):
    """A Voila with the workshop template serving a folder with icon.ipynb: its address."""
    folder = tmp_path_factory.mktemp("voila-template")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ICON_NOTEBOOK)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "icon.ipynb")
    port = free_port()
    env = dict(os.environ, JUPYTER_PATH=voila_template.jupyter_path(os.environ.get("JUPYTER_PATH")))
    with open(folder / "voila.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(folder), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", f"--VoilaConfiguration.template={voila_template.NAME}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_until_up(url, proc, folder / "voila.log")
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def wait_until_up(url: str, proc: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if requests.get(url + "voila/static/voila.js", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("Voila did not start:\n" + log.read_text())
        time.sleep(0.2)  # asking again until the server answers, not waiting a fixed time


def hosts_asked(browser, url: str, drawn: str) -> set[str]:
    """Every host the page at ``url`` asks for anything, once ``drawn`` (a selector) is on it
    and its fonts are loaded (data: and blob: addresses are the page's own: no host)."""
    page = browser.new_page()
    try:
        hosts = set()

        def asked(request):
            parts = urlsplit(request.url)
            if parts.scheme not in ("data", "blob"):
                hosts.add(parts.netloc)
        page.on("request", asked)
        page.goto(url, wait_until="networkidle")
        page.locator(drawn).first.wait_for()
        page.evaluate("document.fonts.ready.then(() => true)")
        return hosts
    finally:
        page.close()


def test_the_page_asks_no_other_host(browser, voila_base):
    hosts = hosts_asked(browser, voila_base + "voila/render/icon.ipynb", ".jupyter-button i.fa-plus")
    assert hosts == {urlsplit(voila_base).netloc}


def test_the_icon_is_drawn_with_the_served_font(browser, voila_base):
    page = browser.new_page()
    try:
        fonts = []
        page.on("response", lambda r: fonts.append((r.url, r.status)) if "/webfonts/" in r.url else None)
        page.goto(voila_base + "voila/render/icon.ipynb", wait_until="networkidle")
        icon = page.locator(".jupyter-button i.fa-plus")
        icon.wait_for()
        # The icon's own face (solid, 900) is loaded: the glyph is drawn, not a blank box.
        page.wait_for_function("Array.from(document.fonts).some(f => f.family.includes('Font Awesome 5 Free')"
                               " && f.weight === '900' && f.status === 'loaded')")
        assert [status for url, status in fonts if "fa-solid-900" in url] == [200]
        family = icon.evaluate("i => getComputedStyle(i, '::before').fontFamily")
        assert "Font Awesome 5 Free" in family
    finally:
        page.close()


def test_an_error_page_asks_no_other_host(browser, voila_base):
    missing = voila_base + "voila/render/no-such-page.ipynb"
    assert requests.get(missing, timeout=30).status_code == 404
    assert hosts_asked(browser, missing, ".voila-error") == {urlsplit(voila_base).netloc}


def test_a_workshop_serve_page_asks_no_other_host(browser, server):
    code, _ = server.seed()
    hosts = hosts_asked(browser, server.participant_url(code), ".ws-app, .ws-join, .ws-stage")
    assert hosts == {urlsplit(server.base_url).netloc}
