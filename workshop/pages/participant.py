"""Entry point of notebooks/participant.ipynb: ?w=CODE[&lang=de][&p=TOKEN].

Two cells, so a preheated kernel has done nearly everything before anyone
arrives. ``prepare`` (first cell) imports, touches the database and builds the
join screen; Voila renders it into the page ahead of time. ``open_workshop``
(second cell) waits for the visitor's request, then fills in their workshop:
a status query and a few changed values, not fifty new widgets.
"""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets  # noqa: F401 - the widget machinery, loaded before the visitor arrives
from IPython.display import display

from workshop.core.errors import NotAuthorized, NotFound
from workshop.pages.request import preheated, query_params
from workshop.store import open_store
from workshop.widgets.participant import ParticipantApp


def open_app(app: ParticipantApp, params: dict[str, str]) -> ParticipantApp:
    """Open the workshop of ``params`` in ``app``, or say why the link opens nothing."""
    code = params.get("w")
    if not code:  # no link: the visitor types the code (never a demo workshop)
        app.ask_for_code(lang=params.get("lang"))
        return app
    try:
        app.load_workshop(code, lang=params.get("lang"), token=params.get("p"))
    except NotFound:
        t = app.t
        app.show_problem(t("This link does not open a workshop."),
                         t("There is no workshop with the code {code}. Check the link with your facilitator.").format(code=code))
    except NotAuthorized as err:  # too many wrong codes tried lately from this address
        app.show_problem(app.t("This link does not open a workshop."), err.localized(app.t))
    return app


def warm_up(store) -> None:
    """Do, before the visitor arrives, the first-time database work a kernel would otherwise
    do on their clock: connect, check the schema, compile the queries of opening a workshop
    (measured in a kernel: the first opening took 40 ms of CPU, later ones 10 ms)."""
    from workshop.domain import workshops
    try:
        store.seen_revision("WARMUP", 0)  # the poll's query, compiled before the visitor's first
        newest = workshops.list_workshops(store, limit=1)
        if newest:  # read-only: status() is what opening a workshop costs, minus the throttle record
            workshops.status(store, newest[0][0])
    except Exception:  # noqa: BLE001 - a busy or down database is retried per visitor
        pass


def prepare() -> ParticipantApp:
    """First cell: the join screen, built and shown before the visitor's request."""
    store = open_store()
    if preheated():
        warm_up(store)
    app = ParticipantApp(store)
    display(app)
    return app


def open_workshop(app: ParticipantApp) -> ParticipantApp:
    """Second cell: wait for the visitor's request (``wait_for_request``), then open their workshop."""
    return open_app(app, query_params())

