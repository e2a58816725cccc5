"""The distributor center's reads (``schema.py``) and types (``types.py``); its mutations live in
``mutations/``."""
