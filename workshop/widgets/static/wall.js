// The affinity wall (values stage): cards and groups on one board.
//
// It draws `state` (what the database says, pushed from Python after every refresh) and
// sends intents: {op: "move", card, to: group id | null}, {op: "group", cards: [a, b]},
// {op: "merge", source, target}, {op: "rename", value, name}, {op: "describe", value,
// description}; each with a request id, so a retried intent is applied once. Python asks the
// domain and pushes the new state; a refusal comes back as `notice`.
//
// Dragging uses pointer events (mouse, pen and touch alike) with pointer capture. While a
// drag, a keyboard pick-up, a menu or an inline edit is in progress, new states wait and are
// drawn right after, so a move made elsewhere never cancels what the facilitator is doing.

const NONE = "none";
const NEW = "new";
const THRESHOLD = 5;

function rid() {
  if (globalThis.crypto && crypto.randomUUID) return "wall-" + crypto.randomUUID();
  return "wall-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(s, args) {
  return String(s || "").replace(/\{(\w+)\}/g, (m, k) => (k in args ? String(args[k]) : m));
}

function render({ model, el: host }) {
  const root = el("div", "ws-affinity");
  host.appendChild(root);
  const live = el("div", "ws-wall-live ws-sr-only");
  live.setAttribute("aria-live", "assertive");
  live.setAttribute("role", "status");
  const notice = el("div", "ws-wall-notice");
  notice.setAttribute("role", "alert");
  const board = el("div", "ws-wall-board");
  root.append(live, notice, board);

  let drawn = null;        // the state on screen (may be a local guess right after a drop)
  let pending = false;     // a newer state arrived while busy
  let drag = null;         // pointer drag in progress
  let picked = null;       // keyboard pick-up: {card, targets, index}
  let editing = null;      // inline rename/describe in progress
  let menu = null;         // an open "Move to…" menu
  let lastNotice = 0;
  let draggedGroup = null; // the group whose title was just dragged (its click must not rename)

  const L = (k, args) => fmt((model.get("labels") || {})[k] || k, args || {});
  const busy = () => !!drag || !!picked || !!editing || !!menu;

  function say(text) {
    live.textContent = "";
    // A fresh node each time, so screen readers announce the same words twice in a row.
    window.setTimeout(() => { live.textContent = text; }, 30);
  }

  function state() { return model.get("state") || { groups: [], loose: [], movable: false, editable: false }; }

  function findCard(s, id) {
    for (const c of s.loose) if (c.id === id) return { card: c, group: null };
    for (const g of s.groups) for (const c of g.cards) if (c.id === id) return { card: c, group: g };
    return null;
  }
  const groupOf = (s, id) => s.groups.find((g) => g.id === id);
  const targetName = (s, to) => (to === null || to === NONE ? L("Not grouped") : to === NEW ? L("New group")
    : (groupOf(s, to) || {}).label || "");

  // ---- drawing -------------------------------------------------------------------------
  function cardEl(c, s) {
    const card = el("div", "ws-wall-card");
    card.dataset.card = c.id;
    card.tabIndex = 0;
    card.setAttribute("role", "listitem");
    const text = el("span", "ws-wall-text", c.text);
    card.appendChild(text);
    if (s.movable) {
      card.setAttribute("aria-roledescription", L("draggable card"));
      card.setAttribute("aria-describedby", "ws-wall-help");
      const b = el("button", "ws-wall-menu-button", "⋯");
      b.type = "button";
      b.title = L("Move to…");
      b.setAttribute("aria-label", L("Move to…"));
      b.setAttribute("aria-haspopup", "menu");
      b.addEventListener("click", (ev) => { ev.stopPropagation(); openMenu(b, "card", c.id); });
      b.addEventListener("pointerdown", (ev) => ev.stopPropagation());
      card.appendChild(b);
      card.addEventListener("pointerdown", (ev) => startPointer(ev, "card", c.id, card));
    }
    card.addEventListener("keydown", (ev) => cardKey(ev, c.id));
    return card;
  }

  function zone(kind, id, cls) {
    const z = el("section", "ws-wall-zone " + cls);
    z.dataset.target = id === null ? NONE : String(id);
    return z;
  }

  function groupEl(g, s) {
    // id < 0: a group drawn ahead of the database's answer; it can be named once that comes.
    const z = zone("group", g.id, "ws-wall-group" + (g.name ? "" : " ws-wall-unnamed") + (g.id < 0 ? " ws-wall-guess" : ""));
    z.setAttribute("aria-label", g.label);
    const head = el("div", "ws-wall-head");
    const title = el("button", "ws-wall-title", g.label);
    title.type = "button";
    title.title = L("Click to rename");
    title.setAttribute("aria-label", fmt(L("Rename {name}"), { name: g.label }));
    // The title also starts a drag of the group (a press that moves); a plain click renames.
    if (s.editable && g.id > 0) title.addEventListener("click", () => { if (draggedGroup !== g.id) startEdit(g.id, "name"); });
    else title.disabled = true;
    if (!s.movable) title.addEventListener("pointerdown", (ev) => ev.stopPropagation());
    const count = el("span", "ws-wall-count", String(g.cards.length));
    count.setAttribute("aria-label", fmt(L("Cards: {n}"), { n: g.cards.length }));
    head.append(title, count);
    if (s.movable) {
      head.classList.add("ws-wall-grip");
      head.title = L("Drag onto another group to merge");
      head.addEventListener("pointerdown", (ev) => startPointer(ev, "group", g.id, z));
      const b = el("button", "ws-wall-menu-button", "⋯");
      b.type = "button";
      b.title = L("Merge into…");
      b.setAttribute("aria-label", fmt(L("Merge {name} into…"), { name: g.label }));
      b.setAttribute("aria-haspopup", "menu");
      b.addEventListener("click", (ev) => { ev.stopPropagation(); openMenu(b, "group", g.id); });
      b.addEventListener("pointerdown", (ev) => ev.stopPropagation());
      head.appendChild(b);
    }
    z.appendChild(head);
    const desc = el("button", "ws-wall-desc" + (g.description ? "" : " ws-wall-desc-empty"),
      g.description || (s.editable ? L("Add a description") : ""));
    desc.type = "button";
    if (s.editable && g.id > 0) desc.addEventListener("click", () => startEdit(g.id, "description"));
    else desc.disabled = true;
    desc.addEventListener("pointerdown", (ev) => ev.stopPropagation());
    if (g.description || s.editable) z.appendChild(desc);
    const list = el("div", "ws-wall-cards");
    list.setAttribute("role", "list");
    for (const c of g.cards) list.appendChild(cardEl(c, s));
    z.appendChild(list);
    return z;
  }

  // The board is drawn afresh on every change: whatever had the keyboard focus (a card, its
  // ⋯ button, a group's title, description or ⋯) gets it back, or a keyboard user tabbing
  // through the wall while the room adds cards is thrown back to the top of the page.
  const FOCUS_PARTS = ["ws-wall-menu-button", "ws-wall-title", "ws-wall-desc"];

  function focusKey() {
    const a = document.activeElement;
    if (!a || !root.contains(a)) return null;
    const card = a.closest("[data-card]");
    const holder = card || a.closest("[data-target]");
    if (!holder) return null;
    const part = a === holder ? null : FOCUS_PARTS.find((c) => a.classList.contains(c)) || null;
    const sel = card ? `[data-card="${CSS.escape(card.dataset.card)}"]`
      : `[data-target="${CSS.escape(holder.dataset.target)}"]`;
    return { sel, part };
  }

  function restoreFocus(k) {
    if (!k) return;
    const holder = board.querySelector(k.sel);
    if (!holder) return;
    const target = (k.part && holder.querySelector("." + k.part)) || (holder.matches("[data-card]") ? holder : null);
    if (target && !target.disabled) target.focus({ preventScroll: true });
  }

  function draw(s) {
    const focus = focusKey();
    drawn = s;
    board.textContent = "";
    const help = el("p", "ws-sr-only", L("help"));
    help.id = "ws-wall-help";
    board.appendChild(help);
    const loose = zone("loose", null, "ws-wall-loose");
    const lh = el("div", "ws-wall-head");
    lh.append(el("h3", "ws-wall-zone-title", L("Not grouped")), el("span", "ws-wall-count", String(s.loose.length)));
    loose.appendChild(lh);
    const ll = el("div", "ws-wall-cards");
    ll.setAttribute("role", "list");
    for (const c of s.loose) ll.appendChild(cardEl(c, s));
    if (!s.loose.length) {  // a list holds list items only (axe: aria-required-children)
      const empty = el("p", "ws-wall-empty", L("Every card is in a group."));
      empty.setAttribute("role", "listitem");
      ll.appendChild(empty);
    }
    loose.appendChild(ll);
    board.appendChild(loose);
    const groups = el("div", "ws-wall-groups");
    for (const g of s.groups) groups.appendChild(groupEl(g, s));
    if (s.movable) {
      const n = zone("new", NEW, "ws-wall-new");
      n.appendChild(el("div", "ws-wall-new-text", L("Drop here for a new group")));
      groups.appendChild(n);
    }
    board.appendChild(groups);
    restoreFocus(focus);
  }

  function redraw() {
    // A press that never moved, on a node no longer on the board, holds nothing up.
    if (drag && !drag.active && !drag.node.isConnected) { detach(); drag = null; }
    // data-pending says so on the page (for tests and anyone inspecting it): a state waits.
    if (busy()) { pending = true; root.dataset.pending = "true"; return; }
    pending = false;
    delete root.dataset.pending;
    draw(state());
  }

  function settle() {
    // After a drop, a cancel, a closed menu or a finished edit: draw what waited.
    if (pending && !busy()) redraw();
  }

  // ---- intents -------------------------------------------------------------------------
  function guess(s, op) {
    // The expected result, drawn at once; the database's answer replaces it a moment later.
    const g = JSON.parse(JSON.stringify(s));
    const take = (id) => {
      let c = null;
      g.loose = g.loose.filter((x) => (x.id === id ? ((c = x), false) : true));
      for (const grp of g.groups) grp.cards = grp.cards.filter((x) => (x.id === id ? ((c = x), false) : true));
      return c;
    };
    if (op.op === "move") {
      const c = take(op.card);
      if (!c) return g;
      if (op.to === null) g.loose.push(c);
      else (groupOf(g, op.to) || { cards: [] }).cards.push(c);
    } else if (op.op === "group") {
      const cs = op.cards.map(take).filter(Boolean);
      g.groups.push({ id: -1, name: "", label: L("New group"), description: "", cards: cs });
    } else if (op.op === "merge") {
      const src = groupOf(g, op.source), dst = groupOf(g, op.target);
      if (src && dst) { dst.cards.push(...src.cards); g.groups = g.groups.filter((x) => x !== src); }
    }
    g.groups = g.groups.filter((x) => x.name || x.cards.length);
    return g;
  }

  function send(op) {
    op.request_id = rid();
    model.send(op);
    if (op.op === "move" || op.op === "group" || op.op === "merge") draw(guess(drawn || state(), op));
  }

  function dropCard(card, to, s) {
    const here = findCard(s, card);
    if (!here) return;
    const from = here.group ? here.group.id : null;
    if (to === NEW) {
      send({ op: "group", cards: [card] });
      say(fmt(L("Moved to {name}"), { name: L("New group") }));
    } else if (to === from) {
      say(L("Dropped where it was."));
    } else {
      send({ op: "move", card, to });
      say(fmt(L("Moved to {name}"), { name: targetName(s, to) }));
    }
  }

  // ---- pointer dragging (mouse, pen, touch) ------------------------------------------------
  function startPointer(ev, kind, id, node) {
    if (ev.button !== undefined && ev.button !== 0) return;
    if (picked || editing || menu || (drag && drag.active)) return;
    if (drag) detach();  // a press that never moved nor came up: forget it
    draggedGroup = null;
    drag = { kind, id, node, x: ev.clientX, y: ev.clientY, pointer: ev.pointerId, active: false, ghost: null, over: null };
    // The document hears the moves; the pointer is captured only once the press moves, so a
    // plain click (on a group's title: rename) stays a click.
    document.addEventListener("pointermove", movePointer);
    document.addEventListener("pointerup", endPointer);
    document.addEventListener("pointercancel", cancelPointer);
    // Every other way a drag can end must end it too, or the wall would stop following the
    // database (new states wait while a drag is in progress): the capture lost (the node
    // gone), Escape, the window losing focus or the tab hidden.
    node.addEventListener("lostpointercapture", lostCapture);
    document.addEventListener("keydown", dragKey, true);
    window.addEventListener("blur", cancelPointer);
    document.addEventListener("visibilitychange", hidden);
  }

  function lostCapture(ev) {
    // Only the capture set on the dragged node itself (a touch's implicit capture on the
    // card's text, handed over to the card, bubbles here too and ends nothing).
    if (drag && drag.active && ev.pointerId === drag.pointer && ev.target === drag.node) cancelPointer();
  }

  function dragKey(ev) {
    if (drag && ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); cancelPointer(); }
  }

  function hidden() {
    if (document.visibilityState === "hidden") cancelPointer();
  }

  function detach() {
    if (!drag) return;
    document.removeEventListener("pointermove", movePointer);
    document.removeEventListener("pointerup", endPointer);
    document.removeEventListener("pointercancel", cancelPointer);
    drag.node.removeEventListener("lostpointercapture", lostCapture);
    document.removeEventListener("keydown", dragKey, true);
    window.removeEventListener("blur", cancelPointer);
    document.removeEventListener("visibilitychange", hidden);
    try { drag.node.releasePointerCapture(drag.pointer); } catch (e) { /* never captured, or released */ }
  }

  function hit(x, y) {
    const under = document.elementFromPoint(x, y);
    if (!under || !root.contains(under)) return null;
    const card = under.closest("[data-card]");
    const z = under.closest("[data-target]");
    return { card: card ? Number(card.dataset.card) : null, target: z ? z.dataset.target : null, cardNode: card, zoneNode: z };
  }

  function mark(over) {
    for (const n of board.querySelectorAll(".ws-wall-over")) n.classList.remove("ws-wall-over");
    if (over) (over.cardNode && drag && drag.kind === "card" && isLooseCard(over) ? over.cardNode : over.zoneNode)?.classList.add("ws-wall-over");
  }

  function isLooseCard(over) {
    return over.cardNode && over.target === NONE;
  }

  function movePointer(ev) {
    if (!drag || ev.pointerId !== drag.pointer) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.active) {
      if (Math.hypot(dx, dy) < THRESHOLD) return;
      drag.active = true;
      try { drag.node.setPointerCapture(drag.pointer); } catch (e) { /* the document still hears it */ }
      const r = drag.node.getBoundingClientRect();
      const ghost = drag.node.cloneNode(true);
      ghost.classList.add("ws-wall-ghost");
      ghost.removeAttribute("data-card");
      ghost.removeAttribute("data-target");
      for (const n of ghost.querySelectorAll("[data-card],[data-target]")) { n.removeAttribute("data-card"); n.removeAttribute("data-target"); }
      ghost.style.width = Math.min(r.width, 320) + "px";
      ghost.style.left = r.left + "px";
      ghost.style.top = r.top + "px";
      drag.off = { x: drag.x - r.left, y: drag.y - r.top };
      root.appendChild(ghost);
      drag.ghost = ghost;
      drag.node.classList.add("ws-wall-dragging");
      const s = drawn || state();
      const name = drag.kind === "card" ? (findCard(s, drag.id) || { card: { text: "" } }).card.text
        : (groupOf(s, drag.id) || {}).label;
      say(fmt(L("Picked up {name}"), { name }));
    }
    ev.preventDefault();
    drag.ghost.style.left = ev.clientX - drag.off.x + "px";
    drag.ghost.style.top = ev.clientY - drag.off.y + "px";
    drag.over = hit(ev.clientX, ev.clientY);
    mark(drag.over);
    // Near the window's top or bottom edge the page scrolls, so a far group can be reached.
    const edge = 48, h = window.innerHeight;
    if (ev.clientY < edge) scroller().scrollBy(0, -Math.ceil((edge - ev.clientY) / 2));
    else if (ev.clientY > h - edge) scroller().scrollBy(0, Math.ceil((ev.clientY - (h - edge)) / 2));
  }

  function scroller() {
    // Voila scrolls a panel, not the window: the nearest ancestor that scrolls.
    for (let n = root.parentElement; n; n = n.parentElement) {
      const o = getComputedStyle(n).overflowY;
      if ((o === "auto" || o === "scroll") && n.scrollHeight > n.clientHeight) return n;
    }
    return window;
  }

  function endPointer(ev) {
    if (!drag || ev.pointerId !== drag.pointer) return;
    const d = drag;
    detach();
    if (!d.active) { drag = null; return; }
    const over = hit(ev.clientX, ev.clientY) || d.over;
    finishDrag();
    const s = drawn || state();
    if (!over || over.target === null) { say(L("Cancelled.")); settle(); return; }
    if (d.kind === "card") {
      if (over.card !== null && over.card !== d.id && over.target === NONE) {
        const other = findCard(s, over.card);
        send({ op: "group", cards: [over.card, d.id] });
        say(fmt(L("Started a group with {name}"), { name: other ? other.card.text : "" }));
      } else {
        const to = over.target === NONE ? null : over.target === NEW ? NEW : Number(over.target);
        dropCard(d.id, to, s);
      }
    } else {
      const to = Number(over.target);
      if (over.target === NONE || over.target === NEW || to === d.id) { say(L("Cancelled.")); }
      else {
        send({ op: "merge", source: d.id, target: to });
        say(fmt(L("Merged into {name}"), { name: targetName(s, to) }));
      }
    }
    settle();
  }

  function finishDrag() {
    if (drag && drag.active && drag.kind === "group") draggedGroup = drag.id;
    if (drag && drag.ghost) drag.ghost.remove();
    if (drag && drag.node) drag.node.classList.remove("ws-wall-dragging");
    mark(null);
    drag = null;
  }

  function cancelPointer(ev) {
    if (!drag || (ev && ev.pointerId !== undefined && ev.pointerId !== drag.pointer)) return;
    const active = drag.active;
    detach();
    finishDrag();
    if (active) say(L("Cancelled."));
    settle();
  }

  // ---- keyboard --------------------------------------------------------------------------
  function targetsOf(s) { return [null, ...s.groups.filter((g) => g.id > 0).map((g) => g.id), NEW]; }

  function showTarget() {
    for (const n of board.querySelectorAll(".ws-wall-over")) n.classList.remove("ws-wall-over");
    const to = picked.targets[picked.index];
    const z = board.querySelector(`[data-target="${to === null ? NONE : to}"]`);
    if (z) { z.classList.add("ws-wall-over"); z.scrollIntoView({ block: "nearest" }); }
    const g = typeof to === "number" ? groupOf(drawn, to) : null;
    say(g ? fmt(L("{name}, {n} cards"), { name: g.label, n: g.cards.length }) : targetName(drawn, to));
  }

  function cardKey(ev, id) {
    if (!picked && (ev.key === " " || ev.key === "Spacebar") && pending) {
      redraw();  // pick up from what the database says now, not from a guess
      refocus(id);
    }
    const s = drawn || state();
    if (ev.target.closest(".ws-wall-menu-button")) return;
    if (!s.movable) return;
    if (!picked) {
      if (ev.key === " " || ev.key === "Spacebar") {
        ev.preventDefault();
        const here = findCard(s, id);
        if (!here) return;
        const targets = targetsOf(s);
        picked = { card: id, targets, index: targets.indexOf(here.group ? here.group.id : null) };
        const node = board.querySelector(`[data-card="${id}"]`);
        if (node) node.classList.add("ws-wall-picked");
        say(fmt(L("Picked up card {name}. Arrow keys choose a group, Space drops, Escape cancels."), { name: here.card.text }));
      }
      return;
    }
    if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].includes(ev.key)) {
      ev.preventDefault();
      const step = ev.key === "ArrowRight" || ev.key === "ArrowDown" ? 1 : -1;
      picked.index = (picked.index + step + picked.targets.length) % picked.targets.length;
      showTarget();
    } else if (ev.key === " " || ev.key === "Spacebar" || ev.key === "Enter") {
      ev.preventDefault();
      const p = picked;
      picked = null;
      dropCard(p.card, p.targets[p.index], s);
      if (pending) redraw();
      refocus(p.card);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      const p = picked;
      picked = null;
      for (const n of board.querySelectorAll(".ws-wall-over,.ws-wall-picked")) n.classList.remove("ws-wall-over", "ws-wall-picked");
      say(L("Cancelled."));
      settle();
      refocus(p.card);
    } else if (ev.key === "Tab") {
      ev.preventDefault();
    }
  }

  function refocus(card) {
    const n = board.querySelector(`[data-card="${card}"]`);
    if (n) n.focus({ preventScroll: true });
  }

  // ---- the "Move to…" / "Merge into…" menu --------------------------------------------------
  function closeMenu(back) {
    if (!menu) return;
    const opener = menu.opener;
    // The focus goes back to the ⋯ button before a state that waited for the menu is drawn:
    // the redraw replaces every node, the button too, and gives the focus to the new one only
    // if the old one had it (focusKey). Focused afterwards, the old button was gone and the
    // focus fell to the page's body.
    if (back && opener && opener.isConnected) opener.focus({ preventScroll: true });
    menu.node.remove();
    document.removeEventListener("pointerdown", menu.outside, true);
    menu = null;
    settle();
  }

  function openMenu(opener, kind, id) {
    closeMenu(false);
    const s = drawn || state();
    const node = el("div", "ws-wall-popup");
    node.setAttribute("role", "menu");
    node.setAttribute("aria-label", kind === "card" ? L("Move to…") : L("Merge into…"));
    const here = kind === "card" ? findCard(s, id) : null;
    const from = here && here.group ? here.group.id : null;
    const items = [];
    const add = (label, act) => {
      const b = el("button", "ws-wall-item", label);
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.addEventListener("click", () => { closeMenu(false); act(); refocus(kind === "card" ? id : null); });
      node.appendChild(b);
      items.push(b);
    };
    if (kind === "card") {
      if (from !== null) add(L("Not grouped"), () => dropCard(id, null, s));
      for (const g of s.groups) if (g.id !== from) add(g.label, () => dropCard(id, g.id, s));
      add(L("New group"), () => dropCard(id, NEW, s));
    } else {
      for (const g of s.groups) if (g.id !== id) add(g.label, () => {
        send({ op: "merge", source: id, target: g.id });
        say(fmt(L("Merged into {name}"), { name: g.label }));
      });
      if (!items.length) node.appendChild(el("p", "ws-wall-empty", L("No other group to merge into.")));
    }
    node.addEventListener("keydown", (ev) => {
      const i = items.indexOf(document.activeElement);
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); closeMenu(true); }
      else if (ev.key === "ArrowDown") { ev.preventDefault(); items[(i + 1) % items.length]?.focus(); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); items[(i - 1 + items.length) % items.length]?.focus(); }
      else if (ev.key === "Tab") { closeMenu(false); }
    });
    const r = opener.getBoundingClientRect();
    node.style.left = Math.max(4, Math.min(r.left, window.innerWidth - 240)) + "px";
    node.style.top = r.bottom + 2 + "px";
    root.appendChild(node);
    const outside = (ev) => { if (!node.contains(ev.target)) closeMenu(false); };
    document.addEventListener("pointerdown", outside, true);
    menu = { node, opener, outside };
    items[0]?.focus();
  }

  // ---- inline rename and describe -------------------------------------------------------
  function startEdit(id, field) {
    if (busy()) return;
    const g = groupOf(drawn || state(), id);
    if (!g) return;
    const z = board.querySelector(`[data-target="${id}"]`);
    const old = field === "name" ? g.name : g.description;
    const input = el(field === "name" ? "input" : "textarea", "ws-wall-input");
    if (field === "name") { input.type = "text"; input.maxLength = 40; input.placeholder = L("Name of the value"); }
    else { input.rows = 2; input.placeholder = L("What it means, in one sentence"); }
    input.value = old;
    input.setAttribute("aria-label", field === "name" ? fmt(L("Name for {name}"), { name: g.label })
      : fmt(L("Description of {name}"), { name: g.label }));
    const spot = z.querySelector(field === "name" ? ".ws-wall-title" : ".ws-wall-desc");
    editing = { id, field, input };
    spot.replaceWith(input);
    input.focus();
    input.select();
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      editing = null;
      const value = input.value.trim();
      if (save && value !== old) {
        send(field === "name" ? { op: "rename", value: id, name: value } : { op: "describe", value: id, description: value });
        say(L("Saved."));
      }
      redraw();
      const again = board.querySelector(`[data-target="${id}"] ${field === "name" ? ".ws-wall-title" : ".ws-wall-desc"}`);
      if (again) again.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !(field === "description" && ev.shiftKey)) { ev.preventDefault(); finish(true); }
      else if (ev.key === "Escape") { ev.preventDefault(); finish(false); }
      ev.stopPropagation();
    });
    input.addEventListener("blur", () => finish(true));
  }

  // ---- following the database -----------------------------------------------------------
  function showNotice() {
    const n = model.get("notice") || {};
    if (!n.n || n.n === lastNotice) return;
    lastNotice = n.n;
    notice.textContent = n.text || "";
    notice.className = "ws-wall-notice" + (n.error ? " ws-wall-error" : "");
    if (n.error) say(n.text);
  }

  model.on("change:state", redraw);
  model.on("change:labels", redraw);
  model.on("change:notice", showNotice);
  draw(state());
  showNotice();
  return () => { closeMenu(false); detach(); finishDrag(); };
}

export default { render };
