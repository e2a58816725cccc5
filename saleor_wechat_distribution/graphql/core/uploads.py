"""File uploads: the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec),
as Saleor's own ``Upload`` scalar takes them.

A multipart request carries ``operations`` (the usual JSON body, with ``null`` where files go), ``map``
(which file part goes to which variable path) and the file parts. Files are streamed to temporary files
on disk (never held in memory) and refused past ``WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES``.
"""

from __future__ import annotations

import json
from typing import Any

import graphene
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

#: default of ``WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES``
DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024


def upload_max_bytes() -> int:
    return int(getattr(settings, "WECHAT_DISTRIBUTION_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


class Upload(graphene.types.Scalar):
    """A file sent as a part of a multipart request (GraphQL multipart request spec).

    The variable is ``null`` in ``operations``; the request's ``map`` names the part that fills it.
    """

    @staticmethod
    def serialize(value: Any) -> Any:
        return value

    @staticmethod
    def parse_literal(node: Any) -> Any:
        return node

    @staticmethod
    def parse_value(value: Any) -> Any:
        return value


class UploadTooLarge(Exception):
    pass


class MultipartInvalid(Exception):
    pass


class _LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Every file to a temporary file on disk; the whole upload stops past the limit."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def is_multipart(request: HttpRequest) -> bool:
    return (request.content_type or "").startswith("multipart/form-data")


def parse_multipart(request: HttpRequest) -> dict[str, Any]:
    """The operation (``query``, ``variables``, ``operationName``) with the files put in their places."""
    limit = upload_max_bytes()
    handler = _LimitedTemporaryFileUploadHandler(request, limit=limit)
    try:
        request.upload_handlers = [handler]
    except AttributeError:  # the host read the body already: its handlers took the files
        handler = None
    try:
        operations_raw = request.POST.get("operations")
        map_raw = request.POST.get("map")
        files = request.FILES
    except StopUpload:
        raise UploadTooLarge from None
    if handler is not None and handler.exceeded:
        raise UploadTooLarge
    if any(f.size > limit for f in files.values()):
        raise UploadTooLarge
    try:
        operations = json.loads(operations_raw or "")
        file_map = json.loads(map_raw or "{}")
    except ValueError:
        raise MultipartInvalid("'operations' and 'map' must be JSON.") from None
    if not isinstance(operations, dict) or not isinstance(file_map, dict):
        raise MultipartInvalid("'operations' must be one JSON object and 'map' an object.")
    for key, paths in file_map.items():
        upload = files.get(key)
        if upload is None or not isinstance(paths, list):
            raise MultipartInvalid(f"The map names a file part {key!r} the request does not have.")
        for path in paths:
            _place(operations, path, upload)
    return operations


def _place(operations: dict[str, Any], path: Any, upload: UploadedFile) -> None:
    if not isinstance(path, str) or not path.startswith("variables."):
        raise MultipartInvalid("A map path must start with 'variables.'.")
    parts = path.split(".")
    target: Any = operations
    for part in parts[:-1]:
        target = (
            target[int(part)]
            if isinstance(target, list) and part.isdigit()
            else (target.get(part) if isinstance(target, dict) else None)
        )
        if target is None:
            raise MultipartInvalid(f"The map path {path!r} is not in the operation's variables.")
    last = parts[-1]
    if isinstance(target, list) and last.isdigit() and int(last) < len(target):
        target[int(last)] = upload
    elif isinstance(target, dict) and last in target and target[last] is None:
        target[last] = upload
    else:
        raise MultipartInvalid(f"The map path {path!r} does not point at a null variable.")
