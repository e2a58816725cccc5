"""Parse and validate each distinct query text once per process.

graphql-core 2 parses and validates the document of every request before executing it; for the
distributor center's home request validation alone costs more than its SQL. Validation depends only on
the schema and the document (never on variables, the caller or the data), so a document that validated
once is kept (by its exact text, in a bounded LRU) and executed without parsing or validating again.
Documents that do not validate are not kept: their errors are computed every time, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import partial
from typing import Any

from graphql.backend.base import GraphQLBackend, GraphQLDocument
from graphql.backend.core import GraphQLCoreBackend
from graphql.execution import execute
from graphql.language.base import parse
from graphql.validation import validate

#: distinct query texts kept per process (clients send a handful; a flood of distinct ones only evicts)
CACHE_SIZE = 512
#: longer documents are not kept (the request body is bounded anyway)
MAX_CACHED_LENGTH = 32 * 1024


class ValidatedDocumentBackend(GraphQLBackend):
    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._documents: OrderedDict[tuple[int, str], GraphQLDocument] = OrderedDict()
        self._lock = threading.Lock()
        self._core = GraphQLCoreBackend()

    def document_from_string(self, schema: Any, document_string: Any) -> GraphQLDocument:
        if not isinstance(document_string, str) or len(document_string) > MAX_CACHED_LENGTH:
            return self._core.document_from_string(schema, document_string)
        key = (id(schema), document_string)
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                self._documents.move_to_end(key)
                return found
        document_ast = parse(document_string)
        if validate(schema, document_ast):
            return self._core.document_from_string(schema, document_ast)  # reports its errors when run
        document = GraphQLDocument(
            schema=schema,
            document_string=document_string,
            document_ast=document_ast,
            execute=partial(execute, schema, document_ast, executor=None),
        )
        with self._lock:
            self._documents[key] = document
            while len(self._documents) > self._size:
                self._documents.popitem(last=False)
        return document


backend = ValidatedDocumentBackend()
