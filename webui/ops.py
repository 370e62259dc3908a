"""The operator side of the web UI (issue 16), wired into create_app in one call: sign-in and CSRF, upload and
jobs, statistics, exports and saved searches; and the background threads `xuncha serve` starts."""

from __future__ import annotations

from flask import Flask


def init_ops(app: Flask) -> None:
    """Register the operator blueprints and their template helpers."""
    from . import auth
    from .exports import bp as exports_bp, export_links, my_saved, saved_url
    from .jobs import bp as jobs_bp
    from .stats import bp as stats_bp

    auth.init_app(app)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(exports_bp)
    cfg = app.config["XUNCHA_SETTINGS"]
    app.jinja_env.globals.update(export_links=export_links, my_saved=my_saved, saved_url=saved_url,
                                 export_max_rows=cfg.export_max_rows)


def start_background(app: Flask) -> list[object]:
    """The job worker (and the watch-folder thread when `watch_dir` is set), as `xuncha serve` runs them."""
    import logging

    from .worker import Worker, WorkerBusy

    cfg = app.config["XUNCHA_SETTINGS"]
    started: list[object] = []
    if cfg.serve_worker:
        try:
            worker = Worker(cfg.job_options()).start()
        except WorkerBusy as exc:  # a `xuncha worker` runs the queue already: it will take the uploads
            logging.getLogger(__name__).warning("%s; this server queues jobs for it", exc)
        else:
            app.extensions["xuncha.worker"] = worker
            started.append(worker)
    if cfg.watch_dir:
        from .watch import Watcher

        started.append(Watcher(cfg.job_options()).start())
    return started
