"""Accessibility of the participants' and follow-up pages: axe-core in real Chromium, and the keyboard alone.

Each page is opened as its visitor would (a real `workshop serve`, the visitor's own
link, in English, German and Traditional Chinese) and axe-core (tests/a11y.py) runs on
the whole document, Voila's page around the app included. A page fails on any finding
of impact serious or critical, and on any finding of the rules the issue names (label,
select-name, button-name, region, heading-order, html-lang-valid, color-contrast).
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests import a11y
from tests import browser as B
from tests.followup_helpers import finished_workshop
from workshop.core import links, phases
from workshop.core import stages as _stages
from workshop.core.languages import HTML_LANG
from workshop.domain import audiences, cards

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGS = ("en", "de", "zh_Hant")

#: The participant's page at each moment the test looks at it: (name, demo phase, reveal cards, join).
PARTICIPANT_PAGES = {
    "join": (phases.BRAINSTORM, False, False),
    "brainstorm": (phases.BRAINSTORM, False, True),
    "brainstorm-revealed": (phases.BRAINSTORM, True, True),
    "grouping": (phases.GROUPING, False, True),
    "published": (phases.PUBLISHED, False, True),
}
#: Follow-up page -> its audience's role.
#: Every visitor joins under a name of their own (a workshop refuses a name twice).
_names = itertools.count(1)

FOLLOWUP_PAGES = {"stakeholder": "stakeholder", "survey": "employee", "exemplar": "exemplar"}


class Workshops:
    """The demo workshop at each stage the pages are tested in, seeded once per module."""

    def __init__(self, server):
        self.server = server
        self._codes: dict[tuple[str, bool], tuple[str, str]] = {}

    def at(self, phase: str, revealed: bool = False) -> tuple[str, str]:
        if (phase, revealed) not in self._codes:
            if phase == phases.PUBLISHED:  # a finished workshop in few actions (values, vision, actions)
                done = finished_workshop(self.server.store, upto=phases.PUBLISHED, members=3)
                code, key = done.code, done.key
                # Profile questions for the first value, so the benchmark page has boxes to answer.
                from workshop.domain import grouping
                from workshop.domain.followup import hiring
                first = grouping.values(self.server.store, code, only_chosen=True)[0]
                hiring.add_suggested_questions(self.server.store, code, key, first.id)
            else:
                code, key = self.server.seed(phase)
            if revealed:
                cards.reveal(self.server.store, code, key)
            self._codes[(phase, revealed)] = (code, key)
        return self._codes[(phase, revealed)]


@pytest.fixture(scope="module")
def seeded(server):
    return Workshops(server)


def open_participant(visitors, server, seeded, page_name: str, lang: str, viewport=None):
    phase, revealed, joins = PARTICIPANT_PAGES[page_name]
    code, _ = seeded.at(phase, revealed)
    v = visitors(viewport or B.PHONE)
    B.open_app(v.page, server.participant_url(code, lang=lang))
    v.page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    if joins:
        B.join(v.page, f"Reader {lang} {next(_names)}")
    return v


def open_followup(visitors, server, seeded, page_name: str, lang: str, viewport=None, on_join_screen=None):
    code, key = seeded.at(phases.PUBLISHED)
    role = FOLLOWUP_PAGES[page_name]
    url = links.audience_url(audiences.NOTEBOOKS[role], audiences.secret(server.store, code, key, role),
                             server.base_url)
    v = visitors(viewport or B.PHONE)
    B.open_app(v.page, f"{url}&lang={lang}")
    page = v.page
    page.locator(".ws-join-button").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    if on_join_screen is not None:
        on_join_screen(page)
    v.name = f"Reader {lang} {next(_names)}"
    page.locator(".ws-name input").fill(v.name)
    team = page.locator(".ws-team select")
    if team.count():
        team.select_option(index=1)
    page.locator(".ws-join-button").click()
    page.locator(".ws-join-button").wait_for(state="detached", timeout=30_000)
    return v


def settle(page) -> None:
    """Wait until the app is the page's main landmark (its PageSemantics widget has rendered)."""
    page.wait_for_function("() => document.querySelector('.ws-app[role=main]') !== null", timeout=10_000)


#: What axe found on every page this module checked: (page, lang) -> Counter of (rule, impact).
AXE_COUNTS: dict[tuple[str, str], object] = {}


@pytest.fixture(scope="module", autouse=True)
def axe_figures():
    """After the module: axe's findings by rule and impact on every page it checked (-s shows it)."""
    yield
    if AXE_COUNTS:
        print("\n" + axe_table(AXE_COUNTS))


def axe_table(counts: dict) -> str:
    """One line per page: its findings as ``rule (impact) n``, or "none"; then the totals by impact and by rule."""
    from collections import Counter
    lines = [f"axe-core {a11y.axe_version()} findings (nodes) by rule and impact, {len(counts)} pages:"]
    by_impact, by_rule = Counter(), Counter()
    for (label, lang), found in sorted(counts.items()):
        shown = ", ".join(f"{rule} ({impact}) {n}" for (rule, impact), n in sorted(found.items())) or "none"
        lines.append(f"  {label} [{lang}]: {shown}")
        for (rule, impact), n in found.items():
            by_impact[impact] += n
            by_rule[(rule, impact)] += n
    clean = sum(1 for found in counts.values() if not found)
    lines.append(f"  pages with no finding: {clean} of {len(counts)}")
    lines.append("  by impact: " + (", ".join(f"{k} {v}" for k, v in sorted(by_impact.items())) or "none"))
    lines.append("  by rule: " + (", ".join(f"{r} ({i}) {n}" for (r, i), n in sorted(by_rule.items())) or "none"))
    return "\n".join(lines)


