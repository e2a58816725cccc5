"""Writes: the only place business rules run (HackSoftware's styleguide: services write)."""
