"""Public names of a package that are imported on first use (PEP 562): the package's ``__init__``
still lists them (under ``if TYPE_CHECKING:`` for mypy, and in ``__all__``), but importing the package
does not import the modules behind them. The app's start-up imports only what its first frame needs
(tests/domain/test_import_hygiene.py says which modules stay out)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(namespace: dict[str, Any], modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of the package whose globals are ``namespace``: each name in
    ``modules[module]`` comes from ``package.module`` when first asked for, then stays in the package."""
    package = namespace["__name__"]
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
