"""Helpers for driving the served apps in Chromium: open, join, type, wait, measure, screenshot.

Every wait has a timeout. Selectors use the apps' own CSS classes (``ws-*``),
which the widgets put on their elements through ``add_class``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

#: A Voila page renders from a preheated kernel; the shared CI machine can be slow.
PAGE_TIMEOUT_MS = 90_000
#: What the issue promises for live updates (participant actions on the facilitator's
#: screen; stage switches on a participant's).
LIVE_SECONDS = 2.0

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}

#: Runs before any page script: counts what a successful injection would do.
TRAP_SCRIPT = """
window.__alerts = 0;
for (const name of ["alert", "confirm", "prompt"]) {
  const original = window[name];
  window[name] = function () { window.__alerts += 1; return original.apply(this, arguments); };
}
"""


@dataclass
class Visitor:
    """One browser context (its own localStorage) and its page."""

    context: object
    page: object
    name: str = ""
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        try:
            self.context.close()
        except Exception:  # noqa: BLE001 - already gone with the browser
            pass


def new_visitor(browser, viewport: dict | None = None, name: str = "") -> Visitor:
    context = browser.new_context(viewport=viewport or LAPTOP)
    context.add_init_script(TRAP_SCRIPT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    visitor = Visitor(context, page, name)

    def on_dialog(dialog):
        visitor.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda msg: visitor.console_errors.append(msg.text) if msg.type == "error" else None)
    return visitor


def open_app(page, url: str, root: str = ".ws-app", timeout_ms: int = PAGE_TIMEOUT_MS) -> None:
    """Load a Voila page and wait until the app's widgets are on screen."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.locator(root).first.wait_for(state="visible", timeout=timeout_ms)


def join(page, name: str, timeout_ms: int = 30_000) -> None:
    page.locator(".ws-name input").fill(name)
    page.locator(".ws-join-button").click()
    page.locator(".ws-stage").first.wait_for(state="visible", timeout=timeout_ms)


def stage_name(page) -> str:
    return page.locator(".ws-stage-name").first.inner_text(timeout=10_000).strip()


def wait_for_stage(page, title: str, timeout_s: float = 10.0) -> float:
    """Seconds until the participant's header shows the stage ``title``."""
    started = time.monotonic()
    page.locator(".ws-stage-name", has_text=title).first.wait_for(state="visible", timeout=timeout_s * 1000)
    return time.monotonic() - started


def add_card(page, text: str, timeout_ms: int = 15_000) -> None:
    before = page.locator(".ws-my-card").count()
    page.locator(".ws-card-entry textarea").fill(text)
    page.locator(".ws-add-card").click()
    page.wait_for_function(f"document.querySelectorAll('.ws-my-card').length > {before}", timeout=timeout_ms)


def my_cards(page) -> list[str]:
    return [t.strip() for t in page.locator(".ws-my-card .ws-card").all_inner_texts()]


def wait_for_text(page, text: str, scope: str = "body", timeout_s: float = 10.0) -> float:
    """Seconds until ``text`` appears (as text, not markup) inside ``scope``."""
    started = time.monotonic()
    page.locator(scope).get_by_text(text, exact=False).first.wait_for(state="attached", timeout=timeout_s * 1000)
    return time.monotonic() - started


def horizontal_overflow(page, scope: str = ".ws-app") -> int:
    """Pixels the page or any visible app element reaches past the screen's right edge.

    Measures elements too, because a page that hides its overflow clips a
    field's right border without ever scrolling."""
    return page.evaluate("""(scope) => {
        const doc = document.documentElement;
        let worst = Math.max(doc.scrollWidth, document.body.scrollWidth) - window.innerWidth;
        for (const root of document.querySelectorAll(scope)) {
            for (const el of root.querySelectorAll("*")) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;
                worst = Math.max(worst, Math.ceil(r.right - window.innerWidth));
            }
        }
        return worst;
    }""", scope)


def widest_overflow(page, scope: str = ".ws-app") -> list[str]:
    """The elements that stick out past the right edge (for a readable failure)."""
    return page.evaluate("""(scope) => {
        const out = [];
        for (const root of document.querySelectorAll(scope)) {
            for (const el of root.querySelectorAll("*")) {
                const r = el.getBoundingClientRect();
                if (r.width && r.height && r.right > window.innerWidth + 0.5)
                    out.push(el.tagName + "." + [...el.classList].join(".") + " right=" + Math.round(r.right));
            }
        }
        return out.slice(0, 10);
    }""", scope)


def injection_fired(page) -> bool:
    return bool(page.evaluate("() => Boolean(window.__pwned) || window.__alerts > 0"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def screenshot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{slug(name)}.png"
    page.screenshot(path=str(path), full_page=full_page, timeout=30_000)
    return path
