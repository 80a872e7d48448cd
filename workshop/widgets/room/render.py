"""The room screen's HTML, built only from a ``domain.room.RoomScreen`` (which holds nothing private).

Every text a participant wrote goes through ``esc``. Each card, value and
draft carries ``data-kind``/``data-id``, so the spotlit one can be drawn big
and the others dimmed beside it.
"""

from __future__ import annotations

import segno

from workshop.core import credentials, criteria, links, phases
from workshop.domain import room
from workshop.widgets.kit import esc


def qr_svg(url: str) -> str:
    """The join link as an inline SVG QR code: sharp on a shared video stream."""
    return segno.make(url, error="m").svg_inline(scale=7, border=2, dark="#101828")


def join_url(view: room.RoomScreen) -> str:
    return links.participant_url(view.code)


def _attrs(kind: str, item_id: int, spot) -> str:
    cls = " ws-room-spot" if spot == (kind, item_id) else ""
    return f'data-kind="{kind}" data-id="{item_id}" class="ws-room-item ws-room-{kind}{cls}"'


def _card(c: room.ScreenCard, spot) -> str:
    return f'<li {_attrs(room.CARD, c.id, spot)}>{esc(c.text)}</li>'


def _cards(cards, spot, cls: str = "") -> str:
    many = " ws-room-many" if len(cards) > 12 else ""
    return f'<ul class="ws-room-cards{many}{cls}">' + "".join(_card(c, spot) for c in cards) + "</ul>"


def _value(v: room.ScreenValue, spot, t, with_cards: bool = True) -> str:
    desc = f'<p class="ws-room-desc">{esc(v.description)}</p>' if v.description else ""
    cards = ""
    if with_cards and v.cards:
        cards = '<ul class="ws-room-value-cards">' + "".join(_card(c, spot) for c in v.cards) + "</ul>"
    name = v.name or t("Group {n}").format(n=v.number)  # an unnamed group of the wall
    return f'<li {_attrs(room.VALUE, v.id, spot)}><h3>{esc(name)}</h3>{desc}{cards}</li>'


def _values(values, spot, t, with_cards: bool = True) -> str:
    return ('<ul class="ws-room-values">' + "".join(_value(v, spot, t, with_cards) for v in values) + "</ul>")


def _lead(text: str) -> str:
    return f'<p class="ws-room-lead">{esc(text)}</p>'


def _big_number(n: int, label: str) -> str:
    return f'<p class="ws-room-count"><span class="ws-room-number">{n}</span> {esc(label)}</p>'


# ---- per phase -------------------------------------------------------------------------------------

def setup_html(view: room.RoomScreen, t) -> str:
    url = join_url(view)
    code = credentials.format_code(view.code)
    if not view.joining_open:
        join = _lead(t("Joining is closed."))
    else:
        join = (
            '<div class="ws-room-join">'
            f'<div class="ws-room-qr" role="img" aria-label="{esc(t("QR code of the join link"))}">{qr_svg(url)}</div>'
            '<div class="ws-room-join-text">'
            f'<p class="ws-room-label">{esc(t("Scan the code, or open"))}</p>'
            f'<p class="ws-room-url">{esc(url)}</p>'
            f'<p class="ws-room-label">{esc(t("Join code"))}</p>'
            f'<p class="ws-room-code">{esc(code)}</p>'
            '</div></div>')
    return join + _big_number(view.joined, t.ngettext("person has joined", "people have joined", view.joined))


def brainstorm_html(view: room.RoomScreen, t) -> str:
    question = f'<p class="ws-room-question">{esc(view.question)}</p>'
    if not view.cards_revealed:
        return (question + _big_number(view.card_count, t.ngettext("card written so far", "cards written so far",
                                                             view.card_count))
                + _lead(t("Write your cards on your phone. Nobody sees them until they are revealed.")))
    return question + _cards(view.cards, view.spotlight)


def grouping_html(view: room.RoomScreen, t) -> str:
    if not view.values and not view.unsorted:
        return _lead(t("The facilitator is sorting the cards into core values."))
    out = _values(view.values, view.spotlight, t)
    if view.unsorted:
        out += f'<h3 class="ws-room-subhead">{esc(t("Not sorted yet"))}</h3>' + _cards(view.unsorted, view.spotlight)
    return out


