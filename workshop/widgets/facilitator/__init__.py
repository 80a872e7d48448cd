"""The facilitator apps: one panel per stage inside a shared shell (stage bar, timer, navigation)."""