def check(page, label: str, lang: str) -> a11y.Report:
    settle(page)
    report = a11y.run_axe(page)
    AXE_COUNTS[(label, lang)] = report.counts
    print(f"axe {a11y.axe_version()} {label} [{lang}]: {report.summary()}")
    assert not report.failing(), f"{label} [{lang}]:\n{report.explain()}"
    return report


def expect_lang_and_title(page, lang: str, *parts: str) -> None:
    # Generous: a console pane built on demand on a loaded machine takes seconds to name its tab.
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=HTML_LANG[lang], timeout=30_000)
    try:
        page.wait_for_function("(parts) => parts.every(p => document.title.includes(p))", arg=list(parts),
                               timeout=30_000)
    except Exception:  # noqa: BLE001 - a readable failure instead of a timeout
        raise AssertionError(f"title {page.title()!r} lacks one of {parts!r}") from None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", list(PARTICIPANT_PAGES))
def test_participant_page_has_no_serious_or_named_axe_findings(server, seeded, visitors, page_name, lang):
    v = open_participant(visitors, server, seeded, page_name, lang)
    page = v.page
    phase = PARTICIPANT_PAGES[page_name][0]
    title = server.store and _title(server, seeded, phase, PARTICIPANT_PAGES[page_name][1])
    expect_lang_and_title(page, lang, title)
    assert page.locator("main, [role=main]").count() == 1
    assert page.locator("[role=main] h1").count() == 1
    if PARTICIPANT_PAGES[page_name][2]:
        assert page.locator("[role=main] h2.ws-stage-heading").count() == 1
    check(page, f"participant {page_name}", lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", FOLLOWUP_PAGES)
def test_followup_page_has_no_serious_or_named_axe_findings(server, seeded, visitors, role, lang):
    v = open_followup(visitors, server, seeded, role, lang,
                      on_join_screen=lambda page: check(page, f"follow-up {role} (join)", lang))
    page = v.page
    expect_lang_and_title(page, lang, _title(server, seeded, phases.PUBLISHED, False))
    assert page.locator("main, [role=main]").count() == 1
    assert page.locator("[role=main] h1").count() == 1
    assert page.locator("[role=main] h2").count() >= 1
    check(page, f"follow-up {role}", lang)


def _title(server, seeded, phase, revealed) -> str:
    from workshop.domain import workshops
    return workshops.status(server.store, seeded.at(phase, revealed)[0]).title


def test_language_switch_updates_lang_and_title(server, seeded, visitors):
    v = open_participant(visitors, server, seeded, "brainstorm", "en")
    page = v.page
    expect_lang_and_title(page, "en", "Brainstorm")
    page.locator(".ws-language select").select_option(label="Deutsch")
    expect_lang_and_title(page, "de", "Brainstorming")
    assert page.locator(".ws-language label").inner_text().strip() == "Sprache"
    page.locator(".ws-language select").select_option(label="繁體中文")
    expect_lang_and_title(page, "zh_Hant")
    assert page.locator(".ws-language select").get_attribute("aria-label") or \
        page.locator(".ws-language label").inner_text().strip()


def _focus_in(page, cls: str) -> bool:
    return page.evaluate("(cls) => { const el = document.activeElement;"
                         " return Boolean(el && el.closest('.' + cls)); }", cls)


def _tab_to(page, predicate_js: str, limit: int = 60) -> None:
    """Press Tab until ``predicate_js`` (a function of the active element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return Boolean(({predicate_js})(el)); }}"):
            return
    raise AssertionError(f"Tab never reached {predicate_js}; focus is on {a11y.focused(page)}")


def test_keyboard_only_join_write_and_withdraw_a_card(server, seeded, visitors):
    code, _ = seeded.at(phases.BRAINSTORM)
    v = visitors(B.PHONE)
    page = v.page
    B.open_app(page, server.participant_url(code))
    page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)

    # Join: Tab to the name field, type, Enter.
    _tab_to(page, "el => el.closest('.ws-name')")
    page.keyboard.type("Keyboard Kim")
    _tab_to(page, "el => el.closest('.ws-join-button')")
    page.keyboard.press("Enter")
    page.locator(".ws-stage").first.wait_for(timeout=30_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-stage-heading')",
                           timeout=10_000)
    assert "Brainstorm" in page.evaluate("() => document.activeElement.innerText")

    # Write a card: Tab to the card box, type, Tab to Add card, Enter; focus comes back to the box.
    _tab_to(page, "el => el.closest('.ws-card-entry')")
    # One input event, as an input method or dictation delivers text: typed key by key, each
    # keystroke is a widget message and the last may reach the kernel after the Add click (an
    # ipywidgets sync race that is not what this test is about).
    page.keyboard.insert_text("Answer within one working day")
    _tab_to(page, "el => el.closest('.ws-add-card')")
    page.keyboard.press("Enter")
    page.locator(".ws-my-card").first.wait_for(timeout=15_000)
    # Focus is back in the card box itself (not on the page, not on Add), named by its label.
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-card-entry textarea')",
                           timeout=10_000)
    assert page.evaluate("() => [...document.activeElement.labels].map(l => l.textContent).join()") == "New card"
    page.wait_for_function("() => document.querySelector('.ws-card-entry textarea').value === ''", timeout=10_000)
    assert page.locator(".ws-feedback [role=status]").first.inner_text().strip()

    # Withdraw it: Tab to its Withdraw button, Enter; the card is gone and focus is back in the card box.
    _tab_to(page, "el => el.closest('.ws-withdraw')")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.ws-my-card').length === 0", timeout=15_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('.ws-card-entry')",
                           timeout=10_000)
    B.screenshot(page, "a11y-keyboard-after-withdraw")


def test_stage_change_moves_focus_to_the_new_heading_and_is_announced(server, visitors):
    code, key = server.seed(phases.BRAINSTORM)
    v = visitors(B.PHONE)
    page = v.page
    B.open_app(page, server.participant_url(code))
    page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    B.join(page, "Stage Sam")
    from workshop.domain import workshops
    cards.reveal(server.store, code, key)
    workshops.advance(server.store, code, key)
    B.wait_for_stage(page, "Core values")
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-stage-heading')"
                           " && document.activeElement.innerText.includes('Core values')", timeout=10_000)
    live = page.locator(".ws-live-region")
    assert live.get_attribute("aria-live") == "polite"
    page.wait_for_function("() => document.querySelector('.ws-live-region').innerText.includes('Core values')",
                           timeout=10_000)


def test_focus_indicator_is_at_least_two_pixels(server, seeded, visitors):
    code, _ = seeded.at(phases.BRAINSTORM)
    v = visitors(B.PHONE)
    page = v.page
    B.open_app(page, server.participant_url(code))
    page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    page.locator(".ws-name input").focus()
    _tab_to(page, "el => el.closest('.ws-join-button')")
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor}; }""")
    assert ring["style"] != "none" and ring["width"] >= 2, ring
    B.screenshot(page, "a11y-focus-join-button", full_page=False)


