"""App mode's database backend: Django's PostgreSQL backend that follows the instance in scope
(``instance_scope``) with the connection's ``search_path`` (``base.py``)."""
