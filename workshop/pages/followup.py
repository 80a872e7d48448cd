"""Entry points of the follow-up notebooks: stakeholder.ipynb, survey.ipynb, exemplar.ipynb (?w=CODE[&lang=de])."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.core.errors import NotFound
from workshop.i18n import translator
from workshop.pages.request import query_params
from workshop.store import open_store
from workshop.widgets.kit import esc, style
from workshop.widgets.participant.exemplar import ExemplarApp
from workshop.widgets.participant.gutcheck import StakeholderApp
from workshop.widgets.participant.survey import SurveyApp

APPS = {"stakeholder": StakeholderApp, "survey": SurveyApp, "exemplar": ExemplarApp}


def demo_code(store) -> str:
    """The finished demo workshop, for a notebook opened without a link (nbval, Jupyter)."""
    from workshop.demo.seed import ensure_demo
    return ensure_demo(store, "published")[0]


def build(kind: str, params: dict[str, str], store=None) -> w.Widget:
    store = store or open_store()
    code = params.get("w") or demo_code(store)
    try:
        return APPS[kind](store, code, lang=params.get("lang"), token=params.get("p"))
    except NotFound:
        t = translator(params.get("lang"))
        return w.VBox([style(), w.HTML(
            f'<div class="ws-app"><div class="ws-title">{esc(t("This link does not open a workshop."))}</div>'
            f'<p>{esc(t("There is no workshop with the code {code}. Check the link with your facilitator.").format(code=code))}</p></div>')])


def show(kind: str) -> w.Widget:
    app = build(kind, query_params())
    display(app)
    return app
