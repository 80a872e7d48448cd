
function fmt(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60), r = s % 60;
  return m + ":" + String(r).padStart(2, "0");
}
// The server's clock rules: a phone set five minutes fast still shows the right time. The
// kernel sends its clock only with a new timer, so the offset is measured when that clock
// arrives, once per model: a view drawn minutes later must not take the old clock for now.
const offsets = new WeakMap();
function skewOf(model) {
  const now = model.get("server_now_ms");
  let seen = offsets.get(model);
  if (!seen || seen.now !== now) {
    seen = { now, skew: now ? now - Date.now() : 0 };
    offsets.set(model, seen);
  }
  return seen.skew;
}
function initialize({ model }) {
  skewOf(model);
  model.on("change:server_now_ms", () => skewOf(model));
}
function render({ model, el }) {
  let timer = null;
  let skew = 0;
  function draw() {
    const ends = model.get("ends_at_ms");
    if (!ends) { el.textContent = ""; el.classList.remove("ws-countdown"); return; }
    el.classList.add("ws-countdown");
    const left = ends - (Date.now() + skew);
    el.textContent = (model.get("label") ? model.get("label") + " · " : "") +
      (left > 0 ? fmt(left) : model.get("done_text"));
    el.classList.toggle("ws-countdown-done", left <= 0);
  }
  function start() {
    skew = skewOf(model);
    if (timer) clearInterval(timer);
    draw();
    timer = setInterval(draw, 500);
  }
  model.on("change:ends_at_ms", start);
  model.on("change:label", draw);
  start();
  return () => clearInterval(timer);
}
export default { initialize, render };
