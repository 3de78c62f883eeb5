"""EU trusted lists (ETSI TS 119 612): the public names of :mod:`verifier.tsl`.

Trust flows from the EU list of trusted lists (LOTL): its signer is pinned in the store or
passed by the caller, as the Official Journal of the EU publishes it; each national list must be
signed by a certificate the LOTL's pointer for its territory lists.  A bad list raises
``TrustListError`` and leaves the store as it was.

    store = TrustedListStore.from_file(path)
    store.pin_lotl_signer(oj_certificate)
    store.import_list(lotl_xml, now=now)
    store.import_list(si_xml, now=now)
    store.save()
    anchor = store.anchor_for(seal_chain, at=signing_time)
    if anchor is not None:
        anchor.seal_qualification(seal_chain[0])  # "qualified_no_qscd", ...
"""

from verifier.tsl.files import import_files, load_certificate
from verifier.tsl.model import TrustedList
from verifier.tsl.qualify import Anchor
from verifier.tsl.store import ImportResult, TrustedListStore

__all__ = [
    "Anchor",
    "ImportResult",
    "TrustedList",
    "TrustedListStore",
    "import_files",
    "load_certificate",
]
