// Rating on a phone: one criterion's 1-5 score (or one of a few labelled choices, like the gut
// check's reactions) as a native radio group (fieldset + legend),
// so the question's title labels the group, the chosen one is "checked" for screen readers,
// and the arrow keys move within the group without any code of ours. The kernel answers each
// choice (vision.rate, survey, gut check); when the domain refuses, it sets the old value back.
//
// The same module renders the progress line: when the kernel moves to another screen it bumps
// `moved`, and the line scrolls itself into view and takes the focus, so a phone that tapped
// "Next" at the bottom of the page starts reading the next draft from its top.

function renderScore({ model, el }) {
  // A name of its own per group (anywidget may evaluate this module once per widget, so no counter).
  const id = `ws-score-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  el.classList.add("ws-score");
  const box = document.createElement("fieldset");
  box.className = "ws-score-group";
  const legend = document.createElement("legend");
  legend.className = "ws-score-title";
  const explain = document.createElement("div");
  explain.className = "ws-score-explain";
  explain.id = `${id}-explain`;
  box.setAttribute("aria-describedby", explain.id);
  const row = document.createElement("div");
  row.className = "ws-score-options";
  box.append(legend, explain, row);
  el.append(box);
  let inputs = [];

  // The choices: labelled options ([value, label] pairs) when given, else the scores low..high.
  function choices() {
    const options = model.get("options") || [];
    if (options.length) return options.map(([value, text]) => ({ value, text }));
    const out = [];
    for (let n = model.get("low"); n <= model.get("high"); n++) out.push({ value: n, text: String(n) });
    return out;
  }
  function build() {
    row.textContent = "";
    inputs = [];
    const labelled = (model.get("options") || []).length > 0;
    row.classList.toggle("ws-choice-options", labelled);
    for (const choice of choices()) {
      const label = document.createElement("label");
      label.className = labelled ? "ws-score-option ws-choice-option" : "ws-score-option";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = id;
      input.value = String(choice.value);
      input.__choice = choice.value;
      const face = document.createElement("span");
      face.textContent = choice.text;
      if (labelled) {
        face.className = "ws-choice-face";  // the label's own text names the radio
      } else {
        face.setAttribute("aria-hidden", "true");
        input.setAttribute("aria-label", choice.text);
      }
      input.addEventListener("change", () => {
        if (!input.checked) return;
        model.set("value", choice.value);
        model.save_changes();
      });
      label.append(input, face);
      row.append(label);
      inputs.push(input);
    }
  }
  function draw() {
    legend.textContent = model.get("title");
    const explanation = model.get("explanation");
    explain.textContent = explanation;
    explain.hidden = !explanation;
    if (explanation) box.setAttribute("aria-describedby", explain.id); else box.removeAttribute("aria-describedby");
    const value = model.get("value");
    const off = model.get("disabled");
    for (const input of inputs) {
      input.checked = value !== null && input.__choice === value;
      input.disabled = off;
    }
    el.classList.toggle("ws-score-missing", value === null);
  }
  build();
  draw();
  model.on("change:low", () => { build(); draw(); });
  model.on("change:high", () => { build(); draw(); });
  model.on("change:options", () => { build(); draw(); });
  model.on("change:value", draw);
  model.on("change:title", draw);
  model.on("change:explanation", draw);
  model.on("change:disabled", draw);
}

function renderProgress({ model, el }) {
  el.classList.add("ws-rating-progress");
  el.tabIndex = -1;  // focusable by script only: where reading starts after Next / Previous
  const draw = () => { el.textContent = model.get("text"); };
  draw();
  model.on("change:text", draw);
  model.on("change:moved", () => {
    const top = el.getBoundingClientRect().top;
    el.focus({ preventScroll: true });
    if (top < 0 || top > window.innerHeight * 0.5) el.scrollIntoView({ block: "start" });
  });
}

// Previous / Next are SendButtons (send-button.js): the tap names the screen it was made on.
const RENDER = { progress: renderProgress };

function render(ctx) {
  return (RENDER[ctx.model.get("kind")] || renderScore)(ctx);
}

export default { render };