# ---- the console, the room screen, and the voting / drafting / rating views (issue 15, second part) ----

CONSOLE = {"width": 1280, "height": 800}
#: Every stage the console's stage bar opens: the registry's, so a new stage is checked too.
CONSOLE_STAGES = [s.name for s in _stages.STAGES if s.name != _stages.CONSOLE]


def open_console(visitors, server, seeded, phase: str, lang: str | None = None):
    code, key = seeded.at(phase)
    v = visitors(CONSOLE)
    url = server.facilitator_url(code, key) + (f"&lang={lang}" if lang else "")
    B.open_app(v.page, url, root=".ws-console")
    settle(v.page)
    return v


def show_console_stage(page, name: str) -> None:
    page.locator(f".ws-stage-bar .ws-stage-{name}").click()
    page.wait_for_function("(n) => { const b = document.querySelector('.ws-stage-bar .ws-stage-' + n);"
                           " return b && b.classList.contains('mod-primary'); }", arg=name, timeout=30_000)
    page.locator(f".ws-pane-{name}:visible").first.wait_for(timeout=30_000)


def _console_stage(server, seeded, visitors, name, lang):
    v = open_console(visitors, server, seeded, phases.RATING, lang)
    page = v.page
    show_console_stage(page, name)
    from workshop.core import stages
    from workshop.i18n import translator
    t = translator(lang or "en")
    expect_lang_and_title(page, lang or "en", t(stages.stage(stages.CONSOLE).label), t(stages.stage(name).label),
                          _title(server, seeded, phases.RATING, False))
    assert page.locator("[role=main]").count() == 1
    assert page.locator("[role=main] h1").count() == 1
    return page


@pytest.mark.parametrize("name", CONSOLE_STAGES)
def test_console_stage_has_no_serious_or_named_axe_findings(server, seeded, visitors, name):
    page = _console_stage(server, seeded, visitors, name, None)
    if name == "setup":
        B.screenshot(page, "a11y-console-setup", full_page=False)
    check(page, f"console {name}", "en")
    snapshot = page.locator(".ws-app").aria_snapshot()
    assert not _unnamed_controls(snapshot), "\n".join(_unnamed_controls(snapshot)) + "\n\n" + snapshot


@pytest.mark.parametrize("lang", ["de", "zh_Hant"])
def test_every_console_stage_in_other_languages(server, seeded, visitors, lang):
    """One console page in the language, every stage opened from its stage bar (no reload)."""
    from workshop.core import stages
    from workshop.i18n import translator

    t = translator(lang)
    page = _console_stage(server, seeded, visitors, CONSOLE_STAGES[0], lang)
    for name in CONSOLE_STAGES:
        show_console_stage(page, name)
        expect_lang_and_title(page, lang, t(stages.stage(stages.CONSOLE).label), t(stages.stage(name).label),
                              _title(server, seeded, phases.RATING, False))
        settle(page)
        # ipywidgets draws a widget it could not make as an error icon: no pane may hold one.
        assert page.locator(".jupyter-widgets-error-widget").count() == 0, f"a widget failed to render ({name})"
        check(page, f"console {name}", lang)


@pytest.mark.parametrize("phase,lang", [(phases.BRAINSTORM, "en"), (phases.GROUPING, "en"), (phases.VOTING, "en"),
                                        (phases.RATING, "en"), (phases.VOTING, "de"), (phases.RATING, "zh_Hant")])
def test_room_screen_has_no_serious_or_named_axe_findings(server, seeded, visitors, phase, lang):
    from workshop.domain import room
    code, key = seeded.at(phase)
    v = visitors(CONSOLE)
    url = links.audience_url(room.NOTEBOOK, room.screen_secret(server.store, code, key), server.base_url)
    B.open_app(v.page, url if lang == "en" else f"{url}&lang={lang}", root=".ws-room")
    settle(v.page)
    assert v.page.evaluate("() => document.documentElement.lang") == HTML_LANG.get(lang, lang)
    check(v.page, f"room {phase}", lang)


LATER_PAGES = {"voting": phases.VOTING, "drafting": phases.DRAFTING, "rating": phases.RATING}


def open_later(visitors, server, seeded, page_name: str, lang: str = "en", viewport=None):
    code, _ = seeded.at(LATER_PAGES[page_name])
    v = visitors(viewport or B.PHONE)
    B.open_app(v.page, server.participant_url(code, lang=lang))
    v.page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    B.join(v.page, f"Reader {lang} {next(_names)}")
    v.page.locator(f".ws-phase-{LATER_PAGES[page_name]} .ws-stage-heading").wait_for(timeout=30_000)
    settle(v.page)
    return v


