"""Werkpunt: shared settings and the command-line entry points that start the stack."""
