"""Print the SDL; ``... print_schema --write`` updates the committed schema.graphql."""

from __future__ import annotations

import sys
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")


def printed_schema() -> str:
    from .schema import schema

    return str(schema).rstrip() + "\n"


def main() -> None:
    import django

    django.setup()
    text = printed_schema()
    if "--write" in sys.argv:
        SCHEMA_PATH.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
