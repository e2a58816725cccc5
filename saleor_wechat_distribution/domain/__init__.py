"""Pure-Python rules of the distribution program: no Django, no Saleor (enforced by import-linter)."""
