"""The finished philosophy in large type, publishing it to the room, and the data to take away."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import tempfile
import zipfile
from pathlib import Path

import ipywidgets as w

from workshop.core import phases
from workshop.domain import workshops
from workshop.outputs import philosophy
from workshop.widgets.facilitator.base import Panel, button, private, section, set_html
from workshop.widgets.kit import esc, gapped, show, static_text, stylesheet

log = logging.getLogger(__name__)

CSS = static_text("facilitator-publish.css")


def philosophy_html(p: philosophy.Philosophy, t) -> str:
    """The method's template: purpose, vision, values, and how each value is lived."""
    parts = [f"<h4>{esc(t('Our purpose'))}</h4>"]
    if p.purpose_sentence:
        parts.append(f'<p class="ws-purpose">{esc(p.purpose_sentence)}</p>')
    else:
        parts.append(f'<p class="ws-missing">{esc(t("Not written yet."))}</p>')
    parts.append(f"<h4>{esc(t('Customer support vision'))}</h4>")
    if p.vision:
        parts.append(f'<p class="ws-muted ws-note">{esc(t("When we interact with customers, we want them to know:"))}</p>'
                     f'<p class="ws-vision-line">“{esc(p.vision)}”</p>')
    else:
        parts.append(f'<p class="ws-missing">{esc(t("No vision has been chosen yet (stage 06)."))}</p>')
    parts.append(f"<h4>{esc(t('Support values'))}</h4>")
    if p.values:
        parts.append('<ul class="ws-value-list">' + "".join(
            f'<li><b class="ws-name">{esc(v.name)}</b>'
            + (f' <span class="ws-description">{esc(v.description)}</span>' if v.description else "") + "</li>"
            for v in p.values) + "</ul>")
        parts.append(f"<h4>{esc(t('How we live our support philosophy'))}</h4>")
        for v in p.values:
            action = (f'<div class="ws-action">{esc(v.action_statement)}</div>' if v.action_statement
                      else f'<div class="ws-missing">{esc(t("No action statement yet (stage 07)."))}</div>')
            metrics = (f'<div class="ws-metrics">{esc(t("Key metrics:"))} {esc(", ".join(v.metrics))}</div>'
                       if v.metrics else "")
            parts.append(f'<div class="ws-live-value"><span class="ws-name">{esc(v.name)}</span>{action}{metrics}</div>')
    else:
        parts.append(f'<p class="ws-missing">{esc(t("No values have been chosen yet (stage 05)."))}</p>')
    return '<div class="ws-philosophy-doc">' + "".join(parts) + "</div>"


def csv_zip(store, code: str, key: str) -> bytes:
    """Every table of the workshop as CSV files in one zip, as ``workshop export`` writes them."""
    from workshop.outputs import export  # pandas: loaded only when someone asks for the files

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="workshop-export-") as folder:
        paths = export.export_workshop(store, code, folder, key=key)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(paths):
                archive.write(path, arcname=Path(path).name)
    return buffer.getvalue()


def download_link(data: bytes, filename: str, label: str, mime: str = "application/zip") -> str:
    """A link that saves ``data`` as ``filename``: no server route, works behind any proxy."""
    href = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return f'<a download="{esc(filename)}" href="{href}">⬇ {esc(label)}</a>'


class PublishPanel(Panel):
    """Shows the philosophy for the room and offers its data as files."""

    def __init__(self, console, status):
        super().__init__(console, status)
        t = self.t
        self.stage_note = w.HTML()
        self.doc = w.HTML()
        self.doc.add_class("ws-philosophy-preview")
        self.publish = button(t("Publish: show it on everyone's screen"), self._publish, "success", "bullhorn")
        self.publish.add_class("ws-publish")
        self.prepare = button(t("Prepare the CSV files"), self._prepare, "", "file-archive-o")
        self.prepare.add_class("ws-prepare-csv")
        self.download = w.HTML()
        self.download.add_class("ws-download")
        self._prepared_at: int | None = None
        #: Further downloads (the philosophy as documents) are added to this box.
        self.downloads = w.VBox([
            w.HTML(f'<p class="ws-muted ws-note">{esc(t("Take the results with you before the call ends. The files hold every card, vote and rating, with names unless the workshop is anonymous."))}</p>'),
            gapped(w.HBox([self.prepare, self.download], layout=w.Layout(align_items="center", flex_flow="row wrap"))),
        ])
        from workshop.widgets.facilitator.documents import DocumentDownloads  # imports this module: import it late
        self.downloads.children += (DocumentDownloads(console),)
        self.export_box = private(w.VBox([section(t("Download")), self.downloads]))
        self.children = [stylesheet(CSS), section(t("Our customer service philosophy")), self.stage_note, self.doc,
                         self.publish, self.feedback, self.export_box]
        self.refresh(status)

    def refresh(self, status) -> None:
        super().refresh(status)
        c, t = self.console, self.t
        set_html(self.doc, philosophy_html(philosophy.build(c.store, c.code, t), t))
        if status.phase == phases.PUBLISHED:
            note = t("Published: participants see this on their screens now.")
        elif status.phase == phases.ACTIONS:
            note = t("A preview. When the room agrees, publish it to everyone's screen.")
        else:
            note = t("A preview of the philosophy so far.")
        set_html(self.stage_note, f'<p class="ws-muted ws-note">{esc(note)}</p>')
        show(self.publish, status.phase == phases.ACTIONS)
        if self._prepared_at is not None and status.revision != self._prepared_at:
            # The workshop changed since: an old file would miss it.
            self._prepared_at = None
            set_html(self.download, f'<span class="ws-muted">{esc(t("The workshop has changed; prepare the files again."))}</span>')

    def _publish(self) -> None:
        self.act(workshops.advance, success=self.t("Published."))

    def _prepare(self) -> None:
        c, t = self.console, self.t
        try:
            status = workshops.status(c.store, c.code)
            data = csv_zip(c.store, c.code, c.key)
        except Exception:  # noqa: BLE001 - the facilitator sees a plain message, the log the details
            log.exception("CSV export failed")
            self.feedback.error(t("The files could not be prepared. Please try again."))
            return
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        label = t("Download the CSV files ({size} KB)").format(size=max(1, round(len(data) / 1024)))
        set_html(self.download, download_link(data, f"workshop-{c.code}-{stamp}-csv.zip", label))
        self._prepared_at = status.revision
