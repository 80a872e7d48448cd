"""Entry points the notebooks call: each reads the request and shows one app."""
