from saleor_wechat_distribution.graphql.print_schema import SCHEMA_PATH, printed_schema


def test_committed_sdl_matches_the_schema():
    """Schema changes must be deliberate: regenerate with
    ``python -m saleor_wechat_distribution.graphql.print_schema --write`` and commit the diff."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == printed_schema()
