"""What the template does so that its kernels share more memory (workshop.server.template):
the data every kernel reads is loaded before the fork, and where the machine runs Linux's
same-page merging (KSM) the template and every kernel it forks let it merge their identical pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from workshop.server import template


def test_identical_pages_are_merged_only_where_ksm_runs(tmp_path):
    off = tmp_path / "off"
    off.write_text("0\n")
    assert template.merge_identical_pages(str(off)) is False
    assert template.merge_identical_pages(str(tmp_path / "no-such-file")) is False


@pytest.mark.skipif(not Path("/proc/self/ksm_stat").exists(), reason="this Linux has no per-process KSM")
def test_a_kernel_forked_after_the_template_asked_for_merging_is_merged_too(tmp_path):
    on = tmp_path / "on"
    on.write_text("1\n")
    # In a Python of its own: the flag stays with the process that set it.
    probe = (
        "import os, sys\n"
        "from workshop.server import template\n"
        f"if not template.merge_identical_pages({str(on)!r}): print('refused'); sys.exit()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    print([l.split()[1] for l in open('/proc/self/ksm_stat') if l.startswith('ksm_merge_any')][0])\n"
        "    sys.stdout.flush(); os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                         check=True).stdout.strip()
    if out == "refused":
        pytest.skip("this process may not ask for merging (PR_SET_MEMORY_MERGE)")
    assert out == "yes"


def test_every_language_is_loaded_before_the_fork():
    from workshop import i18n

    template.warm()
    cached = i18n.translations.cache_info().currsize
    assert cached >= len(i18n.LANGUAGES)

