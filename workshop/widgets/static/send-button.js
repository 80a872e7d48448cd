// A native button that sends the words of its text boxes with the click (see
// workshop/widgets/sendbutton.py): the page has every keystroke at once, even while ipywidgets
// still holds the last ones back from the kernel, so the click carries the whole text.

const PREFIX = "IPY_MODEL_";

function boxes(model) {
  const refs = model.get("boxes") || [];
  return Promise.all(refs.map((ref) => model.widget_manager.get_model(String(ref).slice(PREFIX.length))));
}

// What the box shows: its field on the page (the model learns a keystroke only once the
// keystroke's event has reached the widget), else the model's value.
async function shown(box) {
  for (const view of Object.values(box.views || {})) {
    const field = (await view).el.querySelector("textarea, input");
    if (field) return field.value;
  }
  return String(box.get("value") ?? "");
}

function render({ model, el }) {
  el.classList.add("ws-send-button");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-widgets jupyter-button widget-button";
  el.append(button);
  function draw() {
    button.textContent = "";
    const icon = model.get("icon");
    if (icon) {
      const i = document.createElement("i");
      i.className = `fa fa-${icon}`;
      i.setAttribute("aria-hidden", "true");
      button.append(i);
      if (model.get("description")) button.append(document.createTextNode(" "));
    }
    button.append(document.createTextNode(model.get("description")));
    for (const style of ["primary", "success", "info", "warning", "danger"]) {
      button.classList.toggle(`mod-${style}`, model.get("button_style") === style);
    }
    button.disabled = model.get("disabled");
    if (model.get("tooltip")) button.title = model.get("tooltip"); else button.removeAttribute("title");
  }
  draw();
  model.on("change", draw);
  async function click() {
    if (button.disabled) return;
    const models = await boxes(model);
    // A screen, where the button has one (Previous / Next while rating): a stale tap is ignored.
    model.send({ event: "click", texts: await Promise.all(models.map(shown)), screen: model.get("screen") });
  }
  button.addEventListener("click", click);
  // Enter in one of the boxes is the form's submit. Caught on the way down (capture), since the
  // text box's own handlers stop the event; never while an input method is still composing
  // (a name typed in Chinese is confirmed with Enter).
  async function onKey(event) {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229 || !model.get("submit_on_enter")) return;
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    for (const box of await boxes(model)) {
      for (const view of Object.values(box.views || {})) {
        if ((await view).el.contains(target)) {
          event.preventDefault();
          return click();
        }
      }
    }
  }
  document.addEventListener("keydown", onKey, true);
  // The kernel used the words: empty the boxes here, so a keystroke still waiting to be sent
  // is replaced by the empty box instead of bringing the old words back.
  model.on("msg:custom", async (msg) => {
    if (!msg || msg.event !== "taken") return;
    for (const m of await boxes(model)) {
      m.set("value", "");
      m.save_changes();
    }
  });
  return () => document.removeEventListener("keydown", onKey, true);
}
export default { render };
