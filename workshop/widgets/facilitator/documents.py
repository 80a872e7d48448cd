"""Download the philosophy document (Markdown, printable HTML, Word), made from the workshop on request."""

from __future__ import annotations

import logging

import ipywidgets as w

from workshop.core.errors import N_
from workshop.outputs import document
from workshop.widgets.facilitator.base import Console, button, set_html
from workshop.widgets.facilitator.followup import file_link
from workshop.widgets.kit import Feedback

log = logging.getLogger(__name__)

FORMATS = [
    (".html", "text/html", N_("The philosophy as a web page (print it to PDF from the browser)")),
    (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     N_("The philosophy as a Word document")),
    (".md", "text/markdown", N_("The philosophy as Markdown (for a wiki)")),
]


class DocumentDownloads(w.VBox):
    """A button that builds the three documents, and their download links."""

    def __init__(self, console: Console):
        super().__init__()
        self.console, self.t = console, console.t
        self.add_class("ws-documents")
        self.feedback = Feedback()
        self.links = w.HTML()
        self.links.add_class("ws-download")
        self.prepare = button(self.t("Prepare the philosophy documents"), self._prepare, "", "file-text-o")
        self.prepare.add_class("ws-prepare-documents")
        # In a row of its own, so the button keeps its natural width like the CSV one above.
        self.children = [w.HBox([self.prepare]), self.links, self.feedback]

    def _prepare(self) -> None:
        c, t = self.console, self.t
        try:
            files = {
                ".md": document.render_markdown(c.store, c.code, c.key, lang=t.lang),
                ".html": document.render_html(c.store, c.code, c.key, lang=t.lang),
                ".docx": document.render_docx(c.store, c.code, c.key, lang=t.lang),
            }
        except Exception:  # noqa: BLE001 - the facilitator sees a plain message, the log the details
            log.exception("document rendering failed")
            self.feedback.error(t("The documents could not be prepared. Please try again."))
            return
        stem = document.file_stem(c.code)
        # Labels are message ids, so they are translated here, when shown.
        items = "".join(f"<li>{file_link(files[suffix], stem + suffix, t(label), mime)}</li>"
                        for suffix, mime, label in FORMATS)
        set_html(self.links, f"<ul>{items}</ul>")
        self.feedback.ok(t("Ready. The documents show the workshop as it is now."))
