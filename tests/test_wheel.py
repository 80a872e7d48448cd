"""The package installs and runs anywhere: built as a wheel, installed into a fresh venv, used from outside the checkout.

The checkout's working tree is copied (without its compiled ``.mo`` files, its
venv and its caches) and ``python -m build`` makes the sdist and then the
wheel *from that sdist*, so the sdist is proved to hold what the wheel needs.
The wheel goes into a new virtual environment outside the checkout, with its
dependencies from the package index (pinned to the versions of the
development venv, so the two differ only in where ``workshop`` comes from).
Every command then runs with its working directory in a temporary folder,
and the test asserts the code, data, notebooks and translations it used are
the venv's, never /work/main's.

Skips only when a wheel cannot be built at all (``build`` missing, or no index
to fetch the build requirements from); with CI=true those fail instead.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests import browser as B
from tests.servers import Server, _alive, _die_with_test_run, descendants, free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "workshop"

#: Not copied into the build folder: the venv, caches, local data, and the .mo files
#: (the build must compile them from the .po files, as on a fresh clone).
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "var", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", "*.mo",
    ".pytest_cache", ".hypothesis", ".ruff_cache", ".ipynb_checkpoints", "artifacts", "exports",
    "bench-results", "screenshots", "node_modules",
)

#: Build errors that mean "no index to fetch the build requirements from", not a broken package.
NO_INDEX = re.compile(r"_bootstrap_build_env|build-requirements|Could not find a version that satisfies|"
                      r"No matching distribution found|Failed to establish a new connection")

#: Environment variables that would let the checkout or the dev venv leak into the new venv.
LEAKY_ENV = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "WORKSHOP_DB_URL", "WORKSHOP_PUBLIC_URL",
             "WORKSHOP_TEST_HOME", "JUPYTER_PATH", "QUERY_STRING", "PYTHONSTARTUP")

BUILD_TIMEOUT = 600
INSTALL_TIMEOUT = 900
CLI_TIMEOUT = 180
#: Generous: this is about packaging, not speed, and the shared machine may be running other suites.
START_TIMEOUT = 300.0
PAGE_MS = 240_000

TIMINGS: dict[str, float] = {}


def impossible(reason: str):
    """Building cannot happen on this machine: skip, except on CI."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI=true)")
    pytest.skip(reason)


def run(cmd: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], check=False, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kwargs)


def explain(proc: subprocess.CompletedProcess) -> str:
    return f"$ {' '.join(proc.args)}\nexit {proc.returncode}\n--- stdout\n{proc.stdout[-6000:]}\n--- stderr\n{proc.stderr[-6000:]}"


