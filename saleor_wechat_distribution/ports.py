"""What the core needs from its host (Saleor, or the sandbox), and the DTOs that cross that line.

The host turns its own objects into these; the core never sees a Saleor model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .domain.permissions import Permission


@dataclass(frozen=True)
class Principal:
    """Who is calling: built by the host from its own authentication (Saleor JWT, sandbox token)."""

    user_id: int | None = None
    email: str = ""
    is_staff: bool = False
    is_active: bool = True
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None and self.is_active

    def has_perms(self, *perms: Permission) -> bool:
        return self.is_authenticated and self.is_staff and set(perms) <= self.permissions

    @property
    def actor_label(self) -> str:
        """How audit entries name this caller."""
        if not self.is_authenticated:
            return "anonymous"
        return f"{'staff' if self.is_staff else 'user'}:{self.user_id}"


#: The principal used by system jobs (imports, periodic tasks): every permission, no user.
SYSTEM = Principal(user_id=0, email="system", is_staff=True, permissions=frozenset(Permission))
