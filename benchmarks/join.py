"""Benchmark client: open the participant page the way a browser does, over HTTP and the kernel's websocket.

"Ready for input" means, for one visitor: the page's HTML has arrived (with the
app's widget view in it), the kernel's websocket is open and has answered
``kernel_info``, and the widget manager's ``request_states`` reply holds the
join form's button, so a browser has every model it needs to draw the form.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import statistics
import time
import uuid
from dataclasses import dataclass, field

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from tornado.websocket import websocket_connect

AsyncHTTPClient.configure(None, max_clients=400)

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')
XSRF = "benchbench"  # any value works as long as cookie and header agree

#: The kernel websocket protocol Voila's page asks for (@jupyterlab/services): the server passes
#: the kernel's messages on as they are, without decoding and encoding each as JSON. A client
#: speaking the legacy JSON protocol costs the server several times more per message, so a
#: benchmark speaking it measured a server busier than a room of browsers makes it.
V1 = "v1.kernel.websocket.jupyter.org"
_MSG_PARTS = ("header", "parent_header", "metadata", "content")


def _msg(msg_type: str, content: dict, channel: str = "shell", session: str = "", metadata=None) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "bench", "session": session,
                   "msg_type": msg_type, "version": "5.3",
                   "date": dt.datetime.now(dt.timezone.utc).isoformat()},
        "parent_header": {}, "metadata": metadata or {}, "content": content,
        "channel": channel, "buffers": [],
    }


@dataclass
class Visit:
    """One visitor's page and kernel connection, with the time each step finished."""
    base: str
    query: str
    notebook: str = "participant.ipynb"
    t0: float = 0.0
    http_s: float | None = None
    ws_s: float | None = None
    ready_s: float | None = None
    kernel_id: str | None = None
    states: dict = field(default_factory=dict)
    error: str | None = None
    ws: object = None
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    _waiters: list = field(default_factory=list)
    _reader: object = None
    _control: str | None = None
    _closed: Exception | None = None

    async def open(self, timeout: float, marker: str = "ws-join-button") -> "Visit":
        self.t0 = time.perf_counter()
        try:
            await asyncio.wait_for(self._open(marker), timeout)
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        return self

    async def _open(self, marker: str) -> None:
        url = f"{self.base}voila/render/{self.notebook}?{self.query}"
        resp = await AsyncHTTPClient().fetch(HTTPRequest(url, request_timeout=600, connect_timeout=600))
        html = resp.body.decode()
        if "application/vnd.jupyter.widget-view+json" not in html:
            raise RuntimeError("page has no widget view")
        self.kernel_id = KERNEL_ID.search(html).group(1)
        self.http_s = time.perf_counter() - self.t0
        ws_url = (self.base.replace("http://", "ws://") +
                  f"api/kernels/{self.kernel_id}/channels?session_id={self.session}")
        self.ws = await websocket_connect(ws_url, max_message_size=64 * 2**20, subprotocols=[V1])
        self._reader = asyncio.ensure_future(self._read())
        await self.request(_msg("kernel_info_request", {}, session=self.session), "kernel_info_reply")
        self.ws_s = time.perf_counter() - self.t0
        comm_id = uuid.uuid4().hex
        self.send(_msg("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
                       session=self.session, metadata={"version": "1.0.0"}))
        reply = await self.request(
            _msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}, session=self.session),
            "comm_msg", lambda m: m["content"].get("data", {}).get("method") == "update_states")
        self.states = reply["content"]["data"]["states"]
        self._control = comm_id
        if self.find(marker) is None:
            raise RuntimeError(f"the app has no widget with class {marker}")
        # The join screen exists before the visitor arrives; it is ready for input once the
        # kernel has opened the visitor's workshop and enabled the button.
        while self.states[self.find(marker)]["state"].get("disabled"):
            await self.wait_for(lambda m: m["msg_type"] == "comm_msg"
                                and m["content"].get("comm_id") == self.find(marker), 600)
        self.ready_s = time.perf_counter() - self.t0

    async def refresh_states(self) -> dict:
        """Ask the kernel for every widget's state again (after the app changed its view)."""
        reply = await self.request(
            _msg("comm_msg", {"comm_id": self._control, "data": {"method": "request_states"}}, session=self.session),
            "comm_msg", lambda m: m["content"].get("data", {}).get("method") == "update_states")
        self.states = reply["content"]["data"]["states"]
        return self.states

    def buttons(self, description: str) -> list[str]:
        """Model ids of the enabled buttons labelled ``description``, in the order they were made."""
        return [mid for mid, st in self.states.items() if st.get("model_name") == "ButtonModel"
                and st["state"].get("description") == description and not st["state"].get("disabled")]

    def click(self, model_id: str) -> None:
        self.send(_msg("comm_msg", {"comm_id": model_id, "data": {
            "method": "custom", "content": {"event": "click"}}}, session=self.session))

    async def until_value(self, model_id: str, predicate, timeout: float) -> str:
        """Wait until the widget's ``value`` (kept up to date from its update messages) satisfies ``predicate``."""
        value = self.states.get(model_id, {}).get("state", {}).get("value", "")
        deadline = time.monotonic() + timeout
        while not predicate(value):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"widget value never matched; last: {value[:300]!r}")
            msg = await self.wait_for(lambda m: m["msg_type"] == "comm_msg"
                                      and m["content"].get("comm_id") == model_id
                                      and "value" in m["content"].get("data", {}).get("state", {}), left)
            value = msg["content"]["data"]["state"]["value"]
        return value

    def find(self, dom_class: str) -> str | None:
        for model_id, st in self.states.items():
            if dom_class in (st.get("state", {}).get("_dom_classes") or ()):
                return model_id
        return None

    def send(self, msg: dict) -> str:
        if self.ws.selected_subprotocol == V1:
            parts = [json.dumps(msg[k]).encode() for k in _MSG_PARTS]
            self.ws.write_message(serialize_msg_to_ws_v1(parts, msg["channel"]), binary=True)
        else:
            self.ws.write_message(json.dumps(msg))
        return msg["header"]["msg_id"]

    async def request(self, msg: dict, reply_type: str, check=lambda m: True) -> dict:
        if self._closed:
            raise self._closed
        fut = asyncio.get_event_loop().create_future()
        self._waiters.append((msg["header"]["msg_id"], reply_type, check, fut))
        self.send(msg)
        return await fut

    async def wait_for(self, predicate, timeout: float) -> dict:
        """The next message (any parent) for which ``predicate(msg)`` holds."""
        if self._closed:
            raise self._closed
        fut = asyncio.get_event_loop().create_future()
        self._waiters.append((None, None, predicate, fut))
        return await asyncio.wait_for(fut, timeout)

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                # The server closed the socket (the kernel shut down, a restart): whatever waits
                # for an answer fails now and says why, not after its whole patience.
                closed = ConnectionError(f"the kernel's websocket closed (code {self.ws.close_code}, "
                                         f"{self.ws.close_reason or 'no reason given'})")
                self._closed = closed
                for *_, fut in self._waiters:
                    if not fut.done():
                        fut.set_exception(closed)
                self._waiters.clear()
                return
            if isinstance(raw, bytes):
                if self.ws.selected_subprotocol != V1:
                    continue  # binary buffers: the app sends none we need
                channel, parts = deserialize_msg_from_ws_v1(raw)
                msg = {k: json.loads(part) for k, part in zip(_MSG_PARTS, parts)}
                msg.update(channel=channel, msg_type=msg["header"]["msg_type"])
            else:
                msg = json.loads(raw)
            self._track(msg)
            parent = msg.get("parent_header", {}).get("msg_id")
            for entry in list(self._waiters):
                pid, mtype, check, fut = entry
                if fut.done():
                    self._waiters.remove(entry)
                    continue
                if (pid is None or (pid == parent and msg["msg_type"] == mtype)) and check(msg):
                    fut.set_result(msg)
                    self._waiters.remove(entry)

    def _track(self, msg: dict) -> None:
        """Keep ``states`` current from the kernel's widget messages."""
        content = msg.get("content", {})
        if msg.get("msg_type") == "comm_open" and content.get("target_name") == "jupyter.widget":
            data = content.get("data", {})
            self.states[content["comm_id"]] = {"model_name": data.get("state", {}).get("_model_name"),
                                               "state": dict(data.get("state", {}))}
        elif msg.get("msg_type") == "comm_msg":
            data = content.get("data", {})
            if data.get("method") in ("update", "echo_update") and content.get("comm_id") in self.states:
                self.states[content["comm_id"]]["state"].update(data.get("state", {}))

    async def join_as(self, name: str, timeout: float) -> None:
        """Type a name and press Join, through the widget protocol, and wait for the stage view."""
        text, button = self.find("ws-name"), self.find("ws-join-button")
        seen = self.wait_for(lambda m: m["msg_type"] == "comm_msg" and "You are" in json.dumps(
            m["content"].get("data", {}).get("state", {})), timeout)
        self.send(_msg("comm_msg", {"comm_id": text, "data": {
            "method": "update", "state": {"value": name}, "buffer_paths": []}}, session=self.session))
        self.click(button)
        try:
            await seen
        except asyncio.TimeoutError:
            # Say what the page says instead (an error message under the form, if any).
            feedback = [st["state"].get("value", "") for st in self.states.values()
                        if "ws-feedback" in (st.get("state", {}).get("_dom_classes") or ())]
            shown = " | ".join(re.sub(r"<[^>]+>", "", f) for f in feedback if f) or "nothing"
            raise TimeoutError(f"no stage view within {timeout:.0f} s; the form shows: {shown[:200]}") from None

    async def shutdown(self) -> None:
        """Close the tab: what Voila's page does on unload, so the kernel is freed."""
        if self.ws is not None:
            self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
        if self.kernel_id:
            try:
                await AsyncHTTPClient().fetch(HTTPRequest(
                    f"{self.base}voila/api/shutdown/{self.kernel_id}", method="POST", body=b"",
                    headers={"X-XSRFToken": XSRF, "Cookie": f"_xsrf={XSRF}"}, request_timeout=60))
            except Exception:  # noqa: BLE001 - a kernel already gone is fine
                pass


async def burst(base: str, query: str, n: int, timeout: float) -> list[Visit]:
    """``n`` visitors request the page at the same instant."""
    visits = [Visit(base, query) for _ in range(n)]
    await asyncio.gather(*(v.open(timeout) for v in visits))
    return visits


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    values = sorted(values)
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": values[-1],
            "mean": statistics.fmean(values)}


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile: p95 of 30 samples is the 29th, an observed value."""
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def burst_figures(visits: list[Visit]) -> dict:
    ok = [v for v in visits if v.error is None]
    return {
        "n": len(visits),
        "errors": len(visits) - len(ok),
        "error_samples": sorted({v.error for v in visits if v.error})[:3],
        "ready_s": summary([v.ready_s for v in ok]),
        "http_s": summary([v.http_s for v in ok]),
        "ws_s": summary([v.ws_s for v in ok]),
    }
