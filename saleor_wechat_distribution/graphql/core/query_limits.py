"""Limits a GraphQL request must fit before it is validated or executed.

Saleor refuses a query over ``GRAPHQL_QUERY_MAX_COMPLEXITY`` (its cost validator) or with more aliases than
``GRAPHQL_ALIAS_COUNT_LIMIT`` before executing it. We do the same, cheapest check first, because with
graphql-core 2 parsing and validating are themselves the cost: a 350 KB document takes 0.45 s to parse,
and the rule that checks repeated fields can be merged is quadratic (1,000 copies of one field in 32 KB
take 5.6 s to validate). So:

1. the document's size, before anything else looks at it (``max_query_bytes``);
2. one pass of graphql-core's lexer that counts aliases and nesting and stops at the first one over the
   limit, so a 400 KB document of aliases costs what its first few kilobytes cost;
3. the parse; then one walk of the parsed document, fragments expanded (each fragment's result
   memoized, so fragments spreading fragments cannot blow the walk up), for the depth, the fields
   repeated in one selection set and the cost;
4. only then graphql-core's validation and execution.

Cost: every field costs 1 (a few cost more, ``COMPLEXITY``); a field taking ``first`` multiplies what is
selected under it by ``first`` (the default page size when absent, at most the largest page), as Saleor's
cost map does with ``multipliers``. Depth: nested selection sets with fragments expanded in place (an
inline fragment or a spread adds no level).

Every limit is a Django setting (0 turns a limit off: not recommended); they are the same for every
caller and are checked before the caller is authenticated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from graphql.language import ast
from graphql.language.lexer import Lexer, TokenKind
from graphql.language.source import Source
from graphql.type import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from graphql.type.definition import get_named_type
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from .connection import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

#: (setting, default)
DEFAULTS = {
    "max_body_bytes": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_BODY_BYTES", 1 << 20),
    "max_query_bytes": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_QUERY_BYTES", 32 * 1024),
    "max_aliases": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_ALIASES", 100),
    "max_depth": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_DEPTH", 20),
    "max_field_repeats": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_FIELD_REPEATS", 10),
    "max_cost": ("WECHAT_DISTRIBUTION_GRAPHQL_MAX_COST", 10_000),
}

#: (type, field) -> cost of selecting it once; ("Mutation", "*"): every mutation
COMPLEXITY: dict[tuple[str, str], int] = {
    ("Mutation", "sharePosterCreate"): 200,  # fetches a picture and draws an image (once per content)
    ("Mutation", "storefrontQrCodeCreate"): 50,  # a WeChat API call when none is stored
    ("Query", "distributorStats"): 20,  # aggregates over orders and the team
    ("Query", "jsSdkConfig"): 50,  # a WeChat API call when the account's ticket is not cached
    ("Mutation", "*"): 10,
    ("Mutation", "miniProgramSignIn"): 50,  # jscode2session
    ("Mutation", "miniProgramCodeCreate"): 200,  # getwxacodeunlimit and an image stored, once per code
}
DEFAULT_COMPLEXITY = 1
PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class QueryLimits:
    max_body_bytes: int
    max_query_bytes: int
    max_aliases: int
    max_depth: int
    max_field_repeats: int
    max_cost: int


def query_limits() -> QueryLimits:
    """The limits in force (read per request, so settings overrides apply at once)."""
    values = {name: int(getattr(settings, key, default)) for name, (key, default) in DEFAULTS.items()}
    return QueryLimits(**values)


@dataclass
class QueryLimitExceeded(Exception):
    """A request over one of the limits: refused with ``code`` before it is validated or executed."""

    code: str
    message: str
    status: int = 400
    extensions: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def check_query_size(query: str, limits: QueryLimits) -> None:
    size = len(query.encode("utf-8"))
    if limits.max_query_bytes and size > limits.max_query_bytes:
        raise QueryLimitExceeded(
            "QueryTooLarge",
            _("The query is %(size)d bytes long; the limit is %(max)d bytes.")
            % {"size": size, "max": limits.max_query_bytes},
            status=413,
        )


def _too_many_aliases(limits: QueryLimits) -> QueryLimitExceeded:
    return QueryLimitExceeded(
        "TooManyAliases", _("The query uses more than %(max)d aliases.") % {"max": limits.max_aliases}
    )


def _too_deep(limits: QueryLimits) -> QueryLimitExceeded:
    return QueryLimitExceeded(
        "QueryTooDeep",
        _("The query nests selections more than %(max)d levels deep.") % {"max": limits.max_depth},
    )


def scan_tokens(query: str, limits: QueryLimits) -> None:
    """Count aliases and selection nesting with the lexer alone, stopping at the first excess.

    A ``{`` opens a selection set unless it is inside arguments, a list or an input object (then it is an
    input object), or it opens an inline fragment (``... on T {``, ``... @include(if: $x) {``: no level of
    its own, as in the walk of the parsed document); a ``name :`` directly inside a selection set is an
    alias. Lexing errors are left to the parser, which reports them with their position.
    """
    lexer = Lexer(Source(query))
    stack: list[int] = []  # open brackets: BRACE_L a selection set, SPREAD an inline fragment, else a value
    aliases = depth = 0
    previous = None
    spread = ""  # after "...": "spread", "on" (a type condition follows), "inline" (then "{" opens one)
    try:
        token = lexer.next_token()
        while token.kind != TokenKind.EOF:
            kind = token.kind
            in_selection = stack[-1:] in ([TokenKind.BRACE_L], [TokenKind.SPREAD])
            if kind == TokenKind.SPREAD:
                spread = "spread"
            elif spread == "spread":  # "... on T", "... @dir", "... {" open inline fragments; "...F" not
                on = kind == TokenKind.NAME and token.value == "on"
                spread = "on" if on else "inline" if kind in (TokenKind.AT, TokenKind.BRACE_L) else ""
            elif spread == "on":  # the type condition's name
                spread = "inline"
            if kind == TokenKind.BRACE_L:
                if not stack or in_selection:
                    inline = spread == "inline"
                    stack.append(TokenKind.SPREAD if inline else TokenKind.BRACE_L)
                    depth += not inline
                    if limits.max_depth and depth > limits.max_depth:
                        raise _too_deep(limits)
                    spread = ""
                else:
                    stack.append(TokenKind.PAREN_L)
            elif kind in (TokenKind.PAREN_L, TokenKind.BRACKET_L):
                stack.append(TokenKind.PAREN_L)
            elif kind in (TokenKind.BRACE_R, TokenKind.PAREN_R, TokenKind.BRACKET_R) and stack:
                if stack.pop() == TokenKind.BRACE_L:
                    depth -= 1
            elif kind == TokenKind.COLON and previous == TokenKind.NAME and in_selection:
                aliases += 1
                if limits.max_aliases and aliases > limits.max_aliases:
                    raise _too_many_aliases(limits)
            previous = kind
            token = lexer.next_token()
    except QueryLimitExceeded:
        raise
    except Exception:  # a syntax error: the parser reports it
        return


class _Walk:
    """One pass over a parsed document: depth, repeated fields and cost, fragments memoized."""

    def __init__(self, document: ast.Document, schema: GraphQLSchema, variables: dict, limits: QueryLimits):
        self.schema = schema
        self.variables = variables
        self.limits = limits
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)
        }
        self.memo: dict[str, tuple[int, int]] = {}
        self.in_progress: set[str] = set()

    def selections(self, selection_set: ast.SelectionSet | None, parent: Any) -> tuple[int, int]:
        """(cost of one selection of this set, its depth); raises on repeated fields."""
        if selection_set is None:
            return 0, 0
        self.check_repeats(selection_set)
        cost = depth = 0
        for selection in selection_set.selections:
            if isinstance(selection, ast.Field):
                field_cost, field_depth = self.field(selection, parent)
            elif isinstance(selection, ast.InlineFragment):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent
                field_cost, field_depth = self.selections(selection.selection_set, fragment_type)
                field_depth -= 1  # an inline fragment is no level of its own: its fields are the set's
            else:
                field_cost, field_depth = self.fragment(selection.name.value)
                field_depth -= 1  # nor is a fragment: the walk expands it in place
            cost += field_cost
            depth = max(depth, field_depth)
        return cost, depth + 1

    def field(self, node: ast.Field, parent: Any) -> tuple[int, int]:
        name = node.name.value
        definition = self.definition(parent, name)
        parent_name = getattr(parent, "name", "")
        complexity = COMPLEXITY.get((parent_name, name)) or COMPLEXITY.get((parent_name, "*"))
        complexity = complexity or DEFAULT_COMPLEXITY
        child_type = get_named_type(definition.type) if definition is not None else None
        page = self.page_size(node, definition)
        child_cost, child_depth = self.selections(node.selection_set, child_type)
        return complexity + page * child_cost, child_depth

    def definition(self, parent: Any, name: str) -> Any:
        if name == "__schema":
            return SchemaMetaFieldDef
        if name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return parent.fields.get(name)
        return None

    def page_size(self, node: ast.Field, definition: Any) -> int:
        if definition is None or not any(arg in definition.args for arg in PAGE_ARGUMENTS):
            return 1
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, ast.Variable):
                value = self.variables.get(value.name.value)
            elif isinstance(value, ast.IntValue):
                value = int(value.value)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                # more than a page holds is refused by the connection itself, before any work
                return min(value, MAX_PAGE_SIZE)
        return DEFAULT_PAGE_SIZE

    def fragment(self, name: str) -> tuple[int, int]:
        if name in self.memo:
            return self.memo[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.in_progress:
            return 0, 0  # unknown or cyclic: validation refuses it
        self.in_progress.add(name)
        fragment_type = self.schema.get_type(definition.type_condition.name.value)
        self.memo[name] = self.selections(definition.selection_set, fragment_type)
        self.in_progress.discard(name)
        return self.memo[name]

    def check_repeats(self, selection_set: ast.SelectionSet) -> None:
        """graphql-core compares every pair of fields sharing a response name in one selection set
        (inline fragments included): refuse a name repeated more than ``max_field_repeats`` times."""
        limit = self.limits.max_field_repeats
        if not limit:
            return
        counts: dict[str, int] = {}
        pending = [selection_set]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, ast.InlineFragment):
                    pending.append(selection.selection_set)
                elif isinstance(selection, ast.Field):
                    key = (selection.alias or selection.name).value
                    counts[key] = counts.get(key, 0) + 1
                    if counts[key] > limit and key != "__typename":
                        raise QueryLimitExceeded(
                            "TooManyRepeatedFields",
                            _("The query selects %(field)s more than %(max)d times in one selection set.")
                            % {"field": key[:64], "max": limit},
                        )


def check_document(
    document: ast.Document, schema: GraphQLSchema, variables: dict, limits: QueryLimits
) -> int:
    """The document's cost (every operation's); raises ``QueryLimitExceeded`` over a limit."""
    walk = _Walk(document, schema, variables, limits)
    roots = {
        "query": schema.get_query_type(),
        "mutation": schema.get_mutation_type(),
        "subscription": schema.get_subscription_type(),
    }
    cost = 0
    for definition in document.definitions:
        if isinstance(definition, ast.OperationDefinition):
            operation_cost, depth = walk.selections(definition.selection_set, roots.get(definition.operation))
            cost += operation_cost
        elif isinstance(definition, ast.FragmentDefinition):
            operation_cost, depth = walk.fragment(definition.name.value)
        else:
            continue
        if limits.max_depth and depth > limits.max_depth:
            raise _too_deep(limits)
    if limits.max_cost and cost > limits.max_cost:
        raise QueryLimitExceeded(
            "QueryCostError",
            _("The query costs %(cost)d; the maximum is %(max)d.") % {"cost": cost, "max": limits.max_cost},
            extensions={"cost": {"requestedQueryCost": cost, "maximumAvailable": limits.max_cost}},
        )
    return cost