# ---- build ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """sdist and wheel of the working tree: {"sdist": ..., "wheel": ...}."""
    try:
        import build  # noqa: F401 - only to know `python -m build` will run
    except ImportError as exc:
        impossible(f"`build` is not installed in {sys.prefix} ({exc}); pip install 'build>=1.2,<2'")
    base = tmp_path_factory.mktemp("wheel-build")
    src, out = base / "src", base / "dist"
    # symlinks=True: workshop/notebooks stays the link to notebooks/ it is in a checkout.
    shutil.copytree(ROOT, src, symlinks=True, ignore=COPY_IGNORE)
    assert (src / "workshop" / "notebooks").is_symlink() == (PACKAGE / "notebooks").is_symlink()
    started = time.monotonic()
    proc = run([sys.executable, "-m", "build", "--outdir", out, src], BUILD_TIMEOUT, cwd=base)
    TIMINGS["build sdist + wheel"] = time.monotonic() - started
    if proc.returncode != 0:
        if NO_INDEX.search(proc.stdout + proc.stderr):
            impossible("the build requirements cannot be installed (no package index?):\n" + explain(proc))
        pytest.fail("python -m build failed:\n" + explain(proc))
    wheels, sdists = sorted(out.glob("workshop-*.whl")), sorted(out.glob("workshop-*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    shutil.rmtree(src, ignore_errors=True)
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_the_wheel_ships_the_data_notebooks_and_compiled_translations(dist):
    with zipfile.ZipFile(dist["wheel"]) as z:
        infos = {i.filename: i for i in z.infolist()}
        names = set(infos)
        notebooks = sorted(n for n in names if n.startswith("workshop/notebooks/") and n.endswith(".ipynb"))
        expected = sorted(f"workshop/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb"))
        assert notebooks == expected
        for name in notebooks:  # real files, not links: a zip entry with the notebook's JSON inside
            assert (infos[name].external_attr >> 16) & 0o170000 != 0o120000, f"{name} is a symlink in the wheel"
            assert "nbformat" in json.loads(z.read(name)), name

        pos = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.glob("locale/*/LC_MESSAGES/*.po"))
        assert pos, "no .po files in the checkout"
        for po in pos:
            assert po in names
            mo = po[:-3] + ".mo"
            assert mo in names, f"{mo} was not compiled into the wheel"
            assert z.read(mo)[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde"), f"{mo} is not a gettext catalogue"

        for folder in ("data", "demo"):
            for path in (PACKAGE / folder).glob("*.json"):
                assert f"workshop/{folder}/{path.name}" in names
        static = PACKAGE / "widgets" / "static"
        if static.is_dir():
            for path in static.iterdir():
                if path.is_file():
                    assert f"workshop/widgets/static/{path.name}" in names
        assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "notebooks/"))]
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "workshop = workshop.cli:main" in z.read(entry_points).decode()

    import tarfile

    with tarfile.open(dist["sdist"]) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    for needed in ("setup.py", "MANIFEST.in", "pyproject.toml", *pos,
                   *(f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")),
                   *(str(p.relative_to(ROOT)) for p in PACKAGE.glob("data/*.json"))):
        assert needed in members, f"{needed} is missing from the sdist"
    assert not [m for m in members if m.endswith(".mo")], "compiled catalogues belong in the wheel, not the sdist"


# ---- a fresh venv outside the checkout ---------------------------------------------------------------
def dev_constraints(path: Path) -> Path:
    """The dev venv's versions as pip constraints (plain name==version lines, no workshop)."""
    pins = set()
    for d in importlib.metadata.distributions():
        name = d.metadata["Name"]
        if name and re.sub(r"[-_.]+", "-", name).lower() != "workshop":
            pins.add(f"{name}=={d.version}")
    path.write_text("\n".join(sorted(pins)) + "\n")
    return path


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory):
    """The wheel installed into a new venv: {"dir", "python", "workshop", "site", "env", "cwd", "home"}."""
    base = tmp_path_factory.mktemp("wheel-venv")
    target = base / "venv"
    assert not target.resolve().is_relative_to(ROOT)
    started = time.monotonic()
    # No pip inside (ensurepip costs seconds): the dev venv's pip installs into it with --python.
    proc = run([sys.executable, "-m", "venv", "--without-pip", target], 120)
    assert proc.returncode == 0, explain(proc)
    proc = run([sys.executable, "-m", "pip", "--python", target / "bin" / "python", "install",
                "--no-compile", "--no-input", "--progress-bar", "off",
                "-c", dev_constraints(base / "constraints.txt"), dist["wheel"]], INSTALL_TIMEOUT, cwd=base)
    TIMINGS["venv + pip install wheel"] = time.monotonic() - started
    assert proc.returncode == 0, "installing the wheel and its dependencies failed:\n" + explain(proc)

    python = target / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], 60).stdout.strip())
    assert site.is_relative_to(target), site
    home, cwd = base / "home", base / "elsewhere"
    home.mkdir()
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_ENV}
    env.update(PATH=f"{target / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", VIRTUAL_ENV=str(target),
               WORKSHOP_HOME=str(home), PYTHONNOUSERSITE="1", PYTHONUNBUFFERED="1")
    yield {"dir": target, "python": python, "workshop": target / "bin" / "workshop", "site": site,
           "env": env, "cwd": cwd, "home": home}
    shutil.rmtree(target, ignore_errors=True)  # ~430 MB; the home (database, exports, logs) stays


def in_venv(venv: dict, *args: str, timeout: float = CLI_TIMEOUT, env: dict | None = None) -> str:
    proc = run(list(args), timeout, cwd=venv["cwd"], env={**venv["env"], **(env or {})})
    assert proc.returncode == 0, explain(proc)
    return proc.stdout


