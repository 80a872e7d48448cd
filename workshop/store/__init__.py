"""Persistence: the one store facade (``Store``, ``Tx``, ``@action``, ``@query``), the tables and their migrations."""

from workshop.store.engine import COUNTS, Store, Tx, action, normalize_code, normalize_url, open_store, query

__all__ = ["COUNTS", "Store", "Tx", "action", "query", "open_store", "normalize_code", "normalize_url"]
