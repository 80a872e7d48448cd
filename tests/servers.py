"""Fixtures that start real servers (Voila via `workshop serve`); filled in by the apps work."""
