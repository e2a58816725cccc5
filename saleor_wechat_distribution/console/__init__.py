"""The staff console: Saleor App extension pages (macaw-ui, AppBridge), its App manifest and install hook.

Saleor-free: each host (``saleor_adapter``, ``sandbox``) mounts :func:`.http.dispatch` with a
:class:`.http.ConsoleSite` saying where our GraphQL is and how to verify an installation. The built pages
are in ``static/`` (``./dev ui-build``; sources in ``ui/console``).
"""
