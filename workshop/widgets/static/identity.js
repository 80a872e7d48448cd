
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
  function save() {
    const t = model.get("saved_token");
    try {
      if (t) { window.localStorage.setItem(storageKey(model), t); }
      else { window.localStorage.removeItem(storageKey(model)); }
    } catch (e) { /* private mode: the personal link still works */ }
  }
  model.on("change:saved_token", save);
  // Joined (or came back through a personal link) before this view was drawn: keep it too,
  // since the address loses its token once read (see address.js).
  if (model.get("saved_token")) { save(); }
}
export default { render };
