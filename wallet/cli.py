"""The ``wallet`` command: Flask's ``run``, ``routes``, ``shell``, ``db``; plus ``i18n``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, NoAppException

from wallet import create_app
from wallet.config import ConfigError
from wallet.i18n import TRANSLATIONS, compile_folder, extract_messages, update_catalogs


def load_app() -> Flask:
    """The app for a command; a configuration problem is reported as one line, not a traceback."""
    try:
        return create_app()
    except ConfigError as exc:
        raise NoAppException(str(exc)) from exc


cli = FlaskGroup(
    create_app=load_app,
    help="The learner's wallet. `wallet db upgrade` creates or updates the database; "
    "`wallet --debug run` serves it for development.",
)


@cli.group(cls=click.Group)  # a plain group: catalogues need no app or secret
def i18n() -> None:
    """Translation catalogues (English is the source, Polish in wallet/translations/pl)."""


@i18n.command("extract")
def extract_command() -> None:
    """Collect every marked string of wallet/ and templates/ into messages.pot."""
    count = extract_messages()
    click.echo(f"{count} messages -> {TRANSLATIONS / 'messages.pot'}")


@i18n.command("update")
def update_command() -> None:
    """Merge messages.pot into each language's .po (translate the new entries next)."""
    for path in update_catalogs():
        click.echo(f"updated {path}")


@i18n.command("compile")
def compile_command() -> None:
    """Compile each .po into the .mo the app reads (also done at start when one is stale)."""

    written = compile_folder()
    click.echo("\n".join(f"compiled {path}" for path in written) or "catalogues are up to date")


# Extra commands: other modules add theirs here, e.g.
#     from wallet.demo.command import demo
#     cli.add_command(demo)
# (a command that needs the app decorates itself with flask.cli.with_appcontext).
from wallet.demo.command import demo  # noqa: E402  (after the group it joins)

cli.add_command(demo)


def main() -> None:
    """Run the ``wallet`` command line."""
    cli.main()
