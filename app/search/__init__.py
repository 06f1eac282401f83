"""Nearest-neighbour search over claim embeddings."""
