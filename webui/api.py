"""The JSON API: /api/search (exactly Results.to_json()) and /api/doc/<id> (the record's JSON)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import NotFound, ServiceUnavailable

from indexer.backend import NoIndex

from .context import get_archive, load_document, search_service, settings
from .params import parse_search_args
from .search import run

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Any:
    """Search: the same JSON as `xuncha search --json`; errors as {"status", "error"}."""
    params = parse_search_args(request.args, settings().per_page)
    try:
        results = run(search_service(), params)
    except NoIndex as exc:
        raise ServiceUnavailable(description=str(exc)) from exc
    return jsonify(results.to_json())


@bp.get("/doc/<doc_id>")
def doc(doc_id: str) -> Any:
    """One document's structured record, as `xuncha show --json` prints it."""
    return jsonify(get_archive().detail(load_document(doc_id)).to_json())


@bp.route("/<path:rest>")
def unknown(rest: str) -> Any:
    """Any other /api/ path: a JSON 404."""
    raise NotFound(description=f"no API endpoint /api/{rest[:80]}; endpoints are /api/search and /api/doc/<id>")
