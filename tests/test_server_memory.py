"""What keeps the Voila process of `workshop serve` small (issue 16): memory freed after a room has
joined goes back to the system (workshop.server.memory), and every page and pool kernel shares one
Jinja environment (share_page_environment in workshop.server.voila_patches)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from workshop.server import memory

pytestmark = pytest.mark.skipif(memory._malloc_trim() is None, reason="not glibc: nothing is trimmed")


def test_memory_freed_after_a_burst_goes_back_to_the_system():
    # In a Python of its own: the thread stays with the process that started it.
    probe = textwrap.dedent("""
        import gc, sys, time
        from workshop.server import memory

        def rss_mb():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

        # A room's worth of short-lived strings, a few kept (as a server keeps some), then freed.
        burst, kept = [], []
        for i in range(300_000):
            burst.append("x" * 600 + str(i))
            if i % 50 == 0:
                kept.append("y" * 600 + str(i))
        del burst
        gc.collect()
        freed = rss_mb()
        memory.give_back_freed_memory(every=0.1)
        deadline = time.monotonic() + 30
        while rss_mb() > freed - 100 and time.monotonic() < deadline:
            time.sleep(0.1)
        print(round(freed), round(rss_mb()))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    freed, trimmed = (float(x) for x in out.stdout.split())
    assert trimmed < freed - 100, f"{freed} MB before the trim, {trimmed} MB after"


def test_pages_and_pool_kernels_share_one_template_environment():
    probe = textwrap.dedent("""
        from workshop.server import voila_patches
        voila_patches.share_template_cache()
        voila_patches.share_page_environment()
        from nbconvert.exporters import HTMLExporter
        from voila.exporter import VoilaExporter
        from voila.paths import collect_template_paths

        paths = collect_template_paths(["voila", "nbconvert"], "lab")
        one, other = (VoilaExporter(template_paths=paths, template_name="lab", base_url="/") for _ in "ab")
        elsewhere = VoilaExporter(template_paths=paths[1:], template_name="lab", base_url="/")
        print(one.environment is other.environment, one.template is other.template,
              elsewhere.environment is not one.environment,
              HTMLExporter().environment is not HTMLExporter().environment)
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.split() == ["True", "True", "True", "True"]
