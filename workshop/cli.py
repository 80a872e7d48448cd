"""The `workshop` command: create, inspect, export, serve and demo workshops."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys

from workshop.core import credentials, links
from workshop.core.errors import WorkshopError
from workshop.core.languages import DEFAULT, LANGUAGES


def _store(args):
    from workshop.store import open_store
    return open_store(args.db)


def _json_default(o):
    if isinstance(o, dt.datetime):
        return o.isoformat()
    if dataclasses.is_dataclass(o):
        return dataclasses.asdict(o)
    raise TypeError(type(o))


def cmd_new(args) -> int:
    from workshop.core import stages
    from workshop.domain import room, workshops
    store = _store(args)
    created = workshops.create_workshop(
        store, args.title, company=args.company, purpose=args.purpose, question=args.question,
        language=args.language, anonymous=args.anonymous, vote_target=args.target,
        open_ballots=args.open_ballots,
    )
    from workshop.server.serve import public_url
    base = public_url(args)  # the links of the server `workshop serve` with the same options runs
    info = {
        "code": created.code,
        "code_spoken": credentials.format_code(created.code),
        "facilitator_key": created.key,
        "participant_url": links.participant_url(created.code, base),
        "facilitator_url": links.facilitator_url(created.code, created.key, base),
        "room_screen_url": links.audience_url(stages.ROOM_NOTEBOOK, room.screen_secret(store, created.code, created.key),
                                              base),
        "db": store.url,
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"Workshop created: {args.title}")
        print(f"  Join code:        {info['code_spoken']}")
        print(f"  Participant link: {info['participant_url']}")
        print(f"  Facilitator link: {info['facilitator_url']}")
        print(f"  Room screen link: {info['room_screen_url']}")
        print("  Keep the facilitator link secret: it is the only copy of the key. "
              "Share the room screen on the call: it shows only what everyone may see.")
    return 0


def cmd_status(args) -> int:
    from workshop.domain import workshops
    status = workshops.status(_store(args), args.code)
    if args.json:
        print(json.dumps(dataclasses.asdict(status), default=_json_default, indent=2))
    else:
        print(f"{status.title} [{credentials.format_code(status.code)}]")
        print(f"  stage: {status.phase}   participants: {status.participants}   cards: {status.cards}"
              f"   values: {status.values}   drafts: {status.drafts}")
        if status.vision:
            print(f"  vision: {status.vision}")
    return 0


def cmd_list(args) -> int:
    from workshop.domain import workshops
    for code, title, phase, created in workshops.list_workshops(_store(args)):
        print(f"{credentials.format_code(code)}  {phase:<11} {created:%Y-%m-%d}  {title}")
    return 0


#: role -> how `workshop links` names its link.
LINK_LABELS = {
    "screen": "Room screen link",
    "stakeholder": "Gut check link (stakeholders)",
    "employee": "Survey link (every employee)",
    "exemplar": "Benchmark link (exemplary team members)",
}
FACILITATOR_NOTE = ("The facilitator link is not shown: the server keeps only a hash of its key. "
                    "If it is lost, run `workshop rekey {code}` here on the server.")
UNPRINTABLE = ("made before this version kept link secrets, so it cannot be printed here; "
               "it still opens. Open the facilitator page's follow-up panel once to see it "
               "(after a rekey, a new link; the old one keeps working); "
               "from then on `workshop links` prints it too.")


def cmd_links(args) -> int:
    """Print a workshop's links again: participant, room screen, follow-ups; never the facilitator key."""
    from workshop.domain import audiences, workshops
    from workshop.server.serve import public_url
    store = _store(args)
    status = workshops.status(store, args.code)  # an unknown code: one clear line, exit 1
    kept = audiences.reprint(store, status.code)
    base = public_url(args)
    urls = {role: links.audience_url(audiences.NOTEBOOKS[role], s, base) if s else None
            for role, s in kept.items()}
    participant = links.participant_url(status.code, base)
    if args.json:
        print(json.dumps({"code": status.code, "code_spoken": credentials.format_code(status.code),
                          "title": status.title, "participant_url": participant,
                          **{f"{role}_url": url for role, url in urls.items()}}, indent=2))
        return 0
    width = max(len(label) for label in LINK_LABELS.values()) + 2
    print(f"{status.title} [{credentials.format_code(status.code)}]")
    print(f"  {'Join code:':<{width}} {credentials.format_code(status.code)}")
    print(f"  {'Participant link:':<{width}} {participant}")
    if not args.no_qr:
        import segno
        segno.make(participant, error="m").terminal(compact=True)
    for role, label in LINK_LABELS.items():
        print(f"  {label + ':':<{width}} {urls[role] or UNPRINTABLE}")
    print(f"  {FACILITATOR_NOTE.format(code=credentials.format_code(status.code))}")
    return 0


