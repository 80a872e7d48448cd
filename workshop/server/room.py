"""What the Voila process of `workshop serve` says and writes outside the apps: the page
shown when the kernel budget is spent, and log lines without secrets.

Loaded in the Voila process by :mod:`workshop.server.voila_patches`.
"""

from __future__ import annotations

import html
import logging
import re

from workshop.core.errors import N_
from workshop.core.languages import HTML_LANG, LANGUAGES
from workshop.i18n import translator

#: Query parameters that carry a secret: the facilitator key, a personal token, an audience's
#: secret (and Jupyter's own token). Log lines show ``[secret]`` instead of their values.
SECRET_PARAMS = ("key", "p", "s", "token")

#: Seconds a visitor refused for a full room is asked to wait (the Retry-After header).
RETRY_AFTER_SECONDS = 60

ROOM_FULL_TITLE = N_("The room is full")
ROOM_FULL_TEXT = N_("The room is full, please try again in a minute.")

_SECRET = re.compile(r"(?i)(?<![\w-])(" + "|".join(SECRET_PARAMS) + r")=[^&\s#'\"<>]*")


def redact(text: str) -> str:
    """``text`` with the value of every secret query parameter replaced by ``[secret]``."""
    return _SECRET.sub(lambda m: f"{m.group(1)}=[secret]", text)


def redacted_uri(uri: str) -> str:
    path, sep, query = uri.partition("?")
    return path + sep + redact(query) if sep else uri


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with :func:`redact`; installed on every log handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's business, not ours
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class QuietUntrusted(logging.Filter):
    """Drops jupyter_server's "Notebook X is not trusted", said of every app notebook as the pools
    fill and on every page. Trust decides only whether a notebook's stored HTML and JavaScript
    outputs are shown, and the served notebooks are stored without outputs; two dozen such lines
    at start-up would hide the warnings a facilitator needs to read."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Notebook %s is not trusted"


def install_log_filter() -> RedactSecrets:
    """Adds the filter to every handler of every logger now configured (tornado's, Voila's, the
    root logger's), and to the loggers that write requests, so no line carries a secret."""
    flt = RedactSecrets()
    loggers = [logging.getLogger()] + [lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger)]
    for lg in loggers:
        for handler in lg.handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(flt)
    for name in ("tornado.access", "tornado.application", "tornado.general"):
        lg = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in lg.filters):
            lg.addFilter(flt)
    return flt


def log_request(handler) -> None:
    """Tornado's access log line (``log_function``), with secret query values redacted."""
    from tornado.log import access_log

    status = handler.get_status()
    log = access_log.info if status < 400 else access_log.warning if status < 500 else access_log.error
    request = handler.request
    log("%d %s %s (%s) %.2fms", status, request.method, redacted_uri(request.uri or ""),
        request.remote_ip, 1000.0 * request.request_time())


def room_full_page(lang: str | None = None) -> str:
    """The small page a visitor gets instead of a kernel when the server's budget is spent:
    in ``lang`` when the link names a known language, else in every language, side by side."""
    shown = [lang] if lang in LANGUAGES else list(LANGUAGES)
    sections = []
    for code in shown:
        t = translator(code)
        sections.append(f'<section lang="{HTML_LANG[code]}"><h1>{html.escape(t(ROOM_FULL_TITLE))}</h1>'
                        f'<p>{html.escape(t(ROOM_FULL_TEXT))}</p></section>')
    page_lang = HTML_LANG[shown[0]] if len(shown) == 1 else "en"
    title = " · ".join(translator(code)(ROOM_FULL_TITLE) for code in shown)
    return f"""<!doctype html>
<html lang="{page_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 2rem 1rem; color: #222; background: #fafafa; }}
main {{ max-width: 36rem; margin: 0 auto; }}
section {{ margin-bottom: 1.5rem; }}
h1 {{ font-size: 1.4rem; margin: 0 0 .4rem; }}
p {{ font-size: 1.1rem; line-height: 1.5; margin: 0; }}
</style>
</head>
<body><main class="ws-room-full">
{chr(10).join(sections)}
</main></body>
</html>
"""
