"""YAML read as PyYAML's node graph (safe: no tags are constructed), keeping line numbers."""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_COMPOSE = re.compile(r"^(docker-)?compose([.-][^/]*)?\.ya?ml$")


def is_compose_file(path: str) -> bool:
    return bool(_COMPOSE.match(posixpath.basename(path)))


def compose(text: str) -> Node | None:
    """The document's root node, or None when the text is not YAML (the caller gives notice)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def line(node: Node) -> int:
    return node.start_mark.line + 1


def get(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for k, v in node.value:
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
