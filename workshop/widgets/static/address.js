// Removes the secret query parameters (the facilitator key, a personal token) from the
// visible address once the kernel says the page has read them (see workshop/widgets/address.py).

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
  const run = () => { if (model.get("clean")) { clean(model.get("remove") || []); } };
  run();
  model.on("change:clean", run);
}
export default { render };