@pytest.mark.parametrize("lang,page_name", [(lang, p) for p in LATER_PAGES for lang in ("en",)]
                         + [("de", "voting"), ("zh_Hant", "voting"), ("de", "rating"), ("zh_Hant", "drafting")])
def test_voting_drafting_rating_pages_have_no_serious_or_named_axe_findings(server, seeded, visitors,
                                                                            lang, page_name):
    v = open_later(visitors, server, seeded, page_name, lang)
    check(v.page, f"participant {page_name}", lang)
    if page_name == "voting":
        from workshop.i18n import translator
        plus = v.page.locator(".ws-dot-plus").first
        name = translator(lang)("Add a dot to {value}").split("{value}")[0].strip()
        assert name and name in (plus.get_attribute("title") or ""), plus.get_attribute("title")
        # The words are the button's name as Chromium computes it, not only its description.
        assert v.page.get_by_role("button", name=plus.get_attribute("title"), exact=True).count() == 1


def _unnamed_controls(snapshot: str) -> list[str]:
    """Lines of an ARIA snapshot that are a button, radio, textbox or combobox with no name.

    A text box named only by its placeholder counts as unnamed: the snapshot lists it as an
    unnamed ``textbox`` with a ``/placeholder`` (the hint vanishes once someone types, and
    screen readers read it as a hint, not as what the box is); so does a name that is just
    the placeholder's words. So does an icon font's glyph (a private-use character, as Font
    Awesome draws): Chromium reads it into the name of an icon-only button, whose words
    (its tooltip) then go unread."""
    import re
    glyph = re.compile("[\ue000-\uf8ff]")
    bad = []
    lines = snapshot.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'\s*- (button|radio|textbox|combobox)\b(.*)', line)
        if not m:
            continue
        named = re.match(r'\s*"([^"]+)"', m.group(2))
        if not named or not glyph.sub("", named.group(1)).strip():
            bad.append(line.strip())
            continue
        if glyph.search(named.group(1)):
            bad.append(line.strip() + " (an icon's glyph in its name)")
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        hint = re.match(r'\s*- /placeholder: (.*)', following)
        if m.group(1) == "textbox" and hint and hint.group(1).strip() == named.group(1).strip():
            bad.append(line.strip() + " (named by its placeholder)")
    return bad


def _text_box_names(page) -> list[tuple[str, str]]:
    """(name, placeholder) of every text box on the app, the name as Chromium computes it."""
    names = []
    for box in page.locator(".ws-app textarea:visible, .ws-app input[type=text]:visible, "
                            ".ws-app input:not([type]):visible, .ws-app input[type=password]:visible").all():
        labels = box.evaluate("el => [...el.labels].map(l => l.textContent.trim()).join(' ')")
        names.append((labels or box.get_attribute("aria-label") or "", (box.get_attribute("placeholder") or "").strip()))
    return names


#: The pages whose controls are checked: participant stages, and the follow-up pages (join and joined).
NAMED_PAGES = ["join", "brainstorm", *LATER_PAGES, "code", *[f"{r} (join)" for r in FOLLOWUP_PAGES], *FOLLOWUP_PAGES]


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("page_name", NAMED_PAGES)
def test_every_control_on_the_participant_pages_has_a_name(server, seeded, visitors, page_name, lang):
    from workshop.i18n import translator
    t = translator(lang)
    if page_name in ("join", "brainstorm"):
        v = open_participant(visitors, server, seeded, page_name, lang)
        settle(v.page)
    elif page_name == "code":  # opened without a link: the join-code box
        v = visitors(B.PHONE)
        B.open_app(v.page, links.notebook_url(links.PARTICIPANT_NOTEBOOK, server.base_url, lang=lang))
        v.page.locator(".ws-code-input input").wait_for(timeout=B.PAGE_TIMEOUT_MS)
        settle(v.page)
    elif page_name.endswith(" (join)"):
        shown = {}
        open_followup(visitors, server, seeded, page_name.split()[0], lang,
                      on_join_screen=lambda page: shown.update(snapshot=page.locator(".ws-app").aria_snapshot(),
                                                               boxes=_text_box_names(page)))
        _assert_named(shown["snapshot"], shown["boxes"], t)
        return
    elif page_name in FOLLOWUP_PAGES:
        v = open_followup(visitors, server, seeded, page_name, lang)
        settle(v.page)
    else:
        v = open_later(visitors, server, seeded, page_name, lang)
    page = v.page
    _assert_named(page.locator(".ws-app").aria_snapshot(), _text_box_names(page), t)
    if page_name == "brainstorm":
        assert (t("New card"), t("One idea per card. Nobody sees it until the facilitator reveals all cards.")) \
            in _text_box_names(page)
    if page_name == "join":
        assert (t("Your name"), "") in [(n, p.replace("\u200b", "")) for n, p in _text_box_names(page)]


def _assert_named(snapshot: str, boxes: list[tuple[str, str]], t) -> None:
    assert any(k in snapshot for k in ("- button", "- radio", "- textbox")), snapshot
    assert not _unnamed_controls(snapshot), "\n".join(_unnamed_controls(snapshot)) + "\n\n" + snapshot
    # Every text box has a name of its own (a label), in the reader's language, that is not its placeholder.
    for name, placeholder in boxes:
        assert name and name != placeholder, (name, placeholder, snapshot)
    english = {"Your name", "New card", "Join code", "Your vision draft", "Anything to add? (optional)"}
    if t("Your name") != "Your name":
        assert not english & {n for n, _ in boxes}, boxes


