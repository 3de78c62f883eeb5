"""How long a backup and a restore take, and how large the file is, for wallets of several sizes
(signed OB 3.0 credentials of a trusted issuer with notes, SQLite). Backup and restore use the
production Argon2id parameters (64 MiB, 3 passes) for the passphrase; the account's own key
uses cheap ones so that only the backup's cost is measured. A restore verifies every credential
again, which dominates for large wallets.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_backup.py [--sizes 10 100]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.wallet import factories as f
from tests.wallet.backup_support import SQLITE, import_file, register, wallet_app
from wallet.backup.payload import make_backup
from wallet.backup.restore import restore_backup
from wallet.db import db
from wallet.keys import unlock_holder_key
from wallet.models import User

PASSWORD = "correct horse battery"
PASSPHRASE = "tulip anchor violet seventeen"


def measure(size: int, folder: Path) -> dict[str, float]:
    """Seconds to back up and to restore ``size`` credentials, and the file's size in KiB."""
    home = folder / "verifier"
    for name in ("old", "new"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    with (
        wallet_app(SQLITE, folder / "old", home) as old,
        wallet_app(SQLITE, folder / "new", home) as new,
    ):
        key = f.new_key()
        f.trust_issuer(home, key)
        old_id = register(old)
        for number in range(size):
            data = f.ldp_bytes(key, id=f"urn:uuid:00000000-0000-4000-8000-{number:012d}")
            import_file(old, old_id, data, f"c{number}.json")
        production = {
            "ARGON2_TIME_COST": 3,
            "ARGON2_MEMORY_COST": 64 * 1024,
            "ARGON2_PARALLELISM": 4,
        }
        old.config.update(production)
        with old.app_context():
            user = db.session.get(User, old_id)
            pair = unlock_holder_key(user, PASSWORD)
            start = time.perf_counter()
            blob = make_backup(user, pair, PASSPHRASE, now=f.NOW)
            made = time.perf_counter() - start
        new_id = register(new)
        new.config.update(production)
        with new.test_request_context():
            user = db.session.get(User, new_id)
            start = time.perf_counter()
            restore_backup(user, blob, PASSPHRASE, PASSWORD, now=f.NOW)
            restored = time.perf_counter() - start
    return {"backup_s": made, "restore_s": restored, "file_kib": len(blob) / 1024}


def main() -> None:
    """Print the figures for each size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    args = parser.parse_args()
    print(f"{'credentials':>11}  {'backup s':>9}  {'restore s':>9}  {'file KiB':>9}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            row = measure(size, Path(folder))
        print(
            f"{size:>11}  {row['backup_s']:>9.2f}  {row['restore_s']:>9.2f}  "
            f"{row['file_kib']:>9.1f}"
        )


if __name__ == "__main__":
    main()
