"""YAML loading that remembers where each mapping started, so errors can name a line."""

from __future__ import annotations

import re
from typing import Any

import yaml

from assistant.core.problems import shorten


class LineDict(dict):
    """A mapping from a YAML file that knows the (1-based) line it starts on."""

    line: int = 0


# libyaml's parser is ~10x faster than pure Python, and the library is parsed on every start.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


# YAML 1.1 reads on/off/yes/no as booleans, so a token list like [in, on, at] would silently hold
# True. Rule files are full of such words: only true/false are booleans here, as in YAML 1.2.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found an unhashable key ({exc})",
                key_node.start_mark,
            ) from exc
        if key in mapping:
            # PyYAML keeps the last of two equal keys; a curator's first value would vanish silently.
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {shorten(key)}",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Aliases let a curator share a list between rules (frame.yml does). Expanded, a few lines of
# nested aliases become billions of values (an "alias bomb"); a real library file is a few thousand.
MAX_EXPANDED_NODES = 200_000


class AliasBombError(yaml.YAMLError):
    def __init__(self) -> None:
        super().__init__(
            f"its aliases expand to more than {MAX_EXPANDED_NODES:,} values: "
            "write the shared values out, or share fewer"
        )
        self.problem = str(self)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values the node stands for once every alias is written out; each node is sized once."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a recursive alias counts once instead of forever
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    else:
        size = 1
    sizes[id(node)] = min(size, MAX_EXPANDED_NODES + 1)
    return sizes[id(node)]


def load_yaml(text: str) -> Any:
    """Parse YAML text; mappings come back as LineDict. Raises yaml.YAMLError (AliasBombError for
    aliases that expand beyond MAX_EXPANDED_NODES)."""
    if "&" in text and "*" in text:  # an alias needs an anchor: most files skip the extra pass
        root = yaml.compose(text, Loader=_BaseLoader)
        if root is not None and _expanded_size(root, {}) > MAX_EXPANDED_NODES:
            raise AliasBombError()
    return yaml.load(text, Loader=_LineLoader)


def line_of(value: object, default: int = 0) -> int:
    return getattr(value, "line", default)


def yaml_error_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 0


def yaml_error_text(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    parts = [part for part in (context, problem) if part]
    return ", ".join(parts) if parts else str(exc).splitlines()[0]