class Keys:
    """The keyboard, counting every key press."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def tab_to(self, predicate_js: str, limit: int = 60, back: bool = False) -> None:
        """Tab (Shift+Tab when ``back``) until the focused element satisfies ``predicate_js``."""
        for _ in range(limit):
            self.press("Shift+Tab" if back else "Tab")
            if self.page.evaluate(f"() => {{ const el = document.activeElement;"
                                  f" return Boolean(el && ({predicate_js})(el)); }}"):
                return
        raise AssertionError(f"Tab never reached {predicate_js}; focus is on {a11y.focused(self.page)}")


def _dots(page) -> list[int]:
    """[left, budget] from the ballot's "Dots left: 3 of 5" line."""
    return [int(n) for n in page.evaluate("() => document.querySelector('.ws-dots-left').innerText.match(/\\d+/g)")]


def _wait_left(page, left: int) -> None:
    page.wait_for_function("(n) => Number(document.querySelector('.ws-dots-left').innerText.match(/\\d+/)[0]) === n",
                           arg=left, timeout=15_000)


def test_keyboard_only_spend_and_take_back_dots(server, seeded, visitors):
    v = open_later(visitors, server, seeded, "voting")
    page = v.page
    keys = Keys(page)
    left, budget = _dots(page)
    assert left == budget
    first = page.locator(".ws-ballot-line").first
    plus, minus = first.locator(".ws-dot-plus"), first.locator(".ws-dot-minus")
    assert plus.get_attribute("title").startswith("Add a dot to "), plus.get_attribute("title")
    keys.tab_to("el => el.matches('.ws-dot-plus')")
    assert plus.evaluate("el => el === document.activeElement")
    spent = 0
    while True:  # Enter on + until this value takes no more (the budget spent, or the cap reached)
        keys.press("Enter")
        spent += 1
        _wait_left(page, budget - spent)
        if plus.is_disabled():
            break
        assert plus.evaluate("el => el === document.activeElement"), a11y.focused(page)
    # + is disabled now: the focus stays on the ballot, on this value's − (not on the page body).
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-dot-minus')",
                           timeout=10_000)
    assert minus.evaluate("el => el === document.activeElement")
    assert minus.get_attribute("title").startswith("Take a dot off "), minus.get_attribute("title")
    for back in range(1, spent + 1):  # take them all back with Enter on −
        keys.press("Enter")
        _wait_left(page, budget - spent + back)
    # − is disabled now (no dot left on this value): focus moves to + on the same line.
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-dot-plus')",
                           timeout=10_000)
    assert plus.evaluate("el => el === document.activeElement")
    print(f"keyboard: spend and take back {spent} dots in {keys.count} key presses")
    B.screenshot(page, "a11y-keyboard-ballot")


def test_keyboard_only_rate_four_drafts_and_count_the_key_presses(server, visitors):
    """Rate four drafts on the phone with the keyboard alone: each criterion a radio group (Tab in, arrows
    to the score), Next by Tab and Enter; focus goes to the next draft's progress line. Counts every press."""
    from tests.domain_helpers import join_many
    from workshop.domain import vision, workshops
    code, key = server.seed(phases.DRAFTING)
    author = join_many(server.store, code, 1, prefix="Draft author")[0]
    vision.add_draft(server.store, code, author, "Every customer knows who is helping them and what happens next.")
    workshops.advance(server.store, code, key)
    drafts = vision.drafts(server.store, code, author)
    assert len(drafts) >= 4
    v = visitors(B.PHONE)
    page = v.page
    B.open_app(page, server.participant_url(code))
    page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    B.join(page, "Keyboard Rater")
    page.locator(".ws-phase-rating .ws-score input[type=radio]").first.wait_for(timeout=30_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('.ws-stage-heading')",
                           timeout=10_000)
    keys = Keys(page)
    for n in range(1, 5):
        page.wait_for_function("(n) => document.querySelector('.ws-rating-progress').innerText.includes(`${n} of`)",
                               arg=n, timeout=15_000)
        for group in range(3):
            keys.tab_to("el => el.matches('.ws-score input[type=radio]')")
            # Tab lands on the group's first score (1); two arrows move to 3 and choose it.
            legend = page.evaluate("() => document.activeElement.closest('fieldset').querySelector('legend').innerText")
            assert legend.strip(), a11y.focused(page)
            keys.press("ArrowRight", 2)
            page.wait_for_function("() => document.activeElement.matches('input[type=radio][value=\"3\"]:checked')",
                                   timeout=10_000)
        page.wait_for_function("(n) => document.querySelector('.ws-rating-progress').innerText.includes(`${3 * n} of`)",
                               arg=n, timeout=15_000)
        keys.tab_to("el => el.closest('.ws-nav-button') && el.classList.contains('mod-primary')")  # Next / Overview
        keys.press("Enter")
        # The next screen (a draft, or the overview after the last) starts at its progress line.
        page.wait_for_function("(n) => { const el = document.activeElement;"
                               " return el && el.matches('.ws-rating-progress') && !el.innerText.includes(`Draft ${n} of`); }",
                               arg=n, timeout=15_000)
    print(f"keyboard: rated 4 drafts (12 scores) in {keys.count} key presses")
    B.screenshot(page, "a11y-keyboard-rating-overview")
    assert keys.count < 81


# ---- the gut check's reactions: a radio group (issue 15, third part) ----

def _stakeholder_reaction(server, code, name):
    """(reaction, comment) the database holds for the stakeholder called ``name``, or None."""
    from sqlalchemy import select

    from workshop.store.schema import Participant, StakeholderReaction
    with server.store.engine.connect() as conn:
        row = conn.execute(select(StakeholderReaction.reaction, StakeholderReaction.comment)
                           .join(Participant, Participant.id == StakeholderReaction.participant_id)
                           .where(Participant.display_name == name)).first()
    return None if row is None else tuple(row)


