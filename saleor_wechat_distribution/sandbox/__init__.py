"""A standalone Django project that runs the core without Saleor: demo data, GraphiQL, callbacks."""
