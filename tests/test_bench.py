"""`workshop bench --quick` runs end to end and reports every figure, without errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import require_pg

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.postgres]


@pytest.mark.timeout(1500)
def test_quick_bench_reports_every_figure_without_errors(tmp_path):
    require_pg()
    out = tmp_path / "bench"
    proc = subprocess.run([sys.executable, "-m", "workshop.cli", "bench", "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=1400, env=dict(os.environ))
    assert (out / "bench.json").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads((out / "bench.json").read_text())
    assert result["errors"] == [], result["errors"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    cfg = result["meta"]["config"]

    for name, levels in (("workshop", cfg["levels"]), ("voila", cfg["plain_levels"])):
        for n in levels:
            fig = result["join"][name][str(n)]
            assert fig["n"] == n and fig["errors"] == 0
            for phase in ("http_s", "ws_s", "ready_s"):
                assert fig[phase]["p50"] > 0 and fig[phase]["p95"] >= fig[phase]["p50"]
        assert result["join_browser"][name]["ready_s"] > 0

    for n in cfg["live_levels"]:
        live = result["live"]["workshop"][str(n)]
        assert live["samples"] == cfg["live_samples"] and live["p95"] >= live["p50"] >= 0
        assert live["participants_active"] == n
        assert result["join"]["workshop"][str(n)]["press_join_s"]["n"] == n
        mem = result["memory"]["workshop"][str(n)]
        assert mem["kernels_measured"] == n
        assert mem["kernel_rss_mb"]["mean"] > 10 and mem["server"]["rss_mb"] > 10

    for db in ("sqlite", "postgresql"):
        fig = result["throughput"][db]
        assert fig["votes_ok"] == cfg["writers"] * cfg["votes_each"]
        assert fig["lost"] == 0 and fig["errors"] == 0 and fig["votes_per_s"] > 0

    table = (out / "bench.md").read_text()
    assert "| join, 3 at once" in table and "store: 4 writers on postgresql" in table
