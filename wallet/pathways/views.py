"""The pathway pages: the overview with progress bars, one pathway as a tree, importing a
pathway file (upload or URL), the editor, copying and deleting.

Every pathway is looked up with its owner: another learner's id is a 404. A definition is
checked in full before anything is saved; its problems are shown beside the text, each naming
its place in the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from wallet.auth import current_user, login_required
from wallet.db import db
from wallet.pathways import present, service
from wallet.pathways.definition import MAX_BYTES, DefinitionError
from wallet.pathways.fetch import FetchError, fetch
from wallet.pathways.models import PathwayRecord
from wallet.portfolio.present import reader_langs
from wallet.security import limiter

bp = Blueprint("pathways", __name__, url_prefix="/pathways")

EXAMPLES = Path(__file__).with_name("examples")
EXAMPLE_FILE = "demo-university-computing.json"
STARTER = {
    "format": "learner-wallet-pathway/1",
    "target": {"title": "My pathway", "total_ects": 30},
    "requirements": {
        "kind": "all_of",
        "requirements": [{"kind": "ects_from", "title": "Any credits", "ects": 30}],
    },
}


def owned(pathway_id: int) -> PathwayRecord:
    """The learner's pathway with this id, else 404."""
    try:
        return service.owned_record(current_user(), pathway_id)
    except service.PathwayNotFound:
        abort(404)


@bp.route("/")
@login_required
def index() -> str:
    """Every pathway with its progress, and the ways to add one."""
    return show_index()


def show_index(errors: list[dict[str, str]] | None = None, url: str = "") -> str:
    """The overview page, with import problems when there are some."""
    progress = service.user_progress(current_user(), langs=reader_langs())
    shown = {p.pathway_id for p in progress}
    broken = [r for r in service.records(current_user()) if r.id not in shown]
    return render_template(
        "pathways/index.html",
        pathways=[present.overview(p) for p in progress],
        broken=broken,
        errors=errors or [],
        url=url,
        max_kb=MAX_BYTES // 1024,
    )


def refuse(errors: list[dict[str, str]], url: str = "") -> tuple[str, int]:
    """The overview again with status 400 and the problems listed."""
    flash(_("The pathway was not imported. Nothing was saved."), "error")
    return show_index(errors, url), 400


@bp.route("/import", methods=("POST",))
@login_required
@limiter.limit("30 per minute")
def upload() -> BaseResponse | tuple[str, int]:
    """Import an uploaded pathway file."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return refuse([{"path": "", "message": _("Choose a pathway file to import.")}])
    data = upload.stream.read(MAX_BYTES + 1)
    return store(data, source="file")


@bp.route("/import-url", methods=("POST",))
@login_required
@limiter.limit("10 per minute")
def import_url() -> BaseResponse | tuple[str, int]:
    """Import a pathway file from the address an institution publishes it at."""
    url = request.form.get("url", "").strip()
    try:
        data = fetch(url)
    except FetchError as exc:
        return refuse([{"path": "", "message": exc.message.text(_)}], url)
    return store(data, source="url", url=url)


def store(data: bytes, *, source: str, url: str | None = None) -> BaseResponse | tuple[str, int]:
    """Check and save an imported file, then show its pathway."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return refuse([{"path": "$", "message": _("The file is not UTF-8 text.")}], url or "")
    try:
        record = service.save(current_user(), text, source=source, source_url=url)
    except DefinitionError as exc:
        return refuse(present.problems(exc), url or "")
    db.session.commit()
    flash(_("The pathway “%(title)s” has been imported.", title=record.title), "success")
    return redirect(url_for("pathways.detail", pathway_id=record.id))


@bp.route("/example.json")
@login_required
def example() -> BaseResponse:
    """A sample institution pathway file, to download, read and adapt."""
    return Response(
        (EXAMPLES / EXAMPLE_FILE).read_bytes(),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={EXAMPLE_FILE}"},
    )


@bp.route("/<int:pathway_id>")
@login_required
def detail(pathway_id: int) -> str:
    """One pathway as a tree of requirements, with the credentials that fill them."""
    record = owned(pathway_id)
    try:
        _pathway, _rows, progress = service.pathway_credentials(
            current_user(), pathway_id, langs=reader_langs()
        )
    except DefinitionError as exc:  # saved under older rules: offer to correct it
        return render_template(
            "pathways/edit.html",
            record=record,
            text=record.definition,
            errors=present.problems(exc),
        )
    return render_template(
        "pathways/detail.html",
        pathway=present.overview(progress),
        target=progress.pathway.target,
        description=progress.pathway.description,
        tree=present.tree(progress.root, progress.facts),
        levels=[(level, present.ects(value)) for level, value in progress.by_level],
        electives=present.electives(progress),
        apart=present.set_apart(progress),
    )


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new() -> BaseResponse | str | tuple[str, int]:
    """Write a pathway definition from scratch."""
    if request.method == "GET":
        return render_template(
            "pathways/edit.html",
            record=None,
            text=json.dumps(STARTER, indent=2, ensure_ascii=False),
            errors=[],
        )
    return save_from_editor(None)


@bp.route("/<int:pathway_id>/edit", methods=("GET", "POST"))
@login_required
def edit(pathway_id: int) -> BaseResponse | str | tuple[str, int]:
    """Change a pathway's definition."""
    record = owned(pathway_id)
    if request.method == "GET":
        return render_template(
            "pathways/edit.html", record=record, text=record.definition, errors=[]
        )
    return save_from_editor(record)


def save_from_editor(record: PathwayRecord | None) -> BaseResponse | tuple[str, int]:
    """Check the editor's text; save it, or show it again with its problems."""
    text = request.form.get("definition", "").replace("\r\n", "\n")
    try:
        saved = service.save(current_user(), text, source="editor", record=record)
    except DefinitionError as exc:
        db.session.rollback()
        flash(_("The pathway has problems and was not saved."), "error")
        page = render_template(
            "pathways/edit.html", record=record, text=text, errors=present.problems(exc)
        )
        return page, 400
    db.session.commit()
    flash(_("The pathway “%(title)s” has been saved.", title=saved.title), "success")
    return redirect(url_for("pathways.detail", pathway_id=saved.id))


@bp.route("/<int:pathway_id>/copy", methods=("POST",))
@login_required
def copy(pathway_id: int) -> BaseResponse:
    """Copy a pathway (an imported one, say) to adapt it in the editor."""
    record = owned(pathway_id)
    document = json.loads(record.definition)  # saved only after it was checked
    title = _("Copy of %(title)s", title=document["target"]["title"])
    document["target"]["title"] = title[:500]
    text = json.dumps(document, indent=2, ensure_ascii=False)
    duplicate = service.save(current_user(), text, source="copy")
    db.session.commit()
    flash(_("This is your copy: change it as you like."), "success")
    return redirect(url_for("pathways.edit", pathway_id=duplicate.id))


@bp.route("/<int:pathway_id>/delete", methods=("GET", "POST"))
@login_required
def delete(pathway_id: int) -> BaseResponse | str:
    """Ask, then delete the pathway (the credentials stay in the wallet)."""
    record = owned(pathway_id)
    if request.method == "GET":
        return render_template("pathways/delete.html", record=record)
    db.session.delete(record)
    db.session.commit()
    flash(_("The pathway “%(title)s” has been deleted.", title=record.title), "success")
    return redirect(url_for("pathways.index"))
