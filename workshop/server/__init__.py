"""`workshop serve`: Voila configured and tuned for a room that joins at once."""
