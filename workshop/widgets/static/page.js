// The page's language, title, main landmark, focus and polite announcements (see workshop/widgets/page.py).
// Voila's page template is rendered before the visitor's request, so these are set here, in the browser.

function waitFor(selector, root, ms) {
  // The element may not be rendered yet (a new stage's view arrives as new widget models).
  return new Promise((resolve) => {
    const found = () => root.querySelector(selector) || document.querySelector(selector);
    const first = found();
    if (first) { resolve(first); return; }
    const started = Date.now();
    const look = () => {
      const el = found();
      if (el) { resolve(el); return; }
      if (Date.now() - started > ms) { resolve(null); return; }
      window.requestAnimationFrame(look);
    };
    window.requestAnimationFrame(look);
  });
}

// Font Awesome draws a button's icon as a private-use character in a ::before, and Chromium
// takes it into the button's accessible name: an icon-only button ("+" on the ballot) was
// named "\uf067", its words ("Add a dot to Honesty") only its description, and a button with
// words was read with a glyph in front. Icons are decoration: hidden from assistive
// technology, so a name comes from the words or, failing them, the tooltip.
const ICON = "i.fa";

function hideIcons(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) { return; }
  if (node.matches(ICON)) { node.setAttribute("aria-hidden", "true"); }
  for (const icon of node.querySelectorAll(`${ICON}:not([aria-hidden])`)) { icon.setAttribute("aria-hidden", "true"); }
}

function watchIcons() {
  if (window.__wsIconsWatched) { return; }  // one observer a page, however many apps it shows
  window.__wsIconsWatched = true;
  hideIcons(document.body);
  new MutationObserver((records) => {
    for (const r of records) { for (const n of r.addedNodes) { hideIcons(n); } }
  }).observe(document.body, { childList: true, subtree: true });
}

function render({ model, el }) {
  el.classList.add("ws-live-region");
  el.setAttribute("aria-live", "polite");
  el.setAttribute("role", "status");
  const app = () => el.closest(".ws-app");

  const landmark = () => {
    const root = app();
    if (root && !root.hasAttribute("role")) { root.setAttribute("role", "main"); }
  };
  const lang = () => { const v = model.get("lang"); if (v) { document.documentElement.lang = v; } };
  const title = () => { const v = model.get("title"); if (v) { document.title = v; } };
  const focus = async () => {
    const selector = model.get("focus_selector");
    if (!selector) { return; }
    const target = await waitFor(selector, app() || document, 5000);
    if (!target) { return; }
    // The element is on the page but maybe not laid out yet (a view that was display:none).
    window.requestAnimationFrame(() => {
      if (!target.hasAttribute("tabindex") && !target.matches("input, textarea, select, button, a[href]")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: false });
    });
  };
  const say = () => {
    // Emptied first, so the same words are read again on the next change.
    el.textContent = "";
    const text = model.get("message");
    window.setTimeout(() => { el.textContent = text; }, 50);
  };

  const scroller = () => {
    const region = document.getElementById("rendered_cells");
    if (model.get("scroller_focusable") && region && !region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "0"); }
  };

  watchIcons();
  landmark();
  window.requestAnimationFrame(landmark);  // the app's element is attached after this one renders
  scroller();
  model.on("change:scroller_focusable", scroller);
  lang();
  title();
  model.on("change:lang", lang);
  model.on("change:title", title);
  model.on("change:focus_seq", focus);
  model.on("change:message_seq", say);
  // The page has loaded every widget's state and drawn this one: the kernel may now create
  // widgets in the background (see PageSemantics.drawn).
  model.send({ event: "drawn" });
}
export default { render };
