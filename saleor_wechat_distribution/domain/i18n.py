"""Marking user-facing strings in Django-free code.

``gettext_noop`` returns its argument unchanged; Django's ``makemessages`` extracts every call to it, and
the GraphQL layer translates the message when it shows it (``graphql/core/mutations.py``).
"""


def gettext_noop(message: str) -> str:
    return message
