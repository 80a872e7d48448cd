"""Entry points of the follow-up notebooks: stakeholder.ipynb, survey.ipynb, exemplar.ipynb (?s=SECRET[&lang=de])."""

from __future__ import annotations

# Imported before the request arrives: a preheated kernel has paid for these already.
import ipywidgets as w
from IPython.display import display

from workshop.core import stages
from workshop.core.errors import NotAuthorized, NotFound, WorkshopError
from workshop.domain import audiences
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
    """The page for ``?s=SECRET`` (the audience's own link; see domain/audiences.py).

    The leadership group's join code (``?w=CODE``) does not open these pages, and
    their links carry no join code, so they do not open participant.ipynb either."""
    store = store or open_store()
    secret = params.get(audiences.PARAM) or ""
    t = translator(params.get("lang"))
    if not secret:  # never a demo workshop: these pages are reached only from the link people were sent
        if params.get("w"):
            return problem_page(t("This link does not open this page."),
                                t("This page opens only with its own link, not with the workshop's join code. "
                                  "Please ask your facilitator for the link of this page."))
        return problem_page(t("This link does not open a workshop."), t("Open this page with the link you were sent."))
    app = app_class(kind)
    try:
        code = audiences.resolve(store, secret, app.role)
        return app(store, code, lang=params.get("lang"), token=params.get("p"), secret=secret)
    except NotAuthorized as err:  # not this page's secret (or none at all)
        return problem_page(t("This link does not open this page."), err.localized(t))
    except NotFound:
        return problem_page(t("This link does not open a workshop."),
                            t("There is no workshop with the code {code}. Check the link with your facilitator.").format(code=code))
    except WorkshopError as err:  # e.g. too many wrong codes tried from here lately
        return problem_page(t("This link does not open a workshop."), err.localized(t))


def show(kind: str) -> w.Widget:
    app = build(kind, query_params())
    display(app)
    return app
