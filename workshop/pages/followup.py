"""Entry points of the follow-up notebooks: stakeholder.ipynb, survey.ipynb, exemplar.ipynb (?w=CODE[&lang=de])."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.core import stages
from workshop.core.errors import NotFound, WorkshopError
from workshop.i18n import translator
from workshop.pages.request import query_params
from workshop.store import open_store
from workshop.widgets.kit import problem_page


def app_class(kind: str):
    """The visitors' app of the follow-up page ``kind`` ("survey" for survey.ipynb), from the stage registry."""
    return stages.load(stages.visitor_stage(kind).visitor_app)


# Imported before the request arrives: a preheated kernel has paid for them.
for _stage in stages.STAGES:
    if _stage.visitor_app:
        stages.load(_stage.visitor_app)


def build(kind: str, params: dict[str, str], store=None) -> w.Widget:
    store = store or open_store()
    code = params.get("w") or ""
    t = translator(params.get("lang"))
    if not code:  # never a demo workshop: these pages are reached only from the link people were sent
        return problem_page(t("This link does not open a workshop."), t("Open this page with the link you were sent."))
    try:
        return app_class(kind)(store, code, lang=params.get("lang"), token=params.get("p"))
    except NotFound:
        return problem_page(t("This link does not open a workshop."),
                            t("There is no workshop with the code {code}. Check the link with your facilitator.").format(code=code))
    except WorkshopError as err:  # e.g. too many wrong codes tried from here lately
        return problem_page(t("This link does not open a workshop."), err.localized(t))


def show(kind: str) -> w.Widget:
    app = build(kind, query_params())
    display(app)
    return app