PROBE = r"""
import json, sys
import workshop
from workshop import i18n, resources
from workshop.assist import lexicon
from workshop.core import settings
print(json.dumps({
    "workshop": workshop.__file__,
    "sys_path": sys.path,
    "modules": sorted({m.__file__ for m in list(sys.modules.values())
                       if getattr(m, "__file__", None) and m.__name__.split(".")[0] == "workshop"}),
    "notebooks": str(resources.notebooks_dir()),
    "participant": resources.notebooks_dir().joinpath("participant.ipynb").is_file(),
    "lexicon_file": str(lexicon.VALUES_FILE),
    "metrics_file": str(lexicon.METRICS_FILE),
    "demo_file": str(resources.demo_file("demo_workshop.json")),
    "values": len(lexicon.values()),
    "metrics": len(lexicon.metrics()),
    "locale": str(i18n.LOCALE_DIR),
    "join_de": i18n.Translator("de")("Join"),
    "home": str(settings.workshop_home()),
}))
"""


def test_the_installed_code_data_and_translations_come_from_the_venv(venv):
    site, target = venv["site"], venv["dir"]
    # The compiled catalogues are there before anything ran (i18n would compile missing ones
    # at first use): they came from the wheel. (pip extracts each .po after its .mo, so the .po
    # looks newer and workshop.i18n rewrites the .mo, identically, at its first use in a
    # writable venv; a read-only one keeps and reads the shipped file.)
    record = next(site.glob("workshop-*.dist-info")) / "RECORD"
    mos = [line.split(",")[0] for line in record.read_text().splitlines() if line.split(",")[0].endswith(".mo")]
    assert len(mos) == len(list(PACKAGE.glob("locale/*/LC_MESSAGES/*.po"))), mos
    for mo in mos:
        assert (site / mo).is_file()
    assert not list(site.glob("__editable__*")), "an editable finder would import the checkout"

    probe = json.loads(in_venv(venv, str(venv["python"]), "-c", PROBE))
    used = {key: probe[key] for key in ("workshop", "notebooks", "lexicon_file", "metrics_file", "demo_file", "locale")}
    used.update({f"module {path}": path for path in probe["modules"]})
    for what, path in used.items():
        path = Path(path).resolve()
        assert path.is_relative_to(site.resolve()), f"{what}: {path} is not in the venv's site-packages"
        assert not path.is_relative_to(ROOT), f"{what}: {path} is in the checkout"
    assert not [p for p in probe["sys_path"] if p and Path(p).resolve().is_relative_to(ROOT)], probe["sys_path"]
    assert probe["participant"]
    assert probe["values"] > 10 and probe["metrics"] > 5, probe
    assert probe["join_de"] == "Beitreten"
    assert probe["home"] == str(venv["home"])
    shebang = Path(venv["workshop"]).read_text().splitlines()[0]
    assert shebang.startswith(f"#!{target}/bin/python"), shebang