def _results(rnd: room.ScreenRound, spot, t) -> str:
    outcomes = {"kept": t("kept"), "dropped": t("dropped"), "runoff": t("run-off")}
    top = max([r.dots for r in rnd.results] + [1])
    rows = []
    for r in rnd.results:
        width = round(100 * r.dots / top)
        rows.append(
            f'<li {_attrs(room.VALUE, r.value_id, spot)} data-outcome="{esc(r.outcome)}">'
            f'<span class="ws-room-rank">{r.rank}</span><span class="ws-room-name">{esc(r.name)}</span>'
            f'<span class="ws-room-bar" aria-hidden="true"><span style="width:{width}%"></span></span>'
            f'<span class="ws-room-dots">{esc(t.ngettext("{n} dot", "{n} dots", r.dots).format(n=r.dots))}</span>'
            f'<span class="ws-room-outcome">{esc(outcomes.get(r.outcome, r.outcome))}</span></li>')
    return '<ol class="ws-room-results">' + "".join(rows) + "</ol>"


def _round_title(rnd: room.ScreenRound, t) -> str:
    if rnd.is_runoff:
        return t("Run-off (round {n})").format(n=rnd.number)
    return t("Round {n}").format(n=rnd.number)


def voting_html(view: room.RoomScreen, t) -> str:
    spot = view.spotlight
    if view.open_round is not None:
        rnd = view.open_round
        return (f'<h3 class="ws-room-subhead">{esc(_round_title(rnd, t))} · '
                f'{esc(t("keep {n}").format(n=rnd.keep))}</h3>'
                + _lead(t("Vote on your phone. The totals are shown once the round is closed."))
                + _values(rnd.candidates, spot, t, with_cards=False))
    if view.closed_rounds:
        last = view.closed_rounds[-1]
        out = (f'<h3 class="ws-room-subhead">{esc(_round_title(last, t))} · {esc(t("results"))}</h3>'
               + _results(last, spot, t))
        if view.chosen:
            out += (f'<p class="ws-room-chosen-line">{esc(t("Our core values:"))} '
                    + ", ".join(f"<b>{esc(v.name)}</b>" for v in view.chosen) + "</p>")
        return out
    return _lead(t("The vote opens in a moment."))


def drafting_html(view: room.RoomScreen, t) -> str:
    out = _big_number(view.draft_count, t.ngettext("vision draft written", "vision drafts written", view.draft_count))
    out += _lead(t("Write a vision statement on your phone that brings our core values together."))
    if view.chosen:
        out += _values(view.chosen, view.spotlight, t, with_cards=False)
    return out


def _draft(d: room.ScreenDraft, spot, t) -> str:
    final = f'<span class="ws-room-final">{esc(t("Chosen"))}</span>' if d.final else ""
    means = ""
    if d.means:
        cells = "".join(
            f'<div class="ws-room-mean"><span class="ws-room-mean-number">'
            f'{"–" if m is None else f"{m:.1f}"}</span><span class="ws-room-mean-label">'
            f'{esc(t(criteria.TITLES[c]))}</span></div>' for c, m in d.means)
        means = f'<div class="ws-room-means">{cells}</div>'
    return (f'<li {_attrs(room.DRAFT, d.id, spot)}><span class="ws-room-draft-number">'
            f'{esc(t("Draft {n}").format(n=d.number))}</span>{final}'
            f'<p class="ws-room-draft-text">{esc(d.text)}</p>{means}</li>')


def rating_html(view: room.RoomScreen, t) -> str:
    note = (t("Rating is closed. Average scores, 1 to 5:") if view.rating_closed
            else t("Rate each draft on your phone. The results are shown once rating is closed."))
    return _lead(note) + '<ol class="ws-room-drafts">' + "".join(
        _draft(d, view.spotlight, t) for d in view.drafts) + "</ol>"


