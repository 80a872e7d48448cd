"""Keeps a participant's token in their browser, so a reload brings them back as themselves.

Each page load gets a fresh kernel; the kernel cannot know who the visitor
is. This widget reads the token saved in localStorage for the workshop (or a
personal link's ``p=`` parameter) and hands it to the kernel; when the kernel
learns a new token (on joining) the widget saves it.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function storageKey(model) { return "workshop-token:" + model.get("code"); }

function render({ model, el }) {
  el.style.display = "none";
  // The app may learn its workshop after this view is drawn (a preheated kernel opens the
  // workshop when the visitor's link arrives): announce the token once the code is known.
  function announce() {
    if (!model.get("code") || model.get("ready")) { return; }
    let token = "";
    try {
      const fromUrl = new URLSearchParams(window.location.search).get("p");
      token = fromUrl || window.localStorage.getItem(storageKey(model)) || "";
    } catch (e) { token = ""; }
    model.set("token", token);
    model.set("ready", true);
    model.save_changes();
  }
  announce();
  model.on("change:code", announce);
  model.on("change:saved_token", () => {
    const t = model.get("saved_token");
    try {
      if (t) { window.localStorage.setItem(storageKey(model), t); }
      else { window.localStorage.removeItem(storageKey(model)); }
    } catch (e) { /* private mode: the personal link still works */ }
  });
}
export default { render };
"""


class IdentityKeeper(anywidget.AnyWidget):
    _esm = _ESM
    code = traitlets.Unicode("").tag(sync=True)
    #: Sent by the browser: what it remembered (may be empty).
    token = traitlets.Unicode("").tag(sync=True)
    ready = traitlets.Bool(False).tag(sync=True)
    #: Set by the kernel after joining; the browser stores it.
    saved_token = traitlets.Unicode("").tag(sync=True)

    def remember(self, token: str) -> None:
        self.saved_token = token

    def forget(self) -> None:
        self.saved_token = ""
