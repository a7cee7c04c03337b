"""Proposals and votes per quartier, with official answers."""
