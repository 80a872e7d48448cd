"""The demo workshop, seeded only by `workshop demo` (and the tests); no production page opens it."""
