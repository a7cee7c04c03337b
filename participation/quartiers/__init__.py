"""Territories: contrats de ville, communes, quartiers prioritaires, conseils citoyens, themes."""
