"""Mini Programs (小程序) beside Official Accounts: sign-in (``sign_in``), distributor codes and their
scans (``codes``, ``scenes``), subscribe messages (``subscriptions``), and transfers confirmed in the
Mini Program (``transfers``). Settings per channel come from ``conf.mini_program_settings``."""
