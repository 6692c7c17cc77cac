"""YAML read as PyYAML's node graph (safe: no tags are constructed), keeping line numbers."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from undertow.analyzers.core.limits import MAX_DEPTH, MAX_YAML_NODES, deep_flow_line

_COMPOSE = re.compile(r"^(docker-)?compose([.-][^/]*)?\.ya?ml$")


def is_compose_file(path: str) -> bool:
    return bool(_COMPOSE.match(posixpath.basename(path)))


class TooComplex(yaml.YAMLError):
    """Nested deeper than MAX_DEPTH, or more than MAX_YAML_NODES nodes once aliases are expanded."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader's composer, counting as it goes: PyYAML composes a node by recursion (a
    20,000-deep `[[[...]]]` raised RecursionError), so the depth is checked before each level is
    entered, with the parser still at that point of the text; and an alias counts the whole node
    it repeats (a small file of aliases to aliases stands for a huge tree)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes in it, aliases expanded

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # unannotated in types-PyYAML
            target = self.anchors.get(event.anchor)
            # A node still being composed (an alias inside its own anchor) counts as one.
            self._count(self._sizes.get(id(target), 1) if target is not None else 1)
            return super().compose_node(parent, index)
        if self._depth >= MAX_DEPTH:
            raise TooComplex(f"nested more than {MAX_DEPTH} levels deep")
        before = self._nodes
        self._count(1)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, nodes: int) -> None:
        self._nodes += nodes
        if self._nodes > MAX_YAML_NODES:
            raise TooComplex(f"more than {MAX_YAML_NODES} nodes once its aliases are expanded")


def compose(text: str) -> Node | None:
    """The document's root node, or None when the text is not YAML, or is YAML nested deeper
    than MAX_DEPTH or too large once its aliases are expanded (the caller gives notice)."""
    if deep_flow_line(text):
        return None
    try:
        return yaml.compose(text, Loader=_BoundedLoader)
    except (yaml.YAMLError, RecursionError):  # RecursionError: the second line, never expected
        return None


def line(node: Node) -> int:
    return node.start_mark.line + 1


def get(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        pairs: list[tuple[Node, Node]] = node.value  # a MappingNode's value: its (key, value) nodes
        for k, v in pairs:
            if isinstance(k, ScalarNode) and k.value == key:
                return v
    return None


def items(node: Node | None) -> Iterator[tuple[str, Node]]:
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if isinstance(k, ScalarNode):
                yield k.value, v


def elements(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def scalars(node: Node | None) -> list[ScalarNode]:
    """A scalar or a sequence of scalars, as a list."""
    if isinstance(node, ScalarNode):
        return [node]
    return [n for n in elements(node) if isinstance(n, ScalarNode)]
