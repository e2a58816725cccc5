"""The README tells the truth about the API: every GraphQL example in it is valid against the schema,
every query and mutation of the schema is in it, and it points only at files inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse
from graphql.language import ast
from graphql.validation import validate

from saleor_wechat_distribution.graphql.schema import schema

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: inline examples of other APIs than ours, with why
NOT_OURS = {"{ app { id } }": "Saleor's own API (the App token check)"}


def examples() -> list[tuple[str, str]]:
    """(where, document) for every ```graphql block and every inline `{ … }` / `query …` / `mutation …`."""
    found = [
        (f"graphql block {n}", block)
        for n, block in enumerate(re.findall(r"```graphql\n(.*?)```", README, re.S), start=1)
    ]
    found += [
        ("inline", span)
        for span in re.findall(r"`((?:query|mutation)\b[^`]*|\{ [^`]*\})`", README)
        if span not in NOT_OURS
    ]
    return found


def operations(document: str) -> list[ast.Document]:
    """Each operation of a block on its own (a block may list several anonymous ones)."""
    parsed = parse(document)
    return [ast.Document(definitions=[definition]) for definition in parsed.definitions]


def test_there_are_examples_to_check():
    assert len(examples()) >= 3


@pytest.mark.parametrize(("where", "document"), examples(), ids=lambda value: value[:60])
def test_every_example_is_valid_against_the_schema(where, document):
    for operation in operations(document):
        errors = validate(schema, operation)
        assert errors == [], f"{where}: {[e.message for e in errors]}\n{document}"


@pytest.mark.parametrize("root", ["Query", "Mutation"])
def test_every_query_and_mutation_is_in_the_readme(root):
    missing = [
        name for name in schema.get_type(root).fields if not re.search(rf"`{name}\b|\b{name}\(", README)
    ]
    assert missing == [], f"{root} fields the README does not mention: {missing}"


def test_the_readme_links_only_files_inside_the_repository():
    assert "DESIGN.md" not in README
    for target in re.findall(r"\]\(((?!https?:|#)[^)]+)\)", README):
        assert (ROOT / target.split("#")[0]).exists(), target
    assert "docs/architecture.md" in README
