"""The room screen (notebooks/room.ipynb): what the facilitator shares on the call, read-only."""

from workshop.widgets.room.app import RoomScreen

__all__ = ["RoomScreen"]
