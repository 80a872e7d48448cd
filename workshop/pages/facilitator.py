"""Entry point of the stage notebooks (00-facilitator.ipynb … 08-publish.ipynb): ?w=CODE&key=KEY[&lang=de]."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.i18n import translator
from workshop.pages.request import query_params
from workshop.store import open_store
from workshop.widgets.facilitator import DEMO_PHASES, PANELS
from workshop.widgets.facilitator.app import FacilitatorApp
from workshop.widgets.kit import esc, style


def demo_workshop(store, stage: str) -> tuple[str, str]:
    """The demo workshop at a phase that suits ``stage``, for a notebook opened without a link."""
    from workshop.demo.seed import ensure_demo
    return ensure_demo(store, DEMO_PHASES[stage])


def build(stage: str, params: dict[str, str], store=None, **options) -> w.Widget:
    if stage not in PANELS:
        raise ValueError(f"unknown facilitator stage {stage!r}; one of {', '.join(PANELS)}")
    store = store or open_store()
    code, key = params.get("w"), params.get("key")
    if not code:
        code, key = demo_workshop(store, stage)
    return FacilitatorApp(store, code, key, stage, lang=params.get("lang"), **options)


def show(stage: str) -> w.Widget:
    """Read the request, then display the facilitator app of ``stage``."""
    params = query_params()
    try:
        app = build(stage, params)
    except Exception:
        # A visitor never sees a traceback; the server log keeps it.
        import logging
        logging.getLogger(__name__).exception("facilitator app %s failed to start", stage)
        t = translator(params.get("lang"))
        app = w.VBox([style(), w.HTML(
            f'<div class="ws-app"><div class="ws-title">{esc(t("This page could not be opened."))}</div>'
            f'<p>{esc(t("Please reload the page. If it keeps happening, check that the workshop server is running."))}</p></div>')])
        display(app)
        raise
    display(app)
    return app