@pytest.mark.parametrize("lang", ["en", "zh_Hant"])
def test_keyboard_only_gut_check_reaction_is_a_radio_group(server, seeded, visitors, lang):
    """The question is the group's legend, each reaction a named radio; Tab enters the group, the
    arrows move and check, Tab reaches the comment box (named) and Send; the database has it."""
    from workshop.domain.followup import stakeholders
    from workshop.i18n import translator
    t = translator(lang)
    v = open_followup(visitors, server, seeded, "stakeholder", lang)
    page = v.page
    settle(page)
    group = page.get_by_role("group", name=t("Does this vision land with you?"))
    assert group.count() == 1
    radios = group.get_by_role("radio")
    assert [r.evaluate("el => el.labels[0].innerText.trim()") for r in radios.all()] == \
        [t(stakeholders.TITLES[r]) for r in stakeholders.REACTIONS]
    assert page.locator(".ws-reaction fieldset > legend").inner_text().strip() == t("Does this vision land with you?")
    assert not page.locator(".ws-reaction input:checked").count()
    keys = Keys(page)
    keys.tab_to("el => el.matches('.ws-reaction input[type=radio]')")
    assert page.evaluate("() => document.activeElement.value") == stakeholders.LANDS
    keys.press("ArrowRight")  # moves within the group and checks: "Not sure"
    page.wait_for_function("() => document.activeElement.matches('.ws-reaction input[type=radio]:checked')"
                           " && document.activeElement.value === 'unsure'", timeout=10_000)
    assert radios.nth(1).is_checked() and not radios.nth(0).is_checked()
    keys.press("ArrowRight")  # "It does not land"
    page.wait_for_function("() => document.activeElement.value === 'no' && document.activeElement.checked",
                           timeout=10_000)
    assert page.get_by_role("radio", name=t(stakeholders.TITLES[stakeholders.NO])).is_checked()
    keys.tab_to("el => el.matches('.ws-comment textarea')")  # one Tab: out of the group, into the comment
    assert page.get_by_role("textbox", name=t("Anything to add? (optional)")).evaluate(
        "el => el === document.activeElement")
    page.keyboard.insert_text("Too vague for the night shift")
    keys.tab_to("el => el.matches('.ws-send-reaction')")
    keys.press("Enter")
    page.locator(".ws-ok").first.wait_for(timeout=15_000)
    code, _ = seeded.at(phases.PUBLISHED)
    _until(lambda: _stakeholder_reaction(server, code, v.name) == (stakeholders.NO, "Too vague for the night shift"),
           lambda: f"the database holds {_stakeholder_reaction(server, code, v.name)}")
    print(f"keyboard: gut check [{lang}] reacted with a comment in {keys.count} key presses")
    B.screenshot(page, f"a11y-gut-check-{lang}")


# ---- the console with the keyboard alone (issue 15, third part) ----

def _brainstorm_with_cards(server, texts: list[str]) -> tuple[str, str]:
    """A workshop at the brainstorm stage with ``texts`` written and revealed (the console's next stage: values)."""
    from workshop.domain import workshops
    code, key = server.create("Keyboard console", company="Acme", purpose="keep people talking")
    workshops.advance(server.store, code, key)
    tokens = [workshops.join(server.store, code, f"Writer {i}").token for i in range(2)]
    for i, text in enumerate(texts):
        cards.add_card(server.store, code, tokens[i % 2], text)
    cards.reveal(server.store, code, key)
    return code, key


