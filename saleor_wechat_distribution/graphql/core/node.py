"""``node(id)`` that answers null for any id it cannot resolve.

graphene 2's ``relay.Node.Field()`` reads ``_meta.interfaces`` of whatever type an id names, outside
its own error handling: the id of an enum or input type is then a 500. This resolver only dispatches
to the object types the schema registers as nodes.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from .ids import InvalidGlobalId, decode_global_id

_NODE_TYPES: dict[str, type[graphene.ObjectType]] = {}


def register_node_type(node_type: type[graphene.ObjectType]) -> type[graphene.ObjectType]:
    _NODE_TYPES[node_type._meta.name] = node_type
    return node_type


def resolve_node(root: Any, info: Any, *, id: str) -> Any:
    for type_name, node_type in _NODE_TYPES.items():
        try:
            pk = decode_global_id(id, expected_type=type_name)
        except InvalidGlobalId:
            continue
        return node_type.get_node(info, str(pk))
    return None


def node_field() -> graphene.Field:
    return graphene.Field(
        relay.Node,
        id=graphene.ID(required=True, description="The ID of the object"),
        resolver=resolve_node,
        description="The object with this global id, if the caller may see it.",
    )
