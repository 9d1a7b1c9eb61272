"""YAML as kb reads it (catalogues, Markdown front matter): safe types only, no aliases, no duplicate keys.

PyYAML's `safe_load` builds aliases as shared references, so a few hundred bytes of nested aliases ("billion
laughs") become a value whose `str()` or JSON never ends. Refusing aliases makes every value as big as its text;
a catalogue never needs them. Duplicate keys would let the last one win silently.
"""

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

YAMLError = yaml.YAMLError


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*name`, `<<: *name`) and duplicate mapping keys."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise ConstructorError(None, None, "YAML aliases (*name) are not allowed: write the value out", mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            if isinstance(key, str | int | float | bool) and key in seen:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key if isinstance(key, str | int | float | bool) else id(key_node))
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> Any:
    """The one document in `text` (None when empty); raises `YAMLError` for invalid YAML, aliases or duplicates."""
    return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no arbitrary objects


def load_items(text: str) -> tuple[Any, list[int]]:
    """The document in `text` and, when it is a list, the line (1-based) each item starts on."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines = [item.start_mark.line + 1 for item in node.value] if isinstance(data, list) and node else []
    return data, lines


def describe(error: YAMLError) -> str:
    """A one-line account of a YAML error: what is wrong, and on which line."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    return f"{problem} (line {mark.line + 1})" if mark is not None else str(problem)
