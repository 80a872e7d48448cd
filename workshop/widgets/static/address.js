// Removes the secret query parameters (the facilitator key, a personal token) from the
// visible address once the kernel says the page has read them (see workshop/widgets/address.py).
// Parameters named in "remember" are kept in this tab's sessionStorage, so a reloaded page
// that opened locked without them loads once more with them.

const STORE = "workshop-address:";

// True when the page is being loaded again with a remembered parameter.
function reopen(model) {
  try {
    const url = new URL(window.location.href);
    const code = url.searchParams.get("w") || "";
    for (const name of model.get("remember") || []) {
      const slot = STORE + name + ":" + code;
      const inUrl = url.searchParams.get(name);
      if (!model.get("locked")) {
        if (inUrl) { window.sessionStorage.setItem(slot, inUrl); }
      } else if (inUrl) {
        window.sessionStorage.removeItem(slot);  // it did not open the page: forget it
      } else if (code && window.sessionStorage.getItem(slot)) {
        url.searchParams.set(name, window.sessionStorage.getItem(slot));
        window.sessionStorage.removeItem(slot);  // stored again once it opens the page
        window.location.replace(url.toString());
        return true;
      }
    }
  } catch (e) { /* no sessionStorage (private mode): the page asks as it would */ }
  return false;
}

function clean(names) {
  try {
    const url = new URL(window.location.href);
    let changed = false;
    for (const name of names) {
      if (url.searchParams.has(name)) { url.searchParams.delete(name); changed = true; }
    }
    if (changed) {
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    }
  } catch (e) { /* an old browser keeps the address as it is */ }
}

function render({ model, el }) {
  el.style.display = "none";
  if (reopen(model)) { return; }
  const run = () => { if (model.get("clean")) { clean(model.get("remove") || []); } };
  run();
  model.on("change:clean", run);
}
export default { render };
