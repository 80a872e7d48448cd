"""`workshop bench` and the suggestion benchmark: figures measured on a real server, printed, never asserted."""
