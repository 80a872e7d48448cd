"""The vocabulary every layer shares: errors, text rules, credentials, stages, criteria, limits, links. Imports nothing above it."""
