"""News outlets: every article belongs to one, and claims are only compared across them."""
