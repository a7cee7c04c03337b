"""Accounts, roles and their scope (quartiers or whole contrats de ville)."""