def cmd_rekey(args) -> int:
    """Replace a lost facilitator key; prints the new facilitator link once."""
    from workshop.domain import workshops
    from workshop.server.serve import public_url
    store = _store(args)
    code = workshops.status(store, args.code).code
    key = workshops.rekey(store, code)
    url = links.facilitator_url(code, key, public_url(args))
    if args.json:
        print(json.dumps({"code": code, "facilitator_key": key, "facilitator_url": url}, indent=2))
        return 0
    print(f"New facilitator key for {credentials.format_code(code)}; the old key no longer opens anything.")
    print(f"  Facilitator link: {url}")
    print("  Keep it secret: this is the only copy of the key. Pages still open with the old key "
          "refuse every action; reopen them from this link.")
    print("  The join code, the participants' personal links and every follow-up and room-screen "
          "link stay as they were.")
    return 0


def cmd_export(args) -> int:
    from workshop.outputs import export
    from workshop.store import normalize_code
    out = args.out or f"exports/{normalize_code(args.code)}"
    written = export.export_workshop(_store(args), args.code, out, key=args.key)
    if args.documents and args.key:
        from workshop.outputs import document
        written = [*written, *document.write_documents(_store(args), args.code, out, args.key)]
    elif args.documents:
        print("workshop: the philosophy documents need --key (they name who took part); "
              "only the CSV files were written.", file=sys.stderr)
    for path in written:
        print(path)
    return 0


def cmd_serve(args) -> int:
    from workshop.server import serve
    return serve.serve(args)


def cmd_demo(args) -> int:
    from workshop.demo import seed as demo
    return demo.run(args)


def cmd_bench(args) -> int:
    try:  # the benchmarks live beside the package, in a source checkout; the wheel leaves them out
        from benchmarks import bench
    except ModuleNotFoundError:
        print("workshop: the benchmarks run from a source checkout (make bench); this installation has none.",
              file=sys.stderr)
        return 2
    return bench.run(args)


def _add_address_options(p, base_url_alias: bool = False):
    """Where the server listens and the address in the links: `serve`, `demo` and `new` alike."""
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0 for everyone on the network)")
    p.add_argument("--port", type=int, default=8866, help="port to listen on")
    names = ["--public-url", "--base-url"] if base_url_alias else ["--public-url"]
    p.add_argument(*names, dest="public_url", default=None,
                   help="the address participants reach, when behind a proxy "
                        "(default: $WORKSHOP_PUBLIC_URL, else http://IP:PORT/PATH-PREFIX/)")
    p.add_argument("--path-prefix", default="/",
                   help="serve every page under this path, e.g. /a/ (several servers behind one proxy, JupyterHub)")


def _add_serve_options(p):
    _add_address_options(p)
    p.add_argument("--participants", type=int, default=10,
                   help="expected number of participants: sizes the pool of preheated kernels")
    p.add_argument("--max-kernels", type=int, default=None,
                   help="at most this many kernels at once; beyond, a page says the room is full "
                        "(default: the preheated pools, the facilitator's pages and the room once more, for reloads)")
    p.add_argument("--behind-proxy", action="store_true",
                   help="trust the proxy's X-Real-IP header as the visitor's address (wrong guesses are then "
                        "also slowed per address); only behind a proxy that sets it, as the guide's nginx file does")
    p.add_argument("--no-browser", action="store_true",
                   help="do not open the facilitator's page in this machine's browser (`workshop demo` "
                        "opens it once the server answers; never without a display)")


