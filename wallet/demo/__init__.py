"""The demo: issuers made with fresh keys at each start (:mod:`wallet.demo.issuers`) and the
``wallet demo`` command that fills a wallet with their credentials and serves it
(:mod:`wallet.demo.command`).

    $ wallet demo --port 5000
"""
