"""Stacked learning pathways (``/pathways``): targets such as a degree or a certificate, the
requirements that lead there, and how far the learner's verified credentials go towards them.

``definition`` (with ``problems``) reads and checks pathway files (``pathway.schema.json``);
``holdings`` and ``facts`` turn credentials into the engine's input; ``engine`` (with
``matching`` and ``credits``) decides which credential fills which requirement and ``results``
builds the tree; ``service`` is the API other areas call; ``views`` and ``present`` are the
pages; ``demo`` adds sample pathways to the demo wallet. Progress is advisory: recognition is
always the receiving institution's decision.
"""

from wallet.pathways import models  # noqa: F401  (the table is on the metadata with the app)
from wallet.pathways.views import bp

__all__ = ["bp"]
