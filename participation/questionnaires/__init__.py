"""Questionnaires de concertation: built by facilitators, answered online or on paper, analysed."""
