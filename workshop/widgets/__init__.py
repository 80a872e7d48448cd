"""ipywidgets components: each calls the domain layer and holds no rules of its own."""
