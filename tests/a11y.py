"""axe-core in a real Chromium page: run it, and group what it finds by rule and impact.

The axe-core script comes from the ``axe-playwright-python`` dev dependency (pinned in
pyproject.toml), which ships axe-core's own ``axe.min.js``: installed by ``make install``,
never fetched while the tests run. Only the script file is used; the run and the grouping
are here, so a report reads the same whatever that package's Python side does.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections import Counter
from dataclasses import dataclass, field

#: WCAG 2.0-2.2 A and AA, and axe's best practices (landmarks, headings, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: Impacts that fail a page outright.
SERIOUS = ("serious", "critical")

#: Rules that fail a page at any impact (the issue's list).
NAMED_RULES = ("label", "select-name", "button-name", "region", "heading-order", "html-lang-valid",
               "color-contrast")


@functools.cache
def axe_script() -> str:
    """axe-core's script as the pinned package ships it."""
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def axe_version() -> str:
    head = axe_script()[:200]
    return head.split("axe v", 1)[1].split()[0] if "axe v" in head else "?"


@dataclass
class Finding:
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)


@dataclass
class Report:
    """What axe found on one page."""

    findings: list[Finding]

    @property
    def counts(self) -> Counter:
        """Nodes per (rule, impact)."""
        return Counter({(f.rule, f.impact): len(f.targets) for f in self.findings})

    def failing(self) -> list[Finding]:
        """Findings that fail the page: any serious or critical one, and any of NAMED_RULES."""
        return [f for f in self.findings if f.impact in SERIOUS or f.rule in NAMED_RULES]

    def summary(self) -> str:
        """One line per rule: ``rule (impact): n``; "none" when axe found nothing."""
        if not self.findings:
            return "none"
        return ", ".join(f"{rule} ({impact}): {n}" for (rule, impact), n in sorted(self.counts.items()))

    def explain(self, limit: int = 4) -> str:
        """The failing findings with a few of their elements, for an assertion message."""
        lines = []
        for f in self.failing():
            lines.append(f"- {f.rule} ({f.impact}, {len(f.targets)}): {f.help}")
            for target, html in list(zip(f.targets, f.html))[:limit]:
                lines.append(f"    {target}: {html[:160]}")
                if f.rule == "svg-img-alt" and "max-height: 50px" in html:
                    # Voila's widget manager draws this icon where a widget's view could not be made.
                    lines.append("    (the widget manager's icon for a widget that failed to render)")
        return "\n".join(lines)


def run_axe(page, context: str | dict | None = None, tags: list[str] | None = None) -> Report:
    """Inject axe-core into ``page`` (once) and run it on the whole document (or ``context``)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_script())
    options = {"runOnly": {"type": "tag", "values": tags or TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("([context, options]) => window.axe.run(context || document, options)",
                           [context, options])
    findings = [Finding(v["id"], v.get("impact") or "minor", v.get("help", ""),
                        [" ".join(map(str, n.get("target", []))) for n in v["nodes"]],
                        [n.get("html", "") for n in v["nodes"]])
                for v in result["violations"]]
    return Report(findings)


def focused(page) -> dict:
    """What has the keyboard focus: tag, classes, role, accessible-ish name and text."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return {tag: el ? el.tagName.toLowerCase() : "", cls: "", text: ""};
        return {tag: el.tagName.toLowerCase(), cls: el.className || "", role: el.getAttribute("role") || "",
                label: el.getAttribute("aria-label") || "", text: (el.innerText || el.value || "").trim().slice(0, 80),
                ancestors: (() => { const out = []; for (let p = el.parentElement; p; p = p.parentElement)
                    out.push(typeof p.className === "string" ? p.className : ""); return out.join(" "); })()};
    }""")


def reflow_problems(page, scope: str = ".ws-app", min_target: float = 24.0) -> dict[str, list[str]]:
    """What a narrow or zoomed window does wrong: controls cut off by a box that hides its overflow,
    controls drawn over each other, and targets smaller than ``min_target`` CSS px either way.

    Controls are buttons, text boxes, menus and links, and a radio's or checkbox's label (the
    label is the target: a native radio here is an invisible layer over it). Anything not drawn
    (no box, or visually hidden at 1 px) is skipped. Each entry names the element and its box."""
    return page.evaluate("""([scope, min]) => {
        const out = {clipped: [], overlapping: [], small: []};
        const shown = (el) => {
            const r = el.getBoundingClientRect();
            if (r.width <= 1 || r.height <= 1) return null;
            for (let p = el; p; p = p.parentElement) {
                const s = getComputedStyle(p);
                if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0 && p !== el) return null;
                if (s.clip && s.clip !== "auto" && s.position === "absolute") return null;
            }
            return r;
        };
        const name = (el, r) => `${el.tagName.toLowerCase()}.${[...el.classList].filter(c => c.startsWith("ws-") || c.startsWith("mod-")).join(".")}`
            + ` "${(el.getAttribute("aria-label") || el.innerText || el.value || "").trim().slice(0, 30)}"`
            + ` ${Math.round(r.width)}x${Math.round(r.height)}@${Math.round(r.left)},${Math.round(r.top)}`;
        const controls = [];
        for (const root of document.querySelectorAll(scope)) {
            const seen = new Set();
            const add = (el) => { if (!seen.has(el)) { seen.add(el); controls.push(el); } };
            for (const el of root.querySelectorAll("button, select, textarea, a[href], input")) {
                if (el.matches("input[type=radio], input[type=checkbox]")) {
                    const label = el.closest("label");
                    if (label) add(label);
                    else add(el);
                } else add(el);
            }
        }
        const boxes = [];
        for (const el of controls) {
            const r = shown(el);
            if (!r) continue;
            boxes.push([el, r]);
            // Clipped: cut off by an ancestor that hides or scrolls what overflows it.
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                const s = getComputedStyle(p);
                if (s.overflowX === "visible" && s.overflowY === "visible") continue;
                if (p.scrollWidth > p.clientWidth + 1 && s.overflowX !== "hidden") continue;  // it scrolls: reachable
                const q = p.getBoundingClientRect();
                if (r.right > q.right + 1.5 || r.left < q.left - 1.5 || (s.overflowY === "hidden" && r.bottom > q.bottom + 1.5)) {
                    out.clipped.push(name(el, r) + " in " + name(p, q));
                }
                break;
            }
            const inline = el.matches("a[href]") && getComputedStyle(el).display === "inline";
            if (!inline && (r.width < min - 0.01 || r.height < min - 0.01)) out.small.push(name(el, r));
        }
        for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
                const [a, ra] = boxes[i], [b, rb] = boxes[j];
                if (a.contains(b) || b.contains(a)) continue;
                const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
                const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
                if (w > 2 && h > 2) out.overlapping.push(name(a, ra) + " / " + name(b, rb));
            }
        }
        for (const k of Object.keys(out)) out[k] = out[k].slice(0, 12);
        return out;
    }""", [scope, min_target])
