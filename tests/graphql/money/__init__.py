"""The money API through HTTP: who may do what, what each caller sees, bad input.

Every operation is run by the six roles of ``conftest_commissions.ROLES``: anonymous, a customer without
a distributor profile, distributors A and B (two separate trees), staff without the operation's
permission and staff with it. Refused requests must answer ``PermissionDenied`` (or the coded error the
table names) and leave every money table exactly as it was (``money_snapshot``). The money is described
in ``conftest_commissions``.
"""
