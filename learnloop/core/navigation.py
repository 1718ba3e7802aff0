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
    # The key of a NavGroup to appear in; empty (or a group that is not registered) for the top level.
    group: str = ""

    @property
    def namespace(self) -> str:
        return self.url_name.partition(":")[0]


@dataclass(frozen=True)
class NavGroup:
    """A disclosure in the menu gathering related entries, so the top level stays short on any screen."""

    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    """One top-level place in the menu: a link (`item`) or a group of links (`children`)."""

    key: str
    label: str
    item: NavItem | None = None
    children: tuple[NavItem, ...] = ()

    @property
    def namespaces(self) -> set[str]:
        """The URL namespaces of the group's links, to mark the group that holds the current page."""
        return {child.namespace for child in self.children}


def manages_people(person: Any) -> bool:
    """For team entries: the team pages show the viewer's own reports, so only people with reports see them."""
    return "manager" in person.roles


_ITEMS: dict[str, NavItem] = {}
_GROUPS: dict[str, NavGroup] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def register_group(group: NavGroup) -> None:
    _GROUPS[group.key] = group


def items_for(person: Any) -> list[NavItem]:
    return sorted((i for i in _ITEMS.values() if i.visible(person)), key=lambda i: (i.order, i.label))


def menu_for(person: Any, items: list[NavItem] | None = None) -> list[NavEntry]:
    """The menu's top level for `person`: their entries, with grouped ones gathered under their group.
    A group with a single entry for this person is just that link."""
    placed: list[tuple[int, str, NavEntry]] = []
    grouped: dict[str, list[NavItem]] = {}
    for item in items_for(person) if items is None else items:
        if item.group in _GROUPS:
            grouped.setdefault(item.group, []).append(item)
        else:
            placed.append((item.order, item.label, NavEntry(key=item.key, label=item.label, item=item)))
    for key, children in grouped.items():
        group = _GROUPS[key]
        if len(children) == 1:
            entry = NavEntry(key=children[0].key, label=children[0].label, item=children[0])
        else:
            entry = NavEntry(key=group.key, label=group.label, children=tuple(children))
        placed.append((group.order, group.label, entry))
    return [entry for _, _, entry in sorted(placed, key=lambda p: (p[0], p[1]))]


def current_group(menu: list[NavEntry], *, view_name: str, namespace: str) -> str:
    """The key of the group holding the current page: the one linking to this very page (Team skills is
    under My team, not Growth, though both hold skills pages), else the first holding its namespace."""
    groups = [entry for entry in menu if entry.children]
    for entry in groups:
        if any(child.url_name == view_name for child in entry.children):
            return entry.key
    return next((entry.key for entry in groups if namespace in entry.namespaces), "")


@dataclass(frozen=True)
class AdminTile:
    """A tile in the admin area, for the people `visible` says may use it (ask the policy there)."""

    key: str
    title: str
    url_name: str
    description: str
    visible: Callable[[Any], bool]
    order: int = 100
    # Appended to the address as is ("?include_inactive=on").
    query: str = ""


_TILES: dict[str, AdminTile] = {}


def register_admin_tile(tile: AdminTile) -> None:
    _TILES[tile.key] = tile


def admin_tiles_for(person: Any) -> list[AdminTile]:
    return sorted((t for t in _TILES.values() if t.visible(person)), key=lambda t: (t.order, t.title))
