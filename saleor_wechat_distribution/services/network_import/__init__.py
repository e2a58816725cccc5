"""Import a distribution network (with its hierarchy) from a CSV or XLSX file, in flat memory.

The entry point is ``run.network_import``; background jobs (the GraphQL mutation) are ``jobs``.

How it runs (README, "Network import"):

1. The file is read row by row and every row cleaned on its own (``domain/network_import.py``,
   ``reading``); the cleaned rows go, a chunk at a time (COPY on PostgreSQL), into a staging table of
   this import (a temporary table of the session), their own errors into an error table beside it.
   Python never holds more than a chunk of rows, so memory does not grow with the file. The staging
   tables and every SQL statement of the import are in ``db/network_import/``.
2. The rows are checked together, in SQL over the staging table: duplicate external ids, referral codes,
   storefront addresses and people (the same e-mail or phone, or a customer who already is another
   distributor), unknown parents and inviters, a row that is its own parent, cycles (also through
   distributors already in the database that the file does not list), two top rows of a subtree import,
   enterprises under individuals, children under pending or rejected parents, and the depth limit (also
   through a distributor's team that the file does not list). A parent may come after its child. A row
   under a row with an error gets ``parent_invalid``. Customers are looked up through the host's
   directory (``ports``, ``customers``), a chunk of rows at a time (``checks``, ``placement``).
3. A dry run stops there and reports. A real run with any row error also stops there: it writes nothing
   (all or nothing per file). Otherwise, in one transaction under the EXCLUSIVE tree lock, set-based:
   missing customer accounts are created (where the host allows), changed distributors are updated,
   then level by level (parents first) moved distributors are moved with their subtree and new ones are
   numbered (treebeard's path format, in SQL) and inserted; inviters are set, storefronts created or
   renamed, ``numchild`` and ``team_size`` recomputed for the trees touched, and each created or changed
   distributor gets an ``imported`` audit entry (``writing``; the report: ``report``).

A distributor is matched by its external id; a distributor who applied online (no external id) is
known by its referral code, which is what the export writes for it. Re-importing the same file changes
nothing; an edited row updates that distributor (moving it under its new parent if that changed).

The inviter (the fission recruiter, as an application records it) comes from the optional
``inviter_external_id`` column; empty, a new distributor's inviter is its parent (none under the brand)
and an existing one keeps its own. The ``storefront_slug`` column creates or renames the distributor's
storefront (the brand channel given to the import; without one, only existing storefronts can be named).
"""
