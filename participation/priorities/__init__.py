"""Priorities: every voice aggregated into priority themes, the projet de quartier, validation, restitution."""
