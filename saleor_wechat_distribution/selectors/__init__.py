"""Reads over the models (HackSoftware's styleguide: selectors read)."""
