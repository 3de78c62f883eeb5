"""The portfolio (``/portfolio``): the learner's credentials as a list and one by one.

``views`` holds the pages; ``query`` builds the list's SQL (sorting, filters, pages) and
``search`` its filters over JSON columns; ``present`` turns rows into cards; ``summary`` and
``report`` turn a credential's stored JSON into the detail page's sections and checks.
"""

from wallet.portfolio.views import bp

__all__ = ["bp"]
