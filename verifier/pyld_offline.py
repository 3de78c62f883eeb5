"""Import pyld without its network document loaders and without its HTML parser.

When ``pyld.jsonld`` is imported it picks a default document loader by importing ``requests``
(or ``aiohttp``), and the ``pyld`` package imports every loader it ships.  The verifier never
uses them: every call passes the closed-world loader of :mod:`verifier.documents`.  Importing
this module first keeps those network libraries out of the process (which also makes a
``verifier verify`` start about 100 ms faster) and installs a default loader that refuses.
``pyld.jsonld`` also imports ``lxml.html`` for JSON-LD embedded in HTML pages, which the
closed-world loader never returns, and ``uuid`` for the ids of freshly processed contexts; each
gets a stand-in that loads the real module the first time anything reads from it (lxml costs
about 15 ms to import, uuid about 4 ms: it imports ``platform``).
It must be imported before anything imports ``pyld``; if ``pyld`` is already loaded, it
does nothing.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from verifier.errors import UnknownContext

_load_lock = threading.Lock()


def _refusing_loader(**_: Any) -> Callable[..., Any]:
    def refuse(url: str, options: Any = None) -> Any:
        raise UnknownContext(f"{url} is not a pinned context, and nothing is fetched.")

    return refuse


class _DeferredModule(types.ModuleType):
    """Stands in ``sys.modules`` for a module until something reads from it; then the real
    module is imported, replaces it there (and in its parent package), and answers."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_import_real(self), name)


def _import_real(stand_in: types.ModuleType) -> types.ModuleType:
    name = stand_in.__name__
    with _load_lock:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        # Each binds the real module in sys.modules (and in its parent package). Written out,
        # not imported by name: tests/test_refresh.py reads every import the verifier makes.
        if name == "uuid":
            import uuid  # noqa: F401
        elif name == "lxml.html":
            import lxml.html  # noqa: F401
        else:
            raise ImportError(f"{name} is not deferred here")
        return sys.modules[name]


def _defer(name: str) -> None:
    """Put a stand-in for the module ``name`` (``uuid`` or ``lxml.html``) in ``sys.modules``
    (its parent is imported)."""
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # not installed: pyld's import fails as it would have
        return
    if spec is None:
        return
    stand_in = _DeferredModule(name)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    if spec.submodule_search_locations is not None:
        stand_in.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, stand_in)


def install() -> None:
    """Register bare ``pyld`` package modules so ``pyld.jsonld`` loads without network code."""
    if "pyld" in sys.modules:
        return
    spec = importlib.util.find_spec("pyld")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyld is not installed")
    root = list(spec.submodule_search_locations)
    package = types.ModuleType("pyld")
    package.__path__ = root
    package.__spec__ = spec
    loaders = types.ModuleType("pyld.documentloader")
    loaders.__path__ = [f"{path}/documentloader" for path in root]
    requests_stub = types.ModuleType("pyld.documentloader.requests")
    requests_stub.requests_document_loader = _refusing_loader  # type: ignore[attr-defined]
    package.documentloader = loaders  # type: ignore[attr-defined]
    loaders.requests = requests_stub  # type: ignore[attr-defined]
    sys.modules.update({"pyld": package, "pyld.documentloader": loaders,
                        "pyld.documentloader.requests": requests_stub})
    # pyld.jsonld imports both at once but uses them only for HTML input (never given here)
    # and for fresh context ids (uuid1; uuid imports platform, which asks the kernel).
    _defer("lxml.html")
    _defer("uuid")


install()
