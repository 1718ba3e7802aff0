"""The main navigation. Each domain adds its own entry when it exists, so nothing links to a page
that is not built yet."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    # Who sees the entry; defaults to every signed-in person.
    visible: Callable[[Any], bool] = lambda person: True
    order: int = 100
    # A count shown beside the label (unread notifications, say); one cheap query at most.
    badge: Callable[[Any], int] | None = None


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(person: Any) -> list[NavItem]:
    return sorted((i for i in _ITEMS.values() if i.visible(person)), key=lambda i: (i.order, i.label))


@dataclass(frozen=True)
class AdminTile:
    """A tile in the admin area, for the people `visible` says may use it (ask the policy there)."""

    key: str
    title: str
    url_name: str
    description: str
    visible: Callable[[Any], bool]
    order: int = 100


_TILES: dict[str, AdminTile] = {}


def register_admin_tile(tile: AdminTile) -> None:
    _TILES[tile.key] = tile


def admin_tiles_for(person: Any) -> list[AdminTile]:
    return sorted((t for t in _TILES.values() if t.visible(person)), key=lambda t: (t.order, t.title))
