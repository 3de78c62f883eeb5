"""Careers advisers (``/advisers``): learners grant an adviser a time-boxed view of their
portfolio; the adviser reviews it, every credential verified again at view time, and comments.

``models`` holds the tables; ``access`` decides what an adviser may see; ``review`` builds the
review page; ``consent`` (the learner's grants), ``reviews`` (the adviser's pages) and
``accounts`` (adviser registration and OpenID Connect login) hold the views; ``cli`` the
``wallet adviser`` commands; ``demo`` the demo adviser; ``export`` a person's data for a
data-protection export.
"""

# The models put the tables on the metadata; the view modules add their routes to ``bp``.
from wallet.advisers import (  # noqa: F401
    accounts,
    cli,
    consent,
    models,
    reviews,
)
from wallet.advisers.blueprint import bp
from wallet.advisers.demo import seed_demo

__all__ = ["bp", "seed_demo"]
