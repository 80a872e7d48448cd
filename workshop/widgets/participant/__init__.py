"""The participant app: one link for the whole workshop, one view per stage."""

from .app import ParticipantApp

__all__ = ["ParticipantApp"]
