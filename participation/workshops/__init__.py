"""Workshops (world café and other in-person formats): live notes, harvest, compte-rendu."""
