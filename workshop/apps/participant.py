"""Entry point of notebooks/participant.ipynb: ?w=CODE[&lang=de][&p=TOKEN]."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from ..errors import NotAuthorized, NotFound
from ..i18n import translator
from ..store import open_store
from ..widgets.common import esc, style
from ..widgets.participant import ParticipantApp
from .request import preheated, query_params


def demo_code(store) -> str:
    """The demo workshop, for a notebook opened without a link (nbval, Jupyter)."""
    from ..demo import ensure_demo
    return ensure_demo(store, "brainstorm")[0]


def build(params: dict[str, str], store=None) -> w.Widget:
    store = store or open_store()
    code = params.get("w") or demo_code(store)
    try:
        return ParticipantApp(store, code, lang=params.get("lang"), token=params.get("p"))
    except NotFound:
        t = translator(params.get("lang"))
        return w.VBox([style(), w.HTML(
            f'<div class="ws-app"><div class="ws-title">{esc(t("This link does not open a workshop."))}</div>'
            f'<p>{esc(t("There is no workshop with the code {code}. Check the link with your facilitator.").format(code=code))}</p></div>')])
    except NotAuthorized as err:  # too many wrong codes tried lately
        t = translator(params.get("lang"))
        return w.VBox([style(), w.HTML(
            f'<div class="ws-app"><div class="ws-title">{esc(t("This link does not open a workshop."))}</div>'
            f'<p>{esc(err.localized(t))}</p></div>')])


def warm_up() -> None:
    """Do, before the visitor arrives, the first-time work a kernel would otherwise do on their clock.

    A fresh process's first query connects to the database, checks the schema and
    compiles its SQL, and the first widgets of each kind set up their traits:
    measured, the first ``build`` took 0.32 s + 0.14 s to open the store, the
    next ones 0.08 s."""
    try:
        store = open_store()
        store.revision("WARMUP")
        from .. import workshops
        workshops.status(store, "WARMUP")
    except Exception:  # noqa: BLE001 - NotFound is expected; a busy or down database is retried per visitor
        pass
    for cls in (w.HTML, w.Button, w.Text, w.Dropdown, w.VBox, w.HBox):
        cls().close()


def show() -> w.Widget:
    if preheated():
        warm_up()
    app = build(query_params())
    display(app)
    return app