def _until(check, what, timeout_s: float = 10.0) -> None:
    """Wait until ``check()`` holds (the database answers a moment after the page sends)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(what())
        time.sleep(0.05)


def _active(page, selector: str) -> bool:
    return page.evaluate("(s) => Boolean(document.activeElement && document.activeElement.matches(s))", selector)


def _wait_active(page, selector: str, timeout_ms: int = 10_000) -> None:
    try:
        page.wait_for_function("(s) => document.activeElement && document.activeElement.matches(s)", arg=selector,
                               timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - say where the focus is instead
        raise AssertionError(f"focus is not on {selector} but on {a11y.focused(page)}") from None


def _card_id(page, text: str) -> str:
    return page.locator(".ws-affinity .ws-wall-card", has_text=text).get_attribute("data-card")


def test_keyboard_only_console_advance_a_stage_start_a_timer_and_group_cards(server, visitors):
    """On a 1280x800 console with the keyboard alone: Next stage (Cancel, then Yes), the timer, and the
    wall (pick up, arrows, drop; Escape; the "Move to…" menu), with the focus checked after every step
    and the database after each change."""
    from tests.test_wall import layout
    from workshop.domain import workshops
    texts = ["Answer within a day", "Reply the same day", "Say what you know", "Never hide fees", "Use plain words"]
    code, key = _brainstorm_with_cards(server, texts)
    v = visitors(CONSOLE)
    page = v.page
    B.open_app(page, server.facilitator_url(code, key), root=".ws-console")
    page.locator(".ws-pane-brainstorm .ws-pane-title").wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)
    settle(page)
    keys = Keys(page)

    # Next stage asks first; Cancel hides the question and focus goes back to Next stage.
    keys.tab_to("el => el.matches('.ws-advance')")
    keys.press("Enter")
    page.locator(".ws-confirm-advance").wait_for(state="visible", timeout=10_000)
    assert _active(page, ".ws-advance")  # the question appears; nothing moved yet
    keys.tab_to("el => el.matches('.ws-confirm .widget-button:not(.ws-confirm-advance)')", limit=5)  # Cancel
    keys.press("Enter")
    page.locator(".ws-confirm-advance").wait_for(state="hidden", timeout=10_000)
    _wait_active(page, ".ws-advance")
    assert workshops.status(server.store, code).phase == phases.BRAINSTORM

    # Again, and Yes: the room moves, the console shows Values, focus is on its heading.
    keys.press("Enter")
    page.locator(".ws-confirm-advance").wait_for(state="visible", timeout=10_000)
    keys.tab_to("el => el.matches('.ws-confirm-advance')", limit=5)
    keys.press("Enter")
    _wait_active(page, ".ws-pane-values .ws-pane-title", timeout_ms=30_000)
    assert page.evaluate("() => document.activeElement.innerText").strip().startswith("Values")
    assert workshops.status(server.store, code).phase == phases.GROUPING
    B.screenshot(page, "a11y-console-keyboard-after-advance", full_page=False)

    # The timer: from the heading, Tab to Start timer, Enter; it runs, focus stays on Start.
    keys.tab_to("el => el.closest('.ws-pane-values .ws-timer-control') && el.matches('button')"
                " && el.innerText.includes('Start')", limit=10)
    keys.press("Enter")
    _until(lambda: workshops.status(server.store, code).timer_ends_at is not None, lambda: "the timer never started")
    assert _active(page, ".ws-pane-values .ws-timer-control button")
    assert "Start" in page.evaluate("() => document.activeElement.innerText")

    # The wall: Tab to the first loose card, Space picks it up, ArrowLeft wraps to "New group", Space drops.
    wall = ".ws-affinity"
    keys.tab_to("el => el.matches('.ws-affinity .ws-wall-loose .ws-wall-card')")
    first = page.evaluate("() => document.activeElement.dataset.card")
    first_text = page.evaluate("() => document.activeElement.querySelector('.ws-wall-text').innerText")
    keys.press("Space")
    page.locator(f"{wall} .ws-wall-live", has_text="Picked up card").wait_for(state="attached", timeout=5_000)
    assert _active(page, f'[data-card="{first}"]')
    keys.press("ArrowLeft")
    page.locator(f"{wall} .ws-wall-new.ws-wall-over").wait_for(timeout=5_000)
    keys.press("Space")
    # Dropped: the database has a new group with that card; focus is on the moved card, in its group.
    _until(lambda: layout(server.store, code).get("#1") == [first_text], lambda: layout(server.store, code))
    page.locator(f"{wall} .ws-wall-group:not(.ws-wall-guess) [data-card=\"{first}\"]").wait_for(timeout=10_000)
    _wait_active(page, f'.ws-wall-group [data-card="{first}"]')

    # Escape cancels a pick-up: the card stays where it was, and keeps the focus.
    # Shift+Tab: back from the group, past its title, to the loose pile above it.
    keys.tab_to("el => el.matches('.ws-affinity .ws-wall-loose .ws-wall-card')", limit=15, back=True)
    third = page.evaluate("() => document.activeElement.dataset.card")
    third_text = page.evaluate("() => document.activeElement.querySelector('.ws-wall-text').innerText")
    keys.press("Space")
    keys.press("ArrowRight")
    keys.press("Escape")
    page.locator(f"{wall} .ws-wall-live", has_text="Cancelled").wait_for(state="attached", timeout=5_000)
    _wait_active(page, f'.ws-wall-loose [data-card="{third}"]')
    assert third_text in layout(server.store, code)[""]

    # Space again, ArrowRight from the loose pile to the group, Space: two cards in it.
    keys.press("Space")
    keys.press("ArrowRight")
    page.locator(f"{wall} .ws-wall-group.ws-wall-over").wait_for(timeout=5_000)
    keys.press("Space")
    _until(lambda: layout(server.store, code).get("#1") == sorted([first_text, third_text]),
           lambda: layout(server.store, code))
    _wait_active(page, f'.ws-wall-group [data-card="{third}"]')

    # The "Move to…" menu: Tab to a loose card's ⋯ button, Enter opens it on its first item; Escape
    # closes it back onto the button; Enter again, ArrowDown to "New group", Enter moves the card there.
    keys.tab_to("el => el.matches('.ws-affinity .ws-wall-loose .ws-wall-menu-button')", limit=15, back=True)
    opener_card = page.evaluate("() => document.activeElement.closest('[data-card]').dataset.card")
    moved_text = page.evaluate("() => document.activeElement.closest('[data-card]').querySelector('.ws-wall-text').innerText")
    keys.press("Enter")
    page.locator(f"{wall} .ws-wall-popup[role=menu]").wait_for(timeout=5_000)
    _wait_active(page, ".ws-wall-popup [role=menuitem]")
    keys.press("Escape")
    page.locator(f"{wall} .ws-wall-popup").wait_for(state="detached", timeout=5_000)
    _wait_active(page, f'[data-card="{opener_card}"] .ws-wall-menu-button')
    keys.press("Enter")
    page.locator(f"{wall} .ws-wall-popup[role=menu]").wait_for(timeout=5_000)
    items = page.locator(f"{wall} .ws-wall-popup [role=menuitem]").all_inner_texts()
    assert items[-1].strip() == "New group", items
    keys.press("ArrowDown", len(items) - 1)
    _wait_active(page, ".ws-wall-popup [role=menuitem]:last-child")
    keys.press("Enter")
    _until(lambda: layout(server.store, code).get("#2") == [moved_text], lambda: layout(server.store, code))
    _wait_active(page, f'.ws-wall-group [data-card="{opener_card}"]')
    page.locator(f"{wall} .ws-wall-group:not(.ws-wall-guess) [data-card=\"{opener_card}\"]").wait_for(timeout=10_000)
    _wait_active(page, f'[data-card="{opener_card}"]')
    placed = layout(server.store, code)
    assert placed["#1"] == sorted([first_text, third_text]) and placed["#2"] == [moved_text]
    assert len(placed[""]) == len(texts) - 3

    # A change from elsewhere (a co-facilitator moves a loose card) redraws the wall: the focus
    # stays on the group title it was on, not thrown back to the top of the page.
    keys.tab_to("el => el.matches('.ws-affinity .ws-wall-group .ws-wall-title')", limit=15, back=True)
    title = page.evaluate("() => document.activeElement.innerText")
    focused_group = int(page.evaluate("() => document.activeElement.closest('[data-target]').dataset.target"))
    from workshop.domain import grouping
    board = grouping.board(server.store, code)
    loose_card = board.unassigned[0]
    target = next(v.id for v, _ in board.values if v.id != focused_group)
    grouping.assign_card(server.store, code, key, loose_card.id, target)
    page.locator(f"{wall} .ws-wall-group [data-card=\"{loose_card.id}\"]").wait_for(timeout=15_000)
    assert page.evaluate("() => document.activeElement.matches('.ws-wall-title')"), a11y.focused(page)
    assert page.evaluate("() => document.activeElement.innerText") == title
    print(f"keyboard: console advance (with a Cancel), timer, 3 wall moves and a cancel in {keys.count} key presses")
    B.screenshot(page, "a11y-console-keyboard-wall", full_page=False)


# ---- reflow: 320 CSS px, and 200% zoom on a 1280x800 screen (issue 15, third part) ----

NARROW = {"width": 320, "height": 640}
#: A 1280x800 window at 200% zoom: 640x400 CSS px, each drawn with two device pixels.
ZOOMED = {"width": 640, "height": 400}


@pytest.fixture
def zoomed(browser):
    """A visitor whose window is 1280x800 device pixels at 200% zoom."""
    opened = []

    def open_zoomed():
        context = browser.new_context(viewport=ZOOMED, device_scale_factor=2)
        context.add_init_script(B.TRAP_SCRIPT)
        context.set_default_timeout(30_000)
        visitor = B.Visitor(context, context.new_page(), "zoomed")
        opened.append(visitor)
        return visitor

    yield open_zoomed
    for v in opened:
        v.close()


def expect_reflow(page, label: str, look_at: str | None = None) -> None:
    """No horizontal scrolling, nothing clipped or overlapping, every target at least 24x24 CSS px.
    The screenshot shows ``look_at`` (scrolled into view) when given, else the top of the page."""
    settle(page)
    overflow = B.horizontal_overflow(page)
    problems = a11y.reflow_problems(page)
    size = page.viewport_size
    print(f"reflow {label} at {size['width']}x{size['height']}: overflow {overflow} px, "
          + ", ".join(f"{k} {len(v)}" for k, v in problems.items()))
    if look_at:
        page.locator(look_at).first.scroll_into_view_if_needed()
    B.screenshot(page, f"a11y-reflow-{label}", full_page=False)
    assert overflow <= 0, f"{label}: {overflow} px past the right edge: {B.widest_overflow(page)}"
    assert not any(problems.values()), f"{label}: {problems}"


REFLOW_PARTICIPANT = {"join": None, "brainstorm": None, "voting": "voting", "rating": "rating"}


@pytest.mark.parametrize("page_name", list(REFLOW_PARTICIPANT))
def test_participant_pages_reflow_at_320_css_px(server, seeded, visitors, page_name):
    if REFLOW_PARTICIPANT[page_name]:
        v = open_later(visitors, server, seeded, page_name, viewport=NARROW)
    else:
        v = open_participant(visitors, server, seeded, page_name, "en", viewport=NARROW)
    expect_reflow(v.page, f"participant-{page_name}-320",
                  look_at={"rating": ".ws-rating-nav", "voting": ".ws-ballot-line"}.get(page_name))


@pytest.mark.parametrize("role", FOLLOWUP_PAGES)
def test_followup_pages_reflow_at_320_css_px(server, seeded, visitors, role):
    v = open_followup(visitors, server, seeded, role, "en", viewport=NARROW,
                      on_join_screen=lambda page: expect_reflow(page, f"{role}-join-320"))
    expect_reflow(v.page, f"{role}-320", look_at={"stakeholder": ".ws-reaction", "survey": ".ws-clarity",
                                                  "exemplar": ".ws-benchmark-answer"}[role])


@pytest.mark.parametrize("stage", ["brainstorm", "values", "vision"])
def test_console_reflows_at_200_percent_zoom(server, seeded, zoomed, stage):
    phase = {"brainstorm": phases.BRAINSTORM, "values": phases.GROUPING, "vision": phases.RATING}[stage]
    code, key = seeded.at(phase)
    v = zoomed()
    B.open_app(v.page, server.facilitator_url(code, key), root=".ws-console")
    v.page.locator(f".ws-pane-{stage} .ws-pane-title").wait_for(state="visible", timeout=B.PAGE_TIMEOUT_MS)
    expect_reflow(v.page, f"console-{stage}-zoom200",
                  look_at={"values": ".ws-affinity .ws-wall-group", "vision": ".ws-ratings-table"}.get(stage))


def test_participant_page_reflows_at_200_percent_zoom(server, seeded, zoomed):
    code, _ = seeded.at(phases.BRAINSTORM)
    v = zoomed()
    B.open_app(v.page, server.participant_url(code))
    v.page.locator(".ws-join-button button:not([disabled])").wait_for(timeout=B.PAGE_TIMEOUT_MS)
    expect_reflow(v.page, "participant-join-zoom200")
    B.join(v.page, f"Zoomed {next(_names)}")
    expect_reflow(v.page, "participant-brainstorm-zoom200")
