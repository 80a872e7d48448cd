"""Benchmark in real headless Chromium: one participant's join, and how soon a stored vote shows on a live page."""

from __future__ import annotations

import asyncio
import random
import time

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: Records, in the page, each change of what it shows about the observed voter: [state, epoch ms].
#: On the facilitator's voting page that is the voter's chip ("none", "some", "done"); on the
#: participant's own page, the dots on the first ballot line.
OBSERVE = """(who) => {
  window.__seen = [];
  const read = () => {
    let v = null;
    if (who) {
      for (const el of document.querySelectorAll('.ws-voter')) {
        if (el.textContent.trim().endsWith(who)) {
          v = ['none', 'some', 'done'].find(k => el.classList.contains('ws-voter-' + k)) || null;
        }
      }
    } else {
      const el = document.querySelector('.ws-dots span');
      v = el ? el.getAttribute('data-dots') : null;
    }
    const last = window.__seen.length ? window.__seen[window.__seen.length - 1][0] : undefined;
    if (v !== last) window.__seen.push([v, performance.timeOrigin + performance.now()]);
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  read();
}"""


async def launch(pw):
    return await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


async def browser_join(browser, base: str, code: str, timeout: float) -> dict:
    """Seconds from navigation to an enabled Join button, in a fresh browser context (cold cache)."""
    ctx = await browser.new_context()
    page = await ctx.new_page()
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}voila/render/participant.ipynb?w={code}", wait_until="commit", timeout=timeout * 1000)
        await page.wait_for_selector(".ws-join-button button:not([disabled])", state="visible", timeout=timeout * 1000)
        return {"ready_s": time.perf_counter() - t0, "error": None}
    except Exception as exc:  # noqa: BLE001
        return {"ready_s": None, "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        await ctx.close()


async def live_latency(browser, page_url: str, observer_name: str | None, store, code: str,
                       observer_token: str, value_id: int, voters: list[str], value_ids: list[int],
                       samples: int, votes_per_s: float, timeout: float) -> dict:
    """Vote as the observer through the domain; time until the page at ``page_url`` in Chromium shows it.

    With ``observer_name`` the page is the facilitator's voting page (the observer's chip turns
    from "none" to "some" and back); without, the observer's own participant page (its dots).
    Meanwhile ``voters`` vote in the background at ``votes_per_s``, as a room does."""
    from workshop.core.errors import WorkshopError
    from workshop.domain import voting

    ctx = await browser.new_context()
    page = await ctx.new_page()
    loop = asyncio.get_event_loop()
    stop = asyncio.Event()
    background = {"votes": 0, "errors": 0, "refused": 0}

    async def room():
        # Each voter flips one dot on and off, so nobody runs out of budget.
        state: dict[tuple[str, int], int] = {}
        while not stop.is_set():
            token, vid = random.choice(voters), random.choice(value_ids)
            dots = 1 - state.get((token, vid), 0)
            try:
                await loop.run_in_executor(None, voting.set_dots, store, code, token, vid, dots)
                state[(token, vid)] = dots
                background["votes"] += 1
            except WorkshopError:  # a dot beyond the voter's budget: refused, as it should be
                background["refused"] += 1
            except Exception:  # noqa: BLE001
                background["errors"] += 1
            await asyncio.sleep(random.expovariate(votes_per_s))

    latencies, errors = [], []
    try:
        await page.goto(page_url, wait_until="commit", timeout=timeout * 4000)
        await page.wait_for_selector(".ws-voter" if observer_name else ".ws-dots span", timeout=timeout * 4000)
        await page.evaluate(OBSERVE, observer_name)
        runner = asyncio.ensure_future(room()) if voters and votes_per_s > 0 else None
        dots = 0
        for _ in range(samples):
            dots = 1 - dots
            await asyncio.sleep(random.uniform(0.3, 0.8))
            try:
                await loop.run_in_executor(None, voting.set_dots, store, code, observer_token, value_id, dots)
                stored = time.time() * 1000
                shows = ("some" if dots else "none") if observer_name else str(dots)
                seen = await _seen(page, shows, stored, timeout)
                latencies.append((seen - stored) / 1000)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
        stop.set()
        if runner is not None:
            await runner
    except Exception as exc:  # noqa: BLE001
        errors.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        stop.set()
        await ctx.close()
    return {"latencies": latencies, "errors": errors, "background": background}


async def _seen(page, title: str, after_ms: float, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = await page.evaluate("(a) => window.__seen.filter(d => d[0] === a[0] && d[1] >= a[1]).map(d => d[1])",
                                   [title, after_ms - 5])
        if hits:
            return max(hits[0], after_ms)
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the page did not show {title!r} within {timeout:.0f} s")
