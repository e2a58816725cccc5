"""Test helpers shipped with the package, for our tests and for hosts embedding the plugin."""
