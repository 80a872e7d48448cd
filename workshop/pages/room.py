"""Entry point of notebooks/room.ipynb, the room screen the facilitator shares: ?s=SECRET[&lang=de].

The page opens only with the room screen's own link (its audience secret, see
domain/room.py); the workshop's join code (``?w=``) does not open it.
"""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.core.errors import NotAuthorized, NotFound, WorkshopError
from workshop.domain import audiences
from workshop.i18n import translator
from workshop.pages.request import query_params
from workshop.store import open_store
from workshop.widgets.kit import problem_page
from workshop.widgets.room import RoomScreen


def build(params: dict[str, str], store=None, live_interval: float | None = None) -> w.Widget:
    """The room screen for ``?s=SECRET``, or a page that says why the link opens nothing."""
    store = store or open_store()
    secret = params.get(audiences.PARAM) or ""
    lang = params.get("lang")
    t = translator(lang)
    if not secret:
        if params.get("w"):
            return problem_page(t("This link does not open this page."),
                                t("The room screen opens only with its own link, not with the workshop's join code. "
                                  "The facilitator's console shows that link."))
        return problem_page(t("This link does not open a workshop."), t("Open this page with the link you were sent."))
    try:
        kwargs = {} if live_interval is None else {"live_interval": live_interval}
        return RoomScreen(store, secret, lang=lang, **kwargs)
    except NotAuthorized as err:  # not the room screen's secret, or too many tries from here
        return problem_page(t("This link does not open this page."), err.localized(t))
    except NotFound:
        return problem_page(t("This link does not open a workshop."), t("Open this page with the link you were sent."))
    except WorkshopError as err:
        return problem_page(t("This link does not open a workshop."), err.localized(t))


def show() -> w.Widget:
    app = build(query_params())
    display(app)
    if isinstance(app, RoomScreen):
        app.start()
    return app
