"""``wallet backup create`` and ``wallet backup restore``: the same backup files from the
command line, for an administrator moving a learner between servers."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from wallet.backup import bp, restore
from wallet.backup.archive import BackupError
from wallet.backup.payload import make_backup
from wallet.db import db, utcnow
from wallet.keys import WrongPassword, unlock_holder_key
from wallet.models import User, normalise_email


def _account(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email}")
    return user


@bp.cli.command("create")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--email", required=True, help="The account to back up.")
@click.password_option(
    "--password",
    prompt="Account password",
    confirmation_prompt=False,
    help="The account's password (unlocks the holder key).",
)
@click.password_option(
    "--passphrase", prompt="Backup passphrase", help="The passphrase that will open the backup."
)
def create_command(output: Path, email: str, password: str, passphrase: str) -> None:
    """Write an encrypted backup of the account EMAIL to OUTPUT."""
    user = _account(email)
    try:
        pair = unlock_holder_key(user, password)
    except WrongPassword as exc:
        raise click.ClickException("the account password is not right") from exc
    output.write_bytes(make_backup(user, pair, passphrase, now=utcnow()))
    click.echo(f"backup of {user.email} written to {output}")


@bp.cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--email", required=True, help="The empty account to restore into.")
@click.password_option(
    "--passphrase",
    prompt="Backup passphrase",
    confirmation_prompt=False,
    help="The passphrase the backup was made with.",
)
@click.password_option(
    "--password",
    prompt="Account password",
    confirmation_prompt=False,
    help="The password of the account restored into.",
)
def restore_command(file: Path, email: str, passphrase: str, password: str) -> None:
    """Restore the backup FILE into the empty account EMAIL (nothing changes on error)."""
    user = _account(email)
    data = file.read_bytes()
    try:
        result = restore.restore_backup(user, data, passphrase, password, now=utcnow())
    except BackupError as exc:
        raise click.ClickException(f"nothing was restored: {exc.reason} ({exc})") from exc
    for table, count in sorted(result.restored.items()):
        click.echo(f"restored {count} row(s) of {table}")
    for table, count in sorted(result.left_out.items()):
        click.echo(f"left out {count} row(s) of {table} (naming other accounts)")
