"""Import pyld without its network document loaders.

When ``pyld.jsonld`` is imported it picks a default document loader by importing ``requests``
(or ``aiohttp``), and the ``pyld`` package imports every loader it ships.  The verifier never
uses them: every call passes the closed-world loader of :mod:`verifier.documents`.  Importing
this module first keeps those network libraries out of the process (which also makes a
``verifier verify`` start about 100 ms faster) and installs a default loader that refuses.
It must be imported before anything imports ``pyld``; if ``pyld`` is already loaded, it
does nothing.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any

from verifier.errors import UnknownContext


def _refusing_loader(**_: Any) -> Callable[..., Any]:
    def refuse(url: str, options: Any = None) -> Any:
        raise UnknownContext(f"{url} is not a pinned context, and nothing is fetched.")

    return refuse


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


install()
