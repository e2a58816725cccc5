"""Fast paths: the plain SQL the hot paths and the set-based jobs need, in one place, so services read as
business rules.

Each builder has a PostgreSQL form (one statement, no ORM query compilation, ``COPY``, ``ON CONFLICT``,
``= ANY(array)``) and a portable form with the same effect for SQLite, the sandbox's default database;
tests run each on both (``tests/db/``). Modules, named for what they do:

- ``rows``: model instances from one plain SELECT (the paid-order hot path's reads);
- ``upserts``: inserts in one statement that tell whether they inserted (idempotency by unique keys);
- ``tree``: the distributor tree (ordered row locks, next child's path, team-size counters, path steps
  as SQL, counts recomputed for whole trees);
- ``distributors``: distributor rows by key in one query, and their audit entries;
- ``settlement``: one batch of due commissions settled into the ledger;
- ``network_import``: the staging tables and the statements of a network import.

Nothing here decides a business rule: which rows to ask for, which error a row gets and what happens
next are the services'. This layer sits below ``services`` and ``selectors`` and above ``models``.
"""
