"""The facilitator's page style and the large-type presentation view for screen sharing.

The presentation view is a class on the shell: type and controls grow, and
anything marked ``ws-private`` (the key-carrying links, who wrote which card,
cards not yet revealed) disappears from the shared screen.
"""

from __future__ import annotations

import ipywidgets as w

from workshop.widgets.kit import static_text

FACILITATOR_STYLE = f"\n<style>\n{static_text('facilitator.css')}</style>\n"


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
