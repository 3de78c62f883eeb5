"""``wallet adviser add|list|remove``: adviser accounts made by an administrator."""

from __future__ import annotations

import click
from sqlalchemy import select

from wallet.advisers.blueprint import bp
from wallet.auth import EMAIL_PATTERN, PASSWORD_MAX_LENGTH, register_user
from wallet.db import db
from wallet.models import User, normalise_email


@bp.cli.command("add")
@click.argument("email")
@click.option("--name", default="", help="The name learners see (default: the address's start).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The adviser's password (asked for when not given).",
)
def add_command(email: str, name: str, password: str) -> None:
    """Create an adviser account with EMAIL."""
    from flask import current_app

    email = normalise_email(email)
    if not EMAIL_PATTERN.fullmatch(email) or len(email) > 254:
        raise click.BadParameter(
            "enter an address in the form name@example.org", param_hint="EMAIL"
        )
    minimum = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if not minimum <= len(password) <= PASSWORD_MAX_LENGTH:
        raise click.BadParameter(
            f"the password must be {minimum} to {PASSWORD_MAX_LENGTH} characters long",
            param_hint="--password",
        )
    if len(name) > 100:
        raise click.BadParameter("the name can be at most 100 characters", param_hint="--name")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"an account with {email} already exists")
    user = register_user(email, password, name)
    user.role = "adviser"
    db.session.commit()
    click.echo(f"adviser {user.email} ({user.display_name}) created")


@bp.cli.command("list")
def list_command() -> None:
    """List the adviser accounts."""
    advisers = db.session.scalars(
        select(User).where(User.role == "adviser").order_by(User.email)
    ).all()
    for user in advisers:
        click.echo(f"{user.email}\t{user.display_name}\t{user.created_at:%Y-%m-%d}")
    if not advisers:
        click.echo("no adviser accounts")


@bp.cli.command("remove")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_command(email: str, yes: bool) -> None:
    """Delete the adviser account with EMAIL: its grants end, learners keep its comments."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email, User.role == "adviser"))
    if user is None:
        raise click.ClickException(f"there is no adviser account with {email}")
    if not yes:
        click.confirm(f"Delete the adviser account {email}?", abort=True)
    db.session.delete(user)
    db.session.commit()
    click.echo(f"adviser {email} removed")
