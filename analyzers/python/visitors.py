"""The visit/leave methods of a batched visitor, listed once per class (see PythonRule.get_visitors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}


def visitor_methods(visitor: cst.BatchableCSTVisitor) -> dict[str, Callable[..., Any]]:
    """The same mapping as libcst's ``BatchableCSTVisitor.get_visitors``, listed once per class.

    libcst lists a visitor's ``visit_*``/``leave_*`` methods with ``inspect.getmembers`` over the
    ~1,500 typed stubs of every visitor, for every file it visits: about 5 ms per rule and file,
    most of a small file's review. The names depend on the class alone, so each class is listed
    once (a test checks both listings agree for every rule). Only Undertow's rules use it
    (``PythonRule.get_visitors``): libcst's own classes are left as they are."""
    cls = type(visitor)
    names = _VISITOR_NAMES.get(cls)
    if names is None:
        names = _VISITOR_NAMES[cls] = tuple(
            name
            for name in dir(cls)
            if name.startswith(("visit_", "leave_"))
            and callable(method := getattr(cls, name))
            and not getattr(method, "_is_no_op", False)
        )
    return {name: getattr(visitor, name) for name in names}
