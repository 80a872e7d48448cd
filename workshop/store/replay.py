"""What an action carrying a request id returned, kept so that a retry gets the same answer.

A retry after a lost commit (the database committed, the answer never came
back) must not apply the action twice. ``@action`` records
(workshop, action, request id) -> result in the same transaction as the
action itself; a repeat of the same request id returns the recorded result
without running the action again.

Results may hold secrets (a participant's new token), so the database keeps
neither the request id nor the result in clear: the row is found by a hash
of the request id and the result is encrypted with a key stream drawn from
the request id, which only the kernel that made the request knows.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import importlib
import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workshop.store.schema import ActionResult, utcnow

#: How long a result is kept: a retry comes within seconds; a day is plenty.
KEEP = dt.timedelta(days=1)

MAX_REQUEST_ID = 64

MISSING = object()


def check_request_id(request_id) -> str:
    if not isinstance(request_id, str) or not 1 <= len(request_id) <= MAX_REQUEST_ID:
        raise ValueError("a request id is a string of 1 to 64 characters")
    return request_id


def _hash(request_id: str) -> str:
    return hashlib.sha256(("request:" + request_id).encode("utf-8")).hexdigest()


def _stream(request_id: str, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"result:{counter}:{request_id}".encode("utf-8")).digest()
        counter += 1
    return bytes(out[:n])


def _crypt(data: bytes, request_id: str) -> bytes:
    return bytes(a ^ b for a, b in zip(data, _stream(request_id, len(data))))


# ---- results as JSON ----------------------------------------------------------------------
def _encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        return {"__dt__": value.isoformat()}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: _encode(v) for k, v in value.items()}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        return {"__dc__": f"{cls.__module__}:{cls.__qualname__}",
                "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise TypeError(f"an action with a request id returned {type(value).__name__}, which cannot be recorded")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__dt__" in value:
        return dt.datetime.fromisoformat(value["__dt__"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v) for k, v in value["__dict__"].items()}
    module, _, name = value["__dc__"].partition(":")
    if not module.startswith("workshop."):
        raise ValueError("recorded result of an unknown type")
    cls = importlib.import_module(module)
    for part in name.split("."):
        cls = getattr(cls, part)
    return cls(**{k: _decode(v) for k, v in value["f"].items()})


def dumps(result, request_id: str) -> str:
    data = json.dumps(_encode(result), separators=(",", ":")).encode("utf-8")
    return base64.b64encode(_crypt(data, request_id)).decode("ascii")


def loads(stored: str, request_id: str):
    return _decode(json.loads(_crypt(base64.b64decode(stored), request_id).decode("utf-8")))


# ---- in the action's transaction -------------------------------------------------------------
def recorded(session: Session, scope: str, action: str, request_id: str):
    """The result recorded for this request, or MISSING."""
    row = session.execute(select(ActionResult.result).where(
        ActionResult.scope == scope, ActionResult.action == action,
        ActionResult.request_hash == _hash(request_id))).scalar_one_or_none()
    return MISSING if row is None else loads(row, request_id)


def record(session: Session, scope: str, action: str, request_id: str, result) -> None:
    now = utcnow()
    session.execute(delete(ActionResult).where(ActionResult.scope == scope, ActionResult.created_at < now - KEEP))
    session.add(ActionResult(scope=scope, action=action, request_hash=_hash(request_id),
                             result=dumps(result, request_id), created_at=now))
    session.flush()
