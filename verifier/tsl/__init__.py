"""EU trusted lists: parsing (:mod:`.parse`), the frozen model (:mod:`.model`), certificate
fields (:mod:`.der`), anchoring and qualification (:mod:`.qualify`), the store (:mod:`.store`)
and file import (:mod:`.files`).  Import the public names from :mod:`verifier.trustlists`."""
