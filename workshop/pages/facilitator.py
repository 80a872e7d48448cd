"""Entry point of the stage notebooks (see ``workshop.core.stages``): ?w=CODE&key=KEY[&lang=de]."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.core import stages
from workshop.i18n import translator
from workshop.pages.request import query_params
from workshop.store import open_store
from workshop.widgets.facilitator.app import FacilitatorApp
from workshop.widgets.kit import problem_page


def build(stage: str, params: dict[str, str], store=None, **options) -> w.Widget:
    stages.stage(stage)  # an unknown stage fails here
    store = store or open_store()
    # Without a link the page asks for the join code and key; it never opens a demo workshop.
    code, key = params.get("w"), params.get("key")
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
        app = problem_page(t("This page could not be opened."),
                           t("Please reload the page. If it keeps happening, check that the workshop server is running."))
        display(app)
        raise
    display(app)
    return app
