"""The web UI: server-rendered Chinese pages over the archive and the search API, plus a JSON API.

create_app(settings) builds the Flask app; `xuncha serve` runs it under waitress.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, InternalServerError

from archive.numerals import int_to_cn
from indexer.search import SearchService
from indexer.snippets import highlight_all

# the blueprints' shared helpers (webui/context.py), importable from the package as before
from .context import Settings, close_db, get_archive, load_document, not_found, search_service, settings
from .labels import DOC_TYPES, FACET_LABELS, FIGURE_KINDS, KIND_LABELS, PROGRESS_LABELS, RECTIFICATION, figure
from .params import BadParam

__all__ = ["close_db", "create_app", "get_archive", "load_document", "not_found", "search_service", "settings"]

log = logging.getLogger(__name__)

ERROR_TITLES: dict[int, str] = {
    400: "请求参数有误", 401: "需要登录", 404: "页面不存在", 405: "不支持的请求方法", 413: "请求过大", 414: "网址过长",
    429: "请求过于频繁",
    500: "服务器内部错误", 503: "服务暂不可用",
}
ERROR_HINTS: dict[int, str] = {
    404: "您要找的页面或文件不在档案中，可能链接有误或文件已被移除。",
    405: "此地址不支持这种请求方法。",
    500: "处理请求时出现意外错误，已记录在服务器日志中。请稍后再试。",
}


def create_app(settings: Settings) -> Flask:
    """The Flask app over one archive: blueprints, one SearchService, one error handler, per-request SQLite."""
    app = Flask(__name__)
    app.config["XUNCHA_SETTINGS"] = settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["xuncha.search"] = SearchService(settings.search_options())

    from .api import bp as api_bp
    from .check import bp as check_bp
    from .docs import bp as docs_bp
    from .search import bp as search_bp

    app.register_blueprint(search_bp)
    app.register_blueprint(docs_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(check_bp)
    from .common import bp as common_bp
    from .units import bp as units_bp  # units, rounds and problem links (issue 30)

    app.register_blueprint(units_bp)
    app.register_blueprint(common_bp)
    from .ops import init_ops  # sign-in, upload and jobs, statistics, exports (issue 16)

    init_ops(app)
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(Exception, handle_error)
    app.teardown_appcontext(close_db)
    app.add_template_filter(highlight, "hl")
    app.add_template_filter(int_to_cn, "cn")
    app.add_template_filter(figure, "figure")
    app.jinja_env.globals.update(KIND_LABELS=KIND_LABELS, DOC_TYPES=DOC_TYPES, FACET_LABELS=FACET_LABELS,
                                 FIGURE_KINDS=FIGURE_KINDS, RECTIFICATION=RECTIFICATION,
                                 PROGRESS_LABELS=PROGRESS_LABELS)

    app.after_request(security_headers)

    return app


# no inline script or style anywhere (webui/static holds them all), no framing, no plugins
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def security_headers(resp: Any) -> Any:
    """The headers every response carries, pages, JSON, files and errors alike."""
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return resp












def highlight(text: str | None) -> Markup:
    """Escape text and mark this request's highlight words in it (g.hl_words, set by the document page)."""
    return Markup(highlight_all(text or "", g.get("hl_words", ())))




def handle_error(exc: Exception) -> Any:
    """The one error handler: JSON {status, error} under /api/, a Chinese page everywhere else."""
    if not isinstance(exc, HTTPException):
        log.exception("unhandled error on %s", request.path)
        exc = InternalServerError()
    code = exc.code or 500
    description = exc.description or ERROR_TITLES.get(code, "")
    if request.path.startswith("/api/"):
        return jsonify(status=code, error=description), code
    if isinstance(exc, BadParam):
        message = exc.zh
    elif isinstance(exc, CSRFError):  # a form from before a sign-out, an expired session, another tab's login
        message = "表单已过期（页面打开后登录状态已变化，安全校验 CSRF 未通过）。请返回并刷新页面，必要时重新登录后再提交。"
    elif code == 400:
        message = description
    else:
        message = getattr(exc, "zh", None) or ERROR_HINTS.get(code, "")
    title = ERROR_TITLES.get(code, f"错误 {code}")
    q = request.args.get("q", "") if request.endpoint == "search.index" else ""
    max_q = settings().max_query_chars
    return render_template("error.html", code=code, title=title, message=message,
                           q=q[:max_q], max_q=max_q), code