class _Parser(argparse.ArgumentParser):
    """Usage mistakes, like every other error, are one line on stderr."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


DB_HELP = "database URL or SQLite file (default: $WORKSHOP_DB_URL or var/workshop.sqlite in the checkout)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workshop", description=__doc__)
    parser.add_argument("--db", default=None, help=DB_HELP)
    # Also accepted after the command (`workshop status CODE --db URL`); SUPPRESS
    # keeps an absent sub-command --db from overwriting one given before it.
    common = _Parser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help=DB_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add = sub.add_parser
    sub.add_parser = lambda *a, **kw: _add(*a, parents=[common], **kw)  # type: ignore[method-assign]

    p = sub.add_parser("new", help="create a workshop and print its links")
    p.add_argument("title")
    p.add_argument("--company", default="")
    p.add_argument("--purpose", default="", help="the company's purpose or mission")
    p.add_argument("--question", default=None, help="the brainstorm question")
    p.add_argument("--language", default=DEFAULT, choices=list(LANGUAGES))
    p.add_argument("--anonymous", action="store_true", help="participants join without names")
    p.add_argument("--open-ballots", action="store_true",
                   help="export votes and ratings with names or pseudonyms (default: secret ballots, "
                        "each under a random ballot id)")
    p.add_argument("--target", type=int, default=5, help="how many values to keep (default 5)")
    # The links name the server `workshop serve` with the same options runs (--base-url: the old name).
    _add_address_options(p, base_url_alias=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("status", help="where a workshop stands")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("list", help="all workshops in the database")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("links", help="print a workshop's participant, room-screen and follow-up links again "
                                     "(never the facilitator key)")
    p.add_argument("code")
    _add_address_options(p, base_url_alias=True)
    p.add_argument("--no-qr", action="store_true", help="leave out the QR code of the participant link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("rekey", help="replace a lost facilitator key (run on the server) and print the new "
                                     "facilitator link; every other link stays as it was")
    p.add_argument("code")
    _add_address_options(p, base_url_alias=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rekey)

    p = sub.add_parser("export", help="write a workshop's data as CSV files (and its documents)")
    p.add_argument("code")
    p.add_argument("--out", default=None, help="folder to write into (default: exports/CODE)")
    p.add_argument("--key", default=None, help="facilitator key (needed for names in a named workshop)")
    p.add_argument("--no-documents", dest="documents", action="store_false",
                   help="skip the philosophy documents (Markdown, HTML and Word; written when --key is given)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="serve the facilitation apps with Voila")
    _add_serve_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="seed a demo workshop and serve it")
    _add_serve_options(p)
    p.add_argument("--seed-only", action="store_true", help="create the demo workshop, print links, do not serve")
    p.add_argument("--stage", default="brainstorm",
                   choices=["setup", "brainstorm", "grouping", "voting", "drafting", "rating", "actions", "published"],
                   help="play the demo forward to this stage (default: brainstorm)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("bench", help="measure join latency, live latency, memory and throughput")
    p.add_argument("--out", default="bench-results")
    p.add_argument("--quick", action="store_true", help="smaller loads, for a smoke run")
    p.set_defaults(func=cmd_bench)
    return parser


def _glue_values(argv: list[str], options=("--key",)) -> list[str]:
    """``--key -abc`` -> ``--key=-abc``: a generated key may start with a dash,
    which argparse would otherwise take for an option."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in options and i + 1 < len(argv):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_glue_values(sys.argv[1:] if argv is None else list(argv)))
    try:
        return args.func(args)
    except WorkshopError as err:
        print(f"workshop: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `workshop export ... | head`: the reader left; say nothing more.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stops Python's own complaint at exit
        return 0
    except Exception as err:  # noqa: BLE001 - one clear line, not a traceback
        first = (str(err).strip().splitlines() or [""])[0]  # database errors append SQL and links
        print(f"workshop: {type(err).__name__}: {first}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
