"""A hand-rolled Voila client: opens a page over HTTP and speaks the widget protocol on its kernel.

This is what a curious participant with the browser's developer tools can do:
read every widget model in their kernel and set any trait of any widget,
including hidden or disabled ones, then send "custom" messages such as a
button click. Voila lets only comm (and info/shutdown) messages through to
the kernel; everything the apps protect must hold against these messages.

Protocol (ipywidgets 8, widget protocol 2.1, control protocol 1.0):
- The page carries ``"kernelId": "<uuid>"`` in its page config.
- The kernel's channels are a websocket at ``/api/kernels/<id>/channels?session_id=<uuid>``
  speaking Jupyter messages as JSON (``channel`` names shell/iopub/...).
- ``comm_open`` on target ``jupyter.widget.control`` then ``{"method": "request_states"}``
  answers ``{"method": "update_states", "states": {model_id: {model_name, state, ...}}}``.
- To a widget's comm (its model id): ``{"method": "update", "state": {...}, "buffer_paths": []}``
  sets traits; ``{"method": "custom", "content": {...}}`` is a custom event
  (a Button's click is ``{"event": "click"}``); ``{"method": "request_state"}``.
- The kernel answers with ``comm_msg`` ``update``/``echo_update`` and ``comm_open`` for new widgets.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import websocket

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
CONTROL_TARGET = "jupyter.widget.control"
WIDGET_PROTOCOL = "2.1.0"
CONTROL_PROTOCOL = "1.0.0"


@dataclass
class Model:
    model_id: str
    model_name: str
    state: dict = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return list(self.state.get("_dom_classes") or [])

    def text(self) -> str:
        """Everything this model holds, as one string (for leak checks)."""
        return json.dumps(self.state, ensure_ascii=False)


def is_button(model: Model) -> bool:
    """A button a visitor clicks: ipywidgets' Button or ToggleButton, or the apps' SendButton."""
    return model.model_name in ("ButtonModel", "ToggleButtonModel") or is_send_button(model)


def is_send_button(model: Model) -> bool:
    """A workshop.widgets.sendbutton.SendButton: an anywidget with the text boxes it sends."""
    return model.model_name == "AnyModel" and "boxes" in model.state and "description" in model.state


class WidgetClient:
    """One visitor's kernel, driven without a browser."""

    def __init__(self, page_url: str, *, timeout: float = 120.0):
        self.page_url = page_url
        self.timeout = timeout
        self.http = requests.Session()
        self._models: dict[str, Model] = {}
        self.session_id = uuid.uuid4().hex
        self.messages: "queue.Queue[dict]" = queue.Queue()
        # Re-entrant: a caller holding it may still read `models` or `find`.
        self._lock = threading.RLock()
        self._closed = False
        self.html = ""
        self.kernel_id = ""
        self.base = ""
        self.ws: websocket.WebSocket | None = None
        self._reader: threading.Thread | None = None
        self.errors: list[dict] = []

    # ---- connecting -----------------------------------------------------------------------
    def open(self) -> "WidgetClient":
        resp = self.http.get(self.page_url, timeout=self.timeout)
        resp.raise_for_status()
        self.html = resp.text
        found = KERNEL_ID.search(self.html)
        if not found:
            raise AssertionError(f"no kernelId in the page of {self.page_url}")
        self.kernel_id = found.group(1)
        # Where the page really came from (a proxy may redirect) and under which path prefix.
        parts = urlsplit(resp.url)
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path.split('voila/render/')[0]}"
        scheme = "wss" if parts.scheme == "https" else "ws"
        ws_url = (f"{scheme}://{parts.netloc}{parts.path.split('voila/render/')[0]}api/kernels/"
                  f"{self.kernel_id}/channels?session_id={self.session_id}")
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.ws = websocket.create_connection(ws_url, timeout=self.timeout, cookie=cookie or None,
                                              origin=f"{parts.scheme}://{parts.netloc}")
        self.ws.settimeout(0.5)
        self._reader = threading.Thread(target=self._read, name="widget-client", daemon=True)
        self._reader.start()
        self.request_states()
        return self

    def close(self) -> None:
        """Close the socket and shut the kernel down, as the page does on unload."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.ws is not None:
                self.ws.close()
        finally:
            if self.kernel_id:
                self.shutdown_kernel()

    def shutdown_kernel(self) -> int:
        """POST voila/api/shutdown/<id> with an XSRF token, like the page's beforeunload beacon."""
        base = self.base or "{0.scheme}://{0.netloc}/".format(urlsplit(self.page_url))
        xsrf = self.http.cookies.get("_xsrf") or uuid.uuid4().hex
        self.http.cookies.set("_xsrf", xsrf)
        try:
            return self.http.post(f"{base}voila/api/shutdown/{self.kernel_id}", data={"_xsrf": xsrf},
                                  timeout=10).status_code
        except requests.RequestException:
            return 0

    def __enter__(self) -> "WidgetClient":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- Jupyter messages -------------------------------------------------------------------
    def _message(self, msg_type: str, content: dict, channel: str = "shell") -> dict:
        return {
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "participant",
                       "session": self.session_id, "version": "5.3",
                       "date": dt.datetime.now(dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "buffers": [], "channel": channel,
        }

    def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> dict:
        msg = self._message(msg_type, content)
        if metadata:
            msg["metadata"] = metadata
        self.ws.send(json.dumps(msg))
        return msg

    def _read(self) -> None:
        while not self._closed:
            try:
                raw = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                return
            if not raw or isinstance(raw, bytes):
                continue  # binary frames carry buffers; these apps send none
            msg = json.loads(raw)
            self._track(msg)
            self.messages.put(msg)

    def _track(self, msg: dict) -> None:
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        with self._lock:
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                data = content.get("data", {})
                state = data.get("state", {})
                self._models[content["comm_id"]] = Model(content["comm_id"], state.get("_model_name", ""),
                                                        dict(state))
            elif kind == "comm_msg":
                data = content.get("data", {})
                method = data.get("method")
                if method == "update_states":
                    for mid, info in data.get("states", {}).items():
                        self._models[mid] = Model(mid, info.get("model_name", ""), dict(info.get("state", {})))
                elif method in ("update", "echo_update") and content.get("comm_id") in self._models:
                    self._models[content["comm_id"]].state.update(data.get("state", {}))
            elif kind == "comm_close":
                self._models.pop(content.get("comm_id"), None)
            elif kind == "error" or (kind == "stream" and content.get("name") == "stderr"
                                     # ipykernel's second comm manager complains about the control
                                     # comm it does not own; the browser triggers the same line.
                                     and not content.get("text", "").startswith("No such comm")):
                self.errors.append(content)

    @property
    def models(self) -> dict[str, Model]:
        """The widget models seen so far: a copy, since the reading thread adds to them meanwhile
        (a console keeps building panes after it opened)."""
        with self._lock:
            return dict(self._models)

    # ---- the widget protocol ---------------------------------------------------------------------
    def request_states(self, timeout: float = 60.0) -> dict[str, Model]:
        """Every widget model alive in the kernel, as the kernel reports it."""
        comm_id = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": comm_id, "target_name": CONTROL_TARGET, "data": {}},
                  metadata={"version": CONTROL_PROTOCOL})
        self.send("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}},
                  metadata={"version": CONTROL_PROTOCOL})
        self.wait_for_message(lambda m: m.get("content", {}).get("comm_id") == comm_id
                              and m["content"].get("data", {}).get("method") == "update_states", timeout)
        return self.models

    def update(self, model_id: str, **state) -> None:
        """Set traits of a widget, as the browser does when a visitor edits a field.

        Kept here at once too, as a browser's model keeps what its visitor typed: a SendButton
        clicked next sends these words, whether or not the kernel's echo has come back yet."""
        with self._lock:
            if model_id in self._models:
                self._models[model_id].state.update(state)
        self.send("comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": state,
                                                             "buffer_paths": []}},
                  metadata={"version": WIDGET_PROTOCOL})

    def custom(self, model_id: str, content: dict) -> None:
        self.send("comm_msg", {"comm_id": model_id, "data": {"method": "custom", "content": content}},
                  metadata={"version": WIDGET_PROTOCOL})

    def click(self, model_id: str) -> None:
        """Click a button even if the app disabled or hid it.

        A SendButton's click carries what its boxes show, as a browser's does (send-button.js):
        here the boxes' values as this client last set or was told them."""
        self.update(model_id, disabled=False)
        with self._lock:
            model = self._models.get(model_id)
        if model is None or not is_send_button(model):
            self.custom(model_id, {"event": "click"})
            return
        click = {"event": "click", "texts": [self.box_value(ref) for ref in model.state["boxes"]]}
        if "screen" in model.state:
            click["screen"] = model.state["screen"]
        self.custom(model_id, click)

    def click_every_button(self, keep=lambda model: True) -> int:
        """Click every button (``is_button``) of the kernel's current widgets that ``keep`` keeps,
        once the kernel has answered for all of them; returns the messages sent (two a click)."""
        self.request_states()
        sent = 0
        for model in list(self.models.values()):
            if is_button(model) and keep(model):
                self.click(model.model_id)
                sent += 2
        self.idle()
        return sent

    def box_value(self, ref: str) -> str:
        """The value of the text box a widget reference ("IPY_MODEL_<id>") names, "" if unknown."""
        with self._lock:
            box = self._models.get(ref.removeprefix("IPY_MODEL_"))
        return str(box.state.get("value") or "") if box is not None else ""

    def request_state(self, model_id: str) -> None:
        self.send("comm_msg", {"comm_id": model_id, "data": {"method": "request_state"}},
                  metadata={"version": WIDGET_PROTOCOL})

    def execute(self, code: str) -> dict:
        """Try to run code in the kernel (Voila must drop this message)."""
        return self.send("execute_request", {"code": code, "silent": False, "store_history": False,
                                             "user_expressions": {}, "allow_stdin": False,
                                             "stop_on_error": True})

    # ---- waiting and finding ----------------------------------------------------------------------
    def wait_for_message(self, predicate, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.messages.get(timeout=max(0.05, min(0.5, deadline - time.monotonic())))
            except queue.Empty:
                continue
            if predicate(msg):
                return msg
        raise TimeoutError(f"no matching kernel message within {timeout}s")

    def wait_until(self, predicate, timeout: float = 15.0, what: str = "condition") -> None:
        """Poll the kernel's full state until ``predicate(self)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            self.request_states()
            if predicate(self):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not reached within {timeout}s")
            time.sleep(0.3)

    def idle(self, timeout: float = 120.0) -> None:
        """Wait until the kernel has worked through everything sent so far.

        The kernel handles comm messages one at a time, in order, and a click's handler runs
        inside its message: the control comm's answer to ``request_states`` therefore comes
        only after every earlier message was handled. A condition, not a guess at how long a
        busy machine needs (a fixed pause here failed when the machine was loaded)."""
        self.request_states(timeout=timeout)

    def find(self, *, cls: str | None = None, name: str | None = None, **state) -> list[Model]:
        with self._lock:
            found = list(self._models.values())
        if cls:
            found = [m for m in found if cls in m.classes]
        if name:
            found = [m for m in found if m.model_name == name]
        for k, v in state.items():
            found = [m for m in found if m.state.get(k) == v]
        return found

    def one(self, **kwargs) -> Model:
        found = self.find(**kwargs)
        if len(found) != 1:
            raise AssertionError(f"expected one widget {kwargs}, found {len(found)}")
        return found[0]

    def all_text(self) -> str:
        """The state of every widget in the kernel, as one string."""
        with self._lock:
            return "\n".join(m.text() for m in self._models.values())

    def buttons(self) -> list[Model]:
        """Every button a visitor can click: ipywidgets' and the apps' own SendButtons."""
        with self._lock:
            models = list(self._models.values())
        return [m for m in models if m.model_name == "ButtonModel" or is_send_button(m)]

    # ---- the participant app's flows --------------------------------------------------------------
    def announce_browser(self, token: str = "") -> None:
        """What the identity widget's browser side sends on load: the remembered token, if any."""
        for keeper in self.find(name="AnyModel"):
            if "saved_token" in keeper.state:
                self.update(keeper.model_id, token=token, ready=True)

    def join(self, name: str | None, timeout: float = 30.0) -> None:
        self.announce_browser("")
        self.idle()
        if name is not None:
            self.update(self.one(cls="ws-name").model_id, value=name)
        self.click(self.one(cls="ws-join-button").model_id)
        self.wait_until(lambda c: c.find(cls="ws-stage"), timeout, "the participant's stage view")

    def token(self) -> str:
        for keeper in self.find(name="AnyModel"):
            if keeper.state.get("saved_token"):
                return keeper.state["saved_token"]
        return ""