# ---- the command line and the server, as a facilitator on a fresh machine uses them -----------------
@pytest.fixture(scope="module")
def workshops_made(venv) -> dict:
    """`workshop demo --seed-only` and `workshop new "Acme" --json` in the venv, with a port for the server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {"WORKSHOP_PUBLIC_URL": base}  # the links printed point at the server started below
    started = time.monotonic()
    demo = in_venv(venv, str(venv["workshop"]), "demo", "--seed-only", env=env)
    found = re.search(r"Participant link: (\S+)", demo)
    assert found, demo
    demo_code = re.search(r"[?&]w=([A-Z0-9]+)", found.group(1)).group(1)
    demo_key = re.search(r"Facilitator link: \S+[?&]key=([\w-]+)", demo).group(1)
    acme = json.loads(in_venv(venv, str(venv["workshop"]), "new", "Acme", "--json", env=env))
    TIMINGS["demo --seed-only + new"] = time.monotonic() - started
    assert acme["db"] == f"sqlite:///{venv['home'] / 'workshop.sqlite'}"
    assert acme["participant_url"].startswith(base)
    return {"port": port, "base": base, "demo": (demo_code, demo_key), "acme": acme}


def read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_cli_seeds_creates_and_exports(venv, workshops_made):
    assert (venv["home"] / "workshop.sqlite").is_file()
    listing = in_venv(venv, str(venv["workshop"]), "list")
    assert "Acme" in listing and "brainstorm" in listing

    acme = workshops_made["acme"]
    out = venv["home"] / "export-acme"
    written = in_venv(venv, str(venv["workshop"]), "export", acme["code"], "--out", str(out)).split()
    assert written and all(Path(p).is_file() for p in written)
    assert "workshop.csv" in {p.name for p in out.glob("*.csv")}
    assert read_csv(out / "workshop.csv")[0]["title"] == "Acme"

    code, key = workshops_made["demo"]
    out = venv["home"] / "export-demo"
    in_venv(venv, str(venv["workshop"]), "export", code, "--out", str(out), "--key", key)
    cards = read_csv(out / "cards.csv")
    assert len(cards) >= 5, cards  # the demo workshop of workshop/demo/demo_workshop.json
    assert (out / "participants.csv").is_file()


@pytest.mark.browser
def test_workshop_serve_from_the_wheel_renders_the_apps_in_chromium(venv, workshops_made, visitors):
    port, acme = workshops_made["port"], workshops_made["acme"]
    home = venv["home"]
    log_path = home / f"serve-{port}.log"
    env = {**venv["env"], "WORKSHOP_FACILITATOR_PREHEAT": "0"}  # fewer kernels: this is about packaging
    started = time.monotonic()
    with open(log_path, "ab") as log:
        # preexec_fn as in tests/servers.py: the server dies with the test run.
        proc = subprocess.Popen(
            [str(venv["workshop"]), "serve", "--port", str(port), "--participants", "1"],
            cwd=venv["cwd"], env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_test_run)  # noqa: PLW1509
    srv = Server(db_url=acme["db"], port=port, participants=1, home=home, proc=proc, log_path=log_path)
    opened: list = []
    tree: list[int] = []

    def visitor(viewport, name):
        opened.append(visitors(viewport, name))
        return opened[-1]

    try:
        srv.wait_until_up(START_TIMEOUT)
        TIMINGS["serve until it answers"] = time.monotonic() - started
        srv.warm(START_TIMEOUT)  # a cold start imports the app in every pooled kernel at once
        TIMINGS["serve until a participant kernel rendered"] = time.monotonic() - started

        # The participant page, in the workshop's language (English) ...
        v = visitor(B.PHONE, "participant")
        B.open_app(v.page, acme["participant_url"], timeout_ms=PAGE_MS)
        v.page.locator(".ws-join-button", has_text="Join").wait_for(state="visible", timeout=PAGE_MS)
        # ... and in German from the link: the installed .mo catalogue is used.
        de = visitor(B.PHONE, "teilnehmer")
        B.open_app(de.page, acme["participant_url"] + "&lang=de", timeout_ms=PAGE_MS)
        de.page.locator(".ws-join-button", has_text="Beitreten").wait_for(state="visible", timeout=PAGE_MS)
        assert "Willkommen" in de.page.locator(".ws-app").first.inner_text()

        # The facilitator's console with the key: the workshop's title in the header.
        fac = visitor(B.LAPTOP, "facilitator")
        B.open_app(fac.page, acme["facilitator_url"], root=".ws-facilitator", timeout_ms=PAGE_MS)
        fac.page.locator(".ws-facilitator .ws-header .ws-title", has_text="Acme").first.wait_for(
            state="visible", timeout=PAGE_MS)
        TIMINGS["serve + three pages"] = time.monotonic() - started

        # Voila and every kernel run on the venv's interpreter.
        tree = descendants(proc.pid)
        pythons = [cmd for cmd in (_cmdline(p) for p in [proc.pid, *tree]) if cmd and "python" in Path(cmd[0]).name]
        assert len(pythons) >= 3, pythons  # workshop serve, voila, at least the kernels just used
        for cmd in pythons:
            assert cmd[0].startswith(str(venv["dir"])), cmd
    except BaseException:
        for v in opened:
            try:
                print("screenshot:", B.screenshot(v.page, f"wheel-{v.name}"))
            except Exception as exc:  # noqa: BLE001 - the failure itself matters more
                print(f"no screenshot of {v.name}: {exc}")
        print(srv.log())
        raise
    finally:
        tree = sorted(set(tree) | set(descendants(proc.pid)))
        srv.stop()
        for name, seconds in TIMINGS.items():
            print(f"{name}: {seconds:.1f} s")

    assert proc.poll() is not None
    left = [p for p in tree if _alive(p)]
    assert not left, f"still running after stop: {[_cmdline(p) for p in left]}"
    strays = [p for p in _all_pids() if _alive(p) and any(str(venv["dir"]) in a for a in _cmdline(p))]
    assert not strays, f"processes of the venv still running: {[_cmdline(p) for p in strays]}"


def _cmdline(pid: int) -> list[str]:
    try:
        return [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    except OSError:
        return []


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
