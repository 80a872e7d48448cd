"""The facilitator's page style and the large-type presentation view for screen sharing.

The presentation view is a class on the shell: type and controls grow, and
anything marked ``ws-private`` (the key-carrying links, who wrote which card,
cards not yet revealed) disappears from the shared screen.
"""

from __future__ import annotations

import ipywidgets as w

FACILITATOR_STYLE = """
<style>
.ws-app.ws-facilitator { max-width: 1200px; }
/* Space between buttons and fields in a row (ipywidgets layouts have no gap). */
.ws-facilitator .widget-hbox { gap: 6px; }
.ws-facilitator .widget-vbox { gap: 2px; }
.ws-facilitator .ws-header { gap: 8px 16px; border-bottom: 1px solid #d0d5dd; padding-bottom: 6px; }
.ws-facilitator .ws-code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-weight: 700;
  letter-spacing: 0.08em; background: #f2f4f7; border-radius: 6px; padding: 1px 8px; white-space: nowrap; }
.ws-facilitator .ws-stage-now { background: #1849a9; color: #fff; border-radius: 999px; padding: 2px 12px;
  white-space: nowrap; font-weight: 600; }
.ws-facilitator .ws-phases { display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0; padding: 0; list-style: none; }
.ws-facilitator .ws-phases li { border: 1px solid #d0d5dd; border-radius: 999px; padding: 1px 10px; color: #52606d;
  font-size: 0.9em; white-space: nowrap; }
.ws-facilitator .ws-phases li.ws-done { background: #ecfdf3; border-color: #abefc6; color: #067647; }
.ws-facilitator .ws-phases li.ws-current { background: #1849a9; border-color: #1849a9; color: #fff; font-weight: 650; }
.ws-facilitator .ws-nav { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 4px 0; align-items: center; }
.ws-facilitator .ws-nav a { text-decoration: none; color: #1849a9; border: 1px solid #b2ccff; border-radius: 6px;
  padding: 1px 8px; white-space: nowrap; }
.ws-facilitator .ws-nav a.ws-here { background: #1849a9; color: #fff; border-color: #1849a9; }
.ws-facilitator .ws-nav a.ws-live-stage { box-shadow: 0 0 0 2px #fdb022; }
.ws-facilitator .ws-panel { margin-top: 8px; gap: 4px; }
.ws-facilitator a.ws-go { display: inline-block; margin-left: 6px; background: #1849a9; color: #fff; border-radius: 6px;
  padding: 2px 10px; text-decoration: none; font-weight: 600; }
.ws-facilitator .ws-panel h3 { margin: 14px 0 4px; font-size: 1.15em; }
.ws-facilitator .ws-confirm { background: #fffaeb; border: 1px solid #fec84b; border-radius: 8px; padding: 6px 10px;
  align-items: center; gap: 8px; flex-wrap: wrap; }
.ws-facilitator .ws-stats { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.ws-facilitator .ws-stat { border: 1px solid #d0d5dd; border-radius: 8px; padding: 6px 14px; min-width: 7em; text-align: center; }
.ws-facilitator .ws-stat b { display: block; font-size: 1.8em; line-height: 1.2; }
.ws-facilitator .ws-wall { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 6px;
  align-items: start; }
.ws-facilitator .ws-wall .ws-card { margin: 0; }
.ws-facilitator .ws-author { display: block; font-size: 0.8em; color: #52606d; margin-top: 4px; }
.ws-facilitator .ws-count-big { font-size: 3em; font-weight: 700; line-height: 1.1; }
.ws-facilitator .ws-joinbox { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; }
.ws-facilitator .ws-joinlink { font-family: ui-monospace, Menlo, Consolas, monospace; user-select: all;
  background: #f2f4f7; border-radius: 6px; padding: 4px 8px; overflow-wrap: anywhere; display: inline-block; }
.ws-facilitator .ws-spoken { font-size: 2.6em; font-weight: 750; letter-spacing: 0.12em;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
.ws-facilitator .ws-people { display: flex; flex-wrap: wrap; gap: 6px; padding: 0; list-style: none; }
.ws-facilitator .ws-people li { border: 1px solid #d0d5dd; border-radius: 999px; padding: 2px 10px; }
.ws-facilitator .ws-online::before { content: "●"; color: #12b76a; margin-right: 4px; }
.ws-facilitator .ws-away::before { content: "○"; color: #98a2b3; margin-right: 4px; }
.ws-facilitator table.ws-table { border-collapse: collapse; }
.ws-facilitator table.ws-table td, .ws-facilitator table.ws-table th { border-bottom: 1px solid #eaecf0;
  padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
.ws-facilitator .ws-value-box { background: #eef4ff; border: 1px solid #b2ccff; border-radius: 8px; padding: 6px 8px;
  margin: 4px 0; }
.ws-facilitator .ws-unassigned-box { background: #fcfcfd; border: 1px dashed #98a2b3; border-radius: 8px;
  padding: 6px 8px; margin: 4px 0; }
.ws-facilitator .ws-card-row { align-items: center; gap: 4px; }
.ws-facilitator .ws-card-row .ws-card { margin: 2px 0; }
.ws-facilitator .ws-card-row > .ws-grow { flex: 1 1 260px; min-width: 0; }
.ws-facilitator .ws-card-grid { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr));
  gap: 2px 12px; }
.ws-facilitator .ws-value-grid { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr));
  gap: 10px; align-items: start; }
.ws-facilitator .ws-value-grid > .ws-value-box { margin: 0; }
.ws-facilitator .ws-card, .ws-facilitator .ws-value-box .widget-html-content,
.ws-facilitator .ws-unassigned-box .widget-html-content { line-height: 1.35; }
.ws-facilitator textarea { font-family: inherit; }
.ws-facilitator .ws-qr svg { width: 180px; height: 180px; }
.ws-present .ws-qr svg { width: 340px; height: 340px; }

/* Presentation view: large type for a shared screen, private details hidden. */
.ws-app.ws-present { max-width: none; font-size: 20px;
  --jp-widgets-font-size: 18px; --jp-widgets-inline-height: 40px; --jp-widgets-inline-label-width: 140px; }
.ws-present .ws-private { display: none !important; }
/* The notebook's guidance is the facilitator's script, not something for the room to read. */
body:has(.ws-present) .jp-MarkdownCell, body:has(.ws-present) .jp-RenderedMarkdown { display: none !important; }
.ws-present .ws-title { font-size: 1.8em; }
.ws-present .ws-card { font-size: 1.15em; padding: 12px 14px; }
.ws-present .ws-wall { grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.ws-present .ws-value-grid, .ws-present .ws-card-grid { grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); }
.ws-present .ws-value-box b { font-size: 1.1em; }
.ws-present .ws-count-big { font-size: 5em; }
.ws-present .ws-spoken { font-size: 3.6em; }
.ws-present .widget-html, .ws-present .widget-html-content { font-size: inherit; }
.ws-present .ws-countdown { font-size: 1.6em; }
</style>
"""


def facilitator_style() -> w.HTML:
    return w.HTML(FACILITATOR_STYLE)


class PresentationToggle(w.ToggleButton):
    """Switches the shell between the working view and the large-type shared-screen view."""

    def __init__(self, shell: w.Box, t):
        super().__init__(value=False, description=t("Presentation view"), icon="desktop",
                         tooltip=t("Large type for sharing your screen; hides the key and who wrote what"),
                         layout=w.Layout(width="auto"))
        self.shell = shell
        self.add_class("ws-present-toggle")
        self.observe(self._toggled, "value")

    def _toggled(self, change) -> None:
        if change["new"]:
            self.shell.add_class("ws-present")
        else:
            self.shell.remove_class("ws-present")

    @property
    def presenting(self) -> bool:
        return "ws-present" in self.shell._dom_classes
