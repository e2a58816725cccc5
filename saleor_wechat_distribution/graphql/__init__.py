"""Our GraphQL API: a second graphene-2 schema served beside Saleor's (docs/architecture.md)."""
