"""The workshop's rules in plain Python: each action validates, checks who may do it, and runs in one transaction."""