def philosophy_html(view: room.RoomScreen, t) -> str:
    p = view.philosophy
    spot = view.spotlight
    parts = []
    if p is not None and p.purpose_sentence:
        parts.append(f'<p class="ws-room-purpose">{esc(p.purpose_sentence)}</p>')
    vision = p.vision if p is not None else view.vision
    if vision:
        parts.append(f'<p class="ws-room-label">{esc(t("When we interact with customers, we want them to know:"))}</p>'
                     f'<p class="ws-room-vision">“{esc(vision)}”</p>')
    values = p.values if p is not None else ()
    items = []
    for v in values:
        desc = f'<p class="ws-room-desc">{esc(v.description)}</p>' if v.description else ""
        action = f'<p class="ws-room-action">{esc(v.action_statement)}</p>' if v.action_statement else ""
        metrics = (f'<p class="ws-room-metrics">{esc(t("Key metrics:"))} {esc(", ".join(v.metrics))}</p>'
                   if v.metrics else "")
        items.append(f'<li {_attrs(room.VALUE, v.id, spot)}><h3>{esc(v.name)}</h3>{desc}{action}{metrics}</li>')
    if items:
        parts.append('<ul class="ws-room-values ws-room-philosophy">' + "".join(items) + "</ul>")
    return "".join(parts)


PHASE_HTML = {
    phases.SETUP: setup_html,
    phases.BRAINSTORM: brainstorm_html,
    phases.GROUPING: grouping_html,
    phases.VOTING: voting_html,
    phases.DRAFTING: drafting_html,
    phases.RATING: rating_html,
    phases.ACTIONS: philosophy_html,
    phases.PUBLISHED: philosophy_html,
}


# ---- the spotlight -----------------------------------------------------------------------------------

def spot_html(view: room.RoomScreen, t) -> str:
    """The spotlit item, big ("" when nothing is spotlit)."""
    if view.spotlight is None:
        return ""
    kind, item = view.spotlight
    body = ""
    if kind == room.CARD:
        cards = list(view.cards) + list(view.unsorted) + [c for v in view.values for c in v.cards]
        card = next((c for c in cards if c.id == item), None)
        if card is not None:
            body = f'<p class="ws-room-spot-card">{esc(card.text)}</p>'
    elif kind == room.VALUE:
        pool = list(view.values) + list(view.chosen)
        for rnd in ((view.open_round,) if view.open_round else ()) + view.closed_rounds[-1:]:
            pool += list(rnd.candidates)
        value = next((v for v in pool if v.id == item), None)
        if view.philosophy is not None:
            value = next((v for v in view.philosophy.values if v.id == item), value)
        if value is not None:
            desc = f'<p class="ws-room-desc">{esc(value.description)}</p>' if value.description else ""
            action = getattr(value, "action_statement", "")
            action = f'<p class="ws-room-action">{esc(action)}</p>' if action else ""
            cards = getattr(value, "cards", ())
            cards = ('<ul class="ws-room-value-cards">' + "".join(f"<li>{esc(c.text)}</li>" for c in cards) + "</ul>"
                     if cards else "")
            body = f'<p class="ws-room-spot-value">{esc(value.name)}</p>{desc}{action}{cards}'
    elif kind == room.DRAFT:
        draft = next((d for d in view.drafts if d.id == item), None)
        if draft is not None:
            body = (f'<p class="ws-room-draft-number">{esc(t("Draft {n}").format(n=draft.number))}</p>'
                    f'<p class="ws-room-spot-draft">{esc(draft.text)}</p>')
    if not body:
        return ""
    return f'<section class="ws-room-spotlight" aria-label="{esc(t("In focus"))}">{body}</section>'


def stage_html(view: room.RoomScreen, t) -> str:
    """The main part of the screen: the phase's heading, the spotlight, the phase's content."""
    content = PHASE_HTML.get(view.phase, lambda v, tr: "")(view, t)
    spot = spot_html(view, t)
    title = f'<h2 class="ws-room-stage-title">{esc(t(phases.TITLES[view.phase]))}</h2>'
    if spot:
        return (f'{title}<div class="ws-room-stage ws-room-has-spot" data-phase="{view.phase}">{spot}'
                f'<div class="ws-room-aside">{content}</div></div>')
    return f'{title}<div class="ws-room-stage" data-phase="{view.phase}">{content}</div>'


def header_html(view: room.RoomScreen, t) -> str:
    return f'<h1 class="ws-room-title">{esc(view.title)}</h1>'


def footer_html(view: room.RoomScreen, t) -> str:
    if view.phase == phases.SETUP or not view.joining_open:
        return ""
    return (f'<p class="ws-room-footer">{esc(t("Join code"))} '
            f'<b>{esc(credentials.format_code(view.code))}</b> · {esc(join_url(view))}</p>')
