"""Documents parsed and validated once per process.

graphql-core 2 validates the document of every request before executing it; for the distributor
center's home request that cost more than its SQL. Validation depends only on the schema and the
document (never on variables, the caller or the data), so a document that validated once is kept, by
its exact text, in a bounded LRU: the next request with that text skips the parse and the validation
(the limits that depend on the variables still run every time: ``views._checked_document``; the token
scan of aliases and depth depends on the text and two limits only, so it is skipped for a kept text
scanned under the same limits).
Documents that do not validate are never kept: their errors are computed every time, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from graphql.language import ast

#: distinct query texts kept per process (clients send a handful; a flood of distinct ones only evicts)
CACHE_SIZE = 512


class ValidatedDocuments:
    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._documents: OrderedDict[str, ast.Document] = OrderedDict()
        #: query -> the limits its token scan passed under (only for kept documents)
        self._scanned: dict[str, Hashable] = {}
        self._lock = threading.Lock()

    def get(self, query: str) -> ast.Document | None:
        """The parsed document of ``query`` when it validated before, else None."""
        with self._lock:
            document = self._documents.get(query)
            if document is not None:
                self._documents.move_to_end(query)
            return document

    def remember(self, query: str, document: ast.Document) -> None:
        """``document`` (parsed from ``query``) validated: keep it."""
        with self._lock:
            self._documents[query] = document
            self._documents.move_to_end(query)
            while len(self._documents) > self._size:
                evicted, _ = self._documents.popitem(last=False)
                self._scanned.pop(evicted, None)

    def scan_passed(self, query: str, limits: Hashable) -> bool:
        """Whether ``query`` is kept and its token scan passed under ``limits``."""
        with self._lock:
            return query in self._documents and self._scanned.get(query) == limits

    def mark_scanned(self, query: str, limits: Hashable) -> None:
        """``query``'s token scan passed under ``limits`` (remembered only while its document is kept)."""
        with self._lock:
            if query in self._documents:
                self._scanned[query] = limits

    def __len__(self) -> int:
        return len(self._documents)


validated = ValidatedDocuments()
