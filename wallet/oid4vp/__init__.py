"""OpenID for Verifiable Presentations 1.0, the learner's side (``/oid4vp``): answer an
employer's request with signed credentials.

``client`` is the only network code (fetch the request, post the answer); ``matching`` finds the
credentials that answer the request's DCQL query; ``views`` holds the pages.
"""

from wallet.oid4vp.views import bp

__all__ = ["bp"]
