"""Invite (02): the join link, QR code and spoken code; who has joined, live; the shared countdown."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w
import segno

from workshop.core import credentials, links
from workshop.domain import workshops
from workshop.store.schema import utcnow
from workshop.widgets.facilitator.base import Panel, button, hint, private, section, set_html, set_options
from workshop.widgets.kit import esc

#: A participant's page marks them present every 20 s; a little slack before calling them away.
ONLINE_WITHIN = dt.timedelta(seconds=45)

#: Seconds between re-reading who is online (presence marks do not move the change marker).
PRESENCE_REFRESH = 10

# Letters of the join-code alphabet spelt for a call where "B" and "D" sound alike.
SPELLING = {
    "A": "Alfa", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo", "F": "Foxtrot", "G": "Golf",
    "H": "Hotel", "J": "Juliett", "K": "Kilo", "M": "Mike", "N": "November", "P": "Papa", "Q": "Quebec",
    "R": "Romeo", "S": "Sierra", "T": "Tango", "U": "Uniform", "V": "Victor", "W": "Whiskey", "X": "X-ray",
    "Y": "Yankee", "Z": "Zulu",
}


def spelt(code: str) -> str:
    """ABCD2345 -> "Alfa Bravo Charlie Delta – 2 3 4 5", halves apart as the code is shown."""
    words = [SPELLING.get(ch, ch) for ch in code]
    half = len(words) // 2
    return " ".join(words[:half]) + " – " + " ".join(words[half:]) if len(code) == 8 else " ".join(words)


def qr_svg(url: str) -> str:
    """The join link as an inline SVG QR code: sharp at any zoom, no image file."""
    return segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#101828")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class InvitePanel(Panel):
    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.url = links.participant_url(console.code)
        code = credentials.format_code(console.code)
        chat = t("Join our customer service workshop: {url} (join code {code})").format(url=self.url, code=code)
        self.joinbox = w.HTML(
            '<div class="ws-joinbox">'
            f'<div class="ws-qr" role="img" aria-label="{esc(t("QR code of the join link"))}">{qr_svg(self.url)}</div>'
            '<div>'
            f'<div class="ws-muted">{esc(t("Join code"))}</div><div class="ws-spoken">{esc(code)}</div>'
            f'<div class="ws-muted ws-spelt">{esc(spelt(console.code))}</div>'
            f'<p><span class="ws-muted">{esc(t("Link"))}</span><br><span class="ws-joinlink">{esc(self.url)}</span></p>'
            '</div></div>')
        self.chat = private(w.HTML(
            f'<p class="ws-muted">{esc(t("To paste into the video call chat (one click selects it all):"))}</p>'
            f'<div class="ws-joinlink ws-chat-message">{esc(chat)}</div>'))
        self.count = w.HTML()
        self.count.add_class("ws-joined-by-role")
        self.joining = w.HTML()
        self.joining.add_class("ws-joining-state")
        self.close_joining = button(t("Close joining"), self._close_joining, icon="lock")
        self.close_joining.add_class("ws-close-joining")
        self.open_joining = button(t("Reopen joining"), self._open_joining, icon="unlock")
        self.open_joining.add_class("ws-open-joining")
        self.people = w.HTML()
        self.people.add_class("ws-people-list")
        self.relink_choice = w.Dropdown(description=t("Person"), style={"description_width": "initial"},
                                        layout=w.Layout(width="20em"))  # a named menu (WCAG: select-name)
        self.relink = button(t("New personal link"), self._relink, icon="link")
        self.relink_out = w.HTML()
        self._ticks = 0
        self._people_ids: list = []
        self.children = [
            section(t("Ask everyone to join")),
            hint(t("Say the code aloud, show the QR code, and paste the link into the call's chat.")),
            self.joinbox, self.chat,
            section(t("Who has joined")), self.count, self.people,
            w.HBox([self.joining, self.close_joining, self.open_joining],
                   layout=w.Layout(flex_flow="row wrap", align_items="center")),
            private(w.VBox([
                section(t("Someone lost their page?")),
                hint(t("Make them a new personal link: their cards and votes come with it, and the old link stops working.")),
                w.HBox([self.relink_choice, self.relink], layout=w.Layout(flex_flow="row wrap")),
                self.relink_out])),
            self.feedback,
        ]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        self._show_people()
        self._show_joining()

    def _show_joining(self) -> None:
        t, is_open = self.t, self.status.joining_open
        set_html(self.joining, f'<span class="ws-muted">{esc(t("Joining is open.") if is_open else t("Joining is closed: nobody new can join; everyone in stays in."))}</span>')
        self.close_joining.layout.display = None if is_open else "none"
        self.open_joining.layout.display = "none" if is_open else None

    def _close_joining(self) -> None:
        self.act(workshops.set_joining, False)

    def _open_joining(self) -> None:
        self.act(workshops.set_joining, True)

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % PRESENCE_REFRESH == 0:
            self._show_people()

    def _show_people(self) -> None:
        t, c = self.t, self.console
        everyone = workshops.participants(c.store, c.code, c.key, role=None)
        people = [p for p in everyone if p.role == "member"]
        now = utcnow()
        now = _aware(now)
        online = [p for p in people if now - _aware(p.last_seen_at) <= ONLINE_WITHIN]
        labels = {"member": t("members"), "stakeholder": t("stakeholders"), "employee": t("survey takers"),
                  "exemplar": t("exemplars")}
        per_role = {role: sum(1 for p in everyone if p.role == role) for role in workshops.ROLES}
        others = "".join(f'<div class="ws-muted ws-role-count" data-role="{role}">{n} {esc(labels[role])}</div>'
                         for role, n in per_role.items() if role != "member" and n)
        set_html(self.count, f'<div class="ws-count-big">{len(people)}</div>'
                             f'<div class="ws-muted">{esc(t("joined, {n} online now").format(n=len(online)))}</div>'
                             + others)
        if self.status.anonymous:
            # Counts only: names in join order ("Participant 7") would match numbers to faces on the call.
            set_html(self.people, f'<p class="ws-muted">{esc(t("Anonymous workshop: only the number of people is shown."))}</p>'
                     if people else f'<p class="ws-muted">{esc(t("Nobody has joined yet."))}</p>')
        else:
            items = "".join(
                f'<li class="{"ws-online" if p in online else "ws-away"}">{esc(p.name)}</li>' for p in people)
            set_html(self.people, f'<ul class="ws-people">{items}</ul>' if people
                     else f'<p class="ws-muted">{esc(t("Nobody has joined yet."))}</p>')
        # Anonymous: no list in join order to pick from; someone who lost their page joins again.
        options = [] if self.status.anonymous else [(p.name, p.id) for p in people]
        set_options(self.relink_choice, options)
        self.relink.disabled = not options

    def _relink(self) -> None:
        pid = self.relink_choice.value
        if pid is None:
            return
        token = self.act(workshops.reissue_link, pid)
        if token:
            url = links.notebook_url(links.PARTICIPANT_NOTEBOOK, w=self.console.code, p=token)
            set_html(self.relink_out, f'<p>{esc(self.t("Send this link to them privately:"))}<br>'
                                      f'<span class="ws-joinlink">{esc(url)}</span></p>')
