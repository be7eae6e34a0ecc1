"""Keyset (cursor) pagination on a unique, stable order: (sort field, id).

A cursor names the last row a page ended on, so articles published while a partner walks the
list neither repeat nor shift anything out of view. Cursors are opaque, signed strings.
"""

from collections import OrderedDict
from datetime import datetime

from django.core import signing
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from partners.api.exceptions import ParameterNotFound

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_SALT = "newsroom.api.cursor"


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    # Public name → (field, descending). Every order ends with id, so it is total and stable.
    orderings: dict[str, tuple[str, bool]] = {
        "-published_at": ("published_at", True),
        "published_at": ("published_at", False),
        "-updated_at": ("updated_at", True),
    }
    default_ordering = "-published_at"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.ordering = self.get_ordering(request)
        field, descending = self.orderings[self.ordering]
        direction, position = self.decode_cursor(request)
        backwards = direction == "previous"
        forward_descending = descending != backwards
        rows = self.read_page(queryset, field, forward_descending, position, self.page_size + 1)
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.has_next = has_more if not backwards else position is not None
        self.has_previous = (position is not None) if not backwards else has_more
        if not rows:
            self.has_next = self.has_previous = False
        self.first, self.last = (rows[0], rows[-1]) if rows else (None, None)
        self.field = field
        return rows

    def read_page(self, queryset, field: str, descending: bool, position, count: int) -> list:
        """The first `count` rows after `position` in this order: a page and one row more."""
        return self.first_rows(self.ordered(queryset, field, descending, position), count)

    @classmethod
    def ordered(cls, queryset, field: str, descending: bool, position):
        """The rows after `position` (None: from the start), in the order (field, id)."""
        if position is not None:
            queryset = queryset.filter(cls.after(field, position, descending))
        order = [f"-{field}", "-id"] if descending else [field, "id"]
        return queryset.order_by(*order)

    def first_rows(self, queryset, count: int) -> list:
        # A queryset that knows a better way to its first rows (ArticleQuerySet) says so: a
        # search of several words takes another road (see ArticleQuerySet.first_rows).
        if hasattr(queryset, "first_rows"):
            words = len(self.request.query_params.get("q", "").split())
            return queryset.first_rows(count, words=words)
        return list(queryset[:count])

    @staticmethod
    def after(field: str, position, descending: bool) -> Q:
        value, pk = position
        op = "lt" if descending else "gt"
        return Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk})

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return DEFAULT_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {self.page_size_query_param: [f"Must be a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return size

    def get_ordering(self, request) -> str:
        ordering = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if ordering not in self.orderings:
            accepted = ", ".join(self.orderings)
            raise ValidationError({self.ordering_query_param: [f"Must be one of: {accepted}."]})
        return ordering

    def decode_cursor(self, request):
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return "next", None
        try:
            data = signing.loads(token, salt=CURSOR_SALT)
            direction, ordering, value, pk = data
            if direction not in ("next", "previous") or ordering != self.ordering:
                raise ValueError
            return direction, (datetime.fromisoformat(value), int(pk))
        except (signing.BadSignature, ValueError, TypeError):
            raise ParameterNotFound(
                {
                    self.cursor_query_param: [
                        "Invalid cursor: use the `next` or `previous` link of a response "
                        "made with the same ordering."
                    ]
                }
            ) from None

    def encode_cursor(self, direction: str, row) -> str:
        value, pk = row[self.field], row["id"]
        token = signing.dumps([direction, self.ordering, value.isoformat(), pk], salt=CURSOR_SALT)
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, token)

    def get_next_link(self):
        return self.encode_cursor("next", self.last) if self.has_next else None

    def get_previous_link(self):
        if not self.has_previous:
            return None
        return self.encode_cursor("previous", self.first)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous response's `next` or `previous`.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1-{MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                },
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": "Sort order.",
                "schema": {
                    "type": "string",
                    "enum": list(self.orderings),
                    "default": self.default_ordering,
                },
            },
        ]
