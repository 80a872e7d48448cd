"""The participant app: one link for the whole workshop, one view per stage."""

from workshop.widgets.participant.app import ParticipantApp

__all__ = ["ParticipantApp"]
