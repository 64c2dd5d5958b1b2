"""Writes of the assessment, one module per concern: standards, checks (scores, problems), ratings."""
