"""Configs from Python: a dict (nested tables) or a TOML file, with dotted-key overrides.

The library reads TOML (the same configs as `enflow train --config` / `enflow solve`), so a
dict is written as TOML text here and parsed by the library, which reports bad keys and
values with the one-line messages the command line prints.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any, Mapping, Optional, Tuple, List, Union

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k)


def _value(v: Any, where: str) -> str:
    if hasattr(v, "item") and callable(v.item) and getattr(v, "ndim", 1) == 0:
        v = v.item()  # numpy / torch scalars
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        r = repr(v)
        return r if any(c in r for c in ".en") else r + ".0"
    if isinstance(v, (str, os.PathLike)):
        return json.dumps(os.fspath(v))
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, where) for x in v) + "]"
    raise TypeError(f"config value of '{where}' has unsupported type {type(v).__name__}")


def to_toml(config: Mapping[str, Any]) -> str:
    """TOML text of a nested dict: scalars and lists as values, dicts as tables."""
    lines: List[str] = []

    def table(d: Mapping[str, Any], path: List[str]) -> None:
        scalars = [(k, v) for k, v in d.items() if not isinstance(v, Mapping)]
        tables = [(k, v) for k, v in d.items() if isinstance(v, Mapping)]
        if path and (scalars or not tables):
            lines.append("[" + ".".join(_key(p) for p in path) + "]")
        for k, v in scalars:
            if not isinstance(k, str):
                raise TypeError(f"config keys must be strings, got {k!r}")
            lines.append(f"{_key(k)} = {_value(v, '.'.join(path + [k]))}")
        for k, v in tables:
            table(v, path + [k])

    table(config, [])
    return "\n".join(lines) + "\n"


def resolve(config: ConfigLike, overrides: Optional[Mapping[str, Any]] = None) -> Tuple[str, List[str], str]:
    """(TOML text, ["key=value", ...] overrides, source name for messages)."""
    if isinstance(config, Mapping):
        text, source = to_toml(config), "<dict>"
    elif isinstance(config, (str, os.PathLike)):
        source = os.fspath(config)
        try:
            with open(source, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise ValueError(f"cannot read config '{source}': {e.strerror}") from None
    else:
        raise TypeError(f"config must be a dict or a TOML file path, got {type(config).__name__}")
    items = [f"{k}={_value(v, k)}" for k, v in (overrides or {}).items()]
    return text, items, source
