"""The shell every visitor's page shares: language menu, who they are, the remembered identity, live updates.

The participants' page and the follow-up pages (gut check, benchmark,
survey) differ only in how someone joins and what they see once in; opening
the workshop (throttled for unknown codes), recognising a remembered token
and following changes are done here, once.
"""

from __future__ import annotations

import uuid

import ipywidgets as w

from workshop.core.errors import N_, NotAuthorized, WorkshopError
from workshop.domain import throttle, workshops
from workshop.i18n import LANGUAGES, translator
from workshop.store import Store
from workshop.widgets.identity import IdentityKeeper
from workshop.widgets.live import ROOM, Live
from workshop.widgets.page import PageSemantics

#: Pages (kernels) that hold an identity already: one page, one person, whatever widget
#: messages arrive later (a second app in the same kernel included).
_PAGES_WITH_SOMEONE: set[str] = set()

ALREADY_JOINED = N_("This page has already joined the workshop. To join as someone else, open the link in another browser.")


#: The language menu's label: shown beside it, and its accessible name, in the reader's language.
LANGUAGE_LABEL = N_("Language")


def language_menu(lang: str, label: str = "Language") -> w.Dropdown:
    menu = w.Dropdown(options=[(name, code) for code, name in LANGUAGES.items()], value=lang,
                      description=label, style={"description_width": "initial"}, layout=w.Layout(width="auto"))
    menu.add_class("ws-language")
    return menu


#: Seconds between two repaints of a visitor's page for a change of counts alone (someone
#: joined, a hidden card written). The room screen shows them at once; a phone's "12 people
#: have joined" may lag a few seconds, and then a crowd joining at once does not repaint every
#: phone twice a second for each of them (150 joining at once: p50 20 s before, measured).
COUNTS_EVERY = 5.0


class VisitorShell(w.VBox):
    """Subclasses provide ``recognise`` (a remembered token -> who, or None), ``signed_in``,
    ``changed`` and ``language_changed``; and call ``open_workshop`` once they know the workshop."""

    #: Kept apart in the browser per role, so a member can also take the survey as themselves.
    identity_scope = ""
    #: Seconds between looks at the workshop; None for no live updates.
    live_interval: float | None = 0.5

    def __init__(self, store: Store, lang: str | None = None):
        super().__init__()
        self.add_class("ws-app")
        self.store = store
        self.code = ""
        self.status: workshops.Status | None = None
        self.t = translator(lang)
        self.live: Live | None = None
        self.language = language_menu(self.t.lang, self.t(LANGUAGE_LABEL))
        self.language.observe(self._language_chosen, "value")
        #: The page's lang, title, main landmark, focus moves and polite announcements.
        self.page = PageSemantics()
        self.page.set_language(self.t.lang)
        self.identity = IdentityKeeper()
        self.identity.observe(self._identity_ready, "ready")
        #: This widget's own page id, for counting guesses outside a Voila kernel.
        self._page = uuid.uuid4().hex
        self._someone = False

    # ---- one page, one person ---------------------------------------------------------------
    @property
    def guesser(self) -> throttle.Guesser:
        """Who guesses codes from here: this kernel (and the address, once the request is read)."""
        return throttle.Guesser.here(page=self._page)

    @property
    def holds_identity(self) -> bool:
        return self._someone or self.guesser.page in _PAGES_WITH_SOMEONE

    def _hold(self) -> None:
        self._someone = True
        _PAGES_WITH_SOMEONE.add(self.guesser.page)

    def join_once(self, join, *args, **kwargs):
        """Call the domain's ``join`` unless this page already holds someone (NotAuthorized then):
        every join button, form and message of the page goes through here."""
        if self.holds_identity or self.is_signed_in:
            raise NotAuthorized(ALREADY_JOINED)
        joined = join(*args, **kwargs)
        if joined is not None:
            self._hold()
        return joined

    # ---- to be provided by each page ----------------------------------------------------
    def recognise(self, token: str):
        """Who ``token`` is in this page's role (raise WorkshopError or return None if nobody)."""
        raise NotImplementedError

    def signed_in(self, who) -> None:
        raise NotImplementedError

    @property
    def is_signed_in(self) -> bool:
        raise NotImplementedError

    def changed(self) -> None:
        """The workshop changed (seen by the live poller, or after reconnecting)."""

    def connection(self, ok: bool) -> None:
        if ok:
            self.changed()

    def tick(self) -> None:
        """Called at every look at the workshop, changed or not."""

    def language_changed(self) -> None:
        """The visitor chose another language: repaint."""

    # ---- shared ---------------------------------------------------------------------------
    def open_workshop(self, code: str, lang: str | None = None, token: str | None = None) -> None:
        """Open the workshop ``code`` (NotFound, or NotAuthorized while codes are being guessed),
        then recognise the visitor from their link's token or the one their browser remembers."""
        self.code = workshops.normalize_code(code)
        self.status = workshops.enter(self.store, self.code, guesser=self.guesser)
        self.t = translator(lang or self.status.language)
        self.set_language(self.t.lang)
        if self.live_interval:
            # What the room sees and, once signed in, this visitor's own writes: not every vote.
            self.live = Live(self.store, self.code, interval=self.live_interval, follows=ROOM,
                             counts_every=COUNTS_EVERY)
            self.live.on_change(self.changed)
            self.live.on_connection(self.connection)
            self.live.on_tick(self.tick)
        # The browser reads the remembered token once it knows the workshop (see IdentityKeeper).
        self.identity.code = f"{self.code}:{self.identity_scope}" if self.identity_scope else self.code
        if token:
            self._try_token(token, from_link=True)
        elif self.identity.ready and self.identity.token:
            self._try_token(self.identity.token)

    def follow(self, participant_id: int) -> None:
        """From now on also follow this participant's own writes (their other tabs): called once
        they are signed in, before their page is painted (see ``Live.follow``)."""
        if self.live is not None:
            self.live.follow(participant_id)

    def start_live(self) -> None:
        if self.live is not None:
            self.live.start()

    def set_language(self, lang: str) -> None:
        """Show ``lang`` in the menu without treating it as the visitor's choice."""
        self.language.unobserve(self._language_chosen, "value")
        self.language.value = lang
        self.language.observe(self._language_chosen, "value")
        self._label_language()

    def _label_language(self) -> None:
        self.language.description = self.t(LANGUAGE_LABEL)
        self.page.set_language(self.t.lang)

    def _identity_ready(self, change) -> None:
        if change["new"] and self.status is not None and not self.is_signed_in and self.identity.token:
            self._try_token(self.identity.token)

    def _try_token(self, token: str, from_link: bool = False) -> None:
        """Come back as the person ``token`` names. Never creates anyone; never a second person
        on a page that holds one. A link's token that names nobody is said so (``link_refused``)."""
        if self.is_signed_in or self.holds_identity:
            return
        try:
            who = self.recognise(token)
        except WorkshopError as err:
            if from_link:
                self.link_refused(err)
            return
        if who is not None:
            self._hold()
            self.signed_in(who)

    def link_refused(self, err: WorkshopError) -> None:
        """The personal link's token names nobody: say so beside the join form."""

    def _language_chosen(self, change) -> None:
        self.t = translator(change["new"])
        self._label_language()
        self.language_changed()
