"""App mode: the core running as a Saleor App (docs: README, "App mode")."""
