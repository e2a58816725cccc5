from saleor_wechat_distribution.graphql.print_schema import SCHEMA_PATH, printed_schema


def test_committed_sdl_matches_the_schema():
    """Schema changes must be deliberate: regenerate with
    ``python -m saleor_wechat_distribution.graphql.print_schema --write`` and commit the diff."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == printed_schema()


def _named(graphql_type):
    while hasattr(graphql_type, "of_type"):
        graphql_type = graphql_type.of_type
    return graphql_type.name


def test_the_same_thing_has_one_type_everywhere():
    """A host's order id is an ``ID`` wherever it appears (fields, input fields, arguments), so a client
    can pass one variable from one query to another (``commissions(filter: {orderId})``,
    ``disputes(filter: {orderId})``, ``orderDisputeOpen``, ``orderAttributionReassign``)."""
    from saleor_wechat_distribution.graphql.schema import schema

    seen: dict[str, set[str]] = {}
    for type_name, graphql_type in schema.get_type_map().items():
        if type_name.startswith("__"):
            continue
        for field_name, field in (getattr(graphql_type, "fields", None) or {}).items():
            seen.setdefault(field_name, set()).add(_named(field.type))
            for arg_name, arg in (getattr(field, "args", None) or {}).items():
                seen.setdefault(arg_name, set()).add(_named(arg.type))
    for name in ("orderId", "checkoutId", "distributorId", "voucherId"):
        assert seen.get(name) == {"ID"}, (name, seen.get(name))
