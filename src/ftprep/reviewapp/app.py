"""The review web app: annotators rate, decide, flag, note and edit; reviewers adjudicate;
admins export. A Flask app over :class:`~ftprep.reviewapp.store.Store`.

Security: every page but the login needs a session (a random token in an HttpOnly,
SameSite=Strict cookie, kept server-side); every form carries the session's CSRF token, checked
on every POST (the login form a token of its own); each action checks the role (and an
annotator, the assignment); templates escape everything; the Content-Security-Policy allows no
script but the page's own, by nonce; item ids are integers and nothing is served from disk.
"""

from __future__ import annotations

import hmac
import secrets
from functools import wraps
from typing import Any

import orjson

from ftprep.errors import FtprepError
from ftprep.reviewapp.results import dashboard, export, item_outcomes
from ftprep.reviewapp.store import StaleAnswer, Store
from ftprep.steps.clean.whitespace import split_code

COOKIE = "ftprep_review"
LOGIN_COOKIE = "ftprep_login"


def create_app(store: Store, *, threshold: float = 0.8, secure_cookies: bool = False) -> Any:
    """The WSGI app for ``store``'s project."""
    try:
        from flask import Flask, Response, abort, g, redirect, render_template, request, url_for
    except ImportError:  # pragma: no cover - the extra is part of `all`
        from ftprep.errors import MissingExtraError

        raise MissingExtraError("ftprep review serve", "review", "flask") from None

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024

    def page(template: str, status: int = 200, **values: Any) -> Any:
        values.setdefault("title", template.removesuffix(".html"))
        values.setdefault("user", g.get("user"))
        values.setdefault("csrf", g.get("csrf", ""))
        return render_template(template, nonce=g.nonce, **values), status

    @app.before_request
    def load_session() -> None:
        g.nonce = secrets.token_urlsafe(16)
        found = store.session(request.cookies.get(COOKIE))
        g.user = found
        g.csrf = found["csrf"] if found else ""

    @app.after_request
    def headers(response: Any) -> Any:
        nonce = g.get("nonce", "")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def requires(*roles: str) -> Any:
        def wrap(view: Any) -> Any:
            @wraps(view)
            def inner(*args: Any, **kwargs: Any) -> Any:
                if g.user is None:
                    return redirect(url_for("login"))
                if roles and g.user["role"] not in roles:
                    abort(403)
                if request.method == "POST":
                    sent = request.form.get("csrf", "")
                    if not hmac.compare_digest(sent, g.csrf):
                        abort(403)
                return view(*args, **kwargs)

            return inner

        return wrap

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "GET":
            token = secrets.token_urlsafe(32)
            response = app.make_response(page("login.html", csrf=token))
            response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict",
                                secure=secure_cookies)  # fmt: skip
            return response
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not hmac.compare_digest(request.form.get("csrf", ""), expected):
            abort(403)
        found = store.login(request.form.get("name", ""), request.form.get("password", ""))
        if found is None:
            token = secrets.token_urlsafe(32)
            response = app.make_response(
                page("login.html", 401, csrf=token, error="wrong name or password")
            )
            response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict",
                                secure=secure_cookies)  # fmt: skip
            return response
        welcome = redirect(url_for("queue"))
        welcome.set_cookie(COOKIE, found[0], httponly=True, samesite="Strict",
                           secure=secure_cookies)  # fmt: skip
        welcome.delete_cookie(LOGIN_COOKIE)
        return welcome

    @app.post("/logout")
    @requires()
    def logout() -> Any:
        store.logout(request.cookies.get(COOKIE, ""))
        response = redirect(url_for("login"))
        response.delete_cookie(COOKIE)
        return response

    @app.get("/")
    @requires()
    def queue() -> Any:
        if g.user["role"] != "annotator":
            return redirect(url_for("dashboard_page"))
        items = store.queue(g.user["id"])
        next_item = next((i["id"] for i in items if not i["done"]), None)
        done = sum(i["done"] for i in items)
        return page("queue.html", items=items, next_item=next_item, done=done)

    @app.route("/item/<int:item_id>", methods=["GET", "POST"])
    @requires()
    def item_page(item_id: int) -> Any:
        item = store.item(item_id)
        if item is None:
            abort(404)
        user = g.user
        annotator = user["role"] == "annotator"
        if annotator and not store.is_assigned(item_id, user["id"]):
            abort(403)
        error = None
        if request.method == "POST":
            if not annotator:
                abort(403)
            try:
                store.save_answer(item_id, user["id"], **_answer_form(request.form, store, item))
            except StaleAnswer as exc:
                return _item_page(page, store, item, user, error=str(exc), status=409)
            except (FtprepError, ValueError) as exc:
                error = str(exc)
            else:
                following = next((i["id"] for i in store.queue(user["id"]) if not i["done"]), None)
                if following is None:
                    return redirect(url_for("queue"))
                return redirect(url_for("item_page", item_id=following))
        return _item_page(page, store, item, user, error=error, status=400 if error else 200)

    @app.get("/dashboard")
    @requires("reviewer", "admin")
    def dashboard_page() -> Any:
        return page("dashboard.html", d=dashboard(store, threshold))

    @app.get("/disagreements")
    @requires("reviewer", "admin")
    def disagreements() -> Any:
        items = [o for o in item_outcomes(store, threshold) if o["outcome"] == "disagreement"]
        return page("disagreements.html", items=items)

    @app.post("/adjudicate/<int:item_id>")
    @requires("reviewer", "admin")
    def adjudicate(item_id: int) -> Any:
        if store.item(item_id) is None:
            abort(404)
        try:
            store.adjudicate(item_id, g.user["id"], request.form.get("decision", ""),
                             request.form.get("notes", ""))  # fmt: skip
        except FtprepError as exc:
            return _item_page(page, store, store.item(item_id), g.user, error=str(exc), status=400)
        return redirect(url_for("disagreements"))

    @app.get("/export/records.jsonl")
    @requires("admin")
    def export_records() -> Any:
        records, _ = export(store, threshold)
        body = b"".join(orjson.dumps(r) + b"\n" for r in records)
        return Response(body, mimetype="application/x-ndjson")

    @app.get("/export/ratings.jsonl")
    @requires("admin")
    def export_ratings() -> Any:
        _, ratings = export(store, threshold)
        return Response(b"".join(orjson.dumps(r) + b"\n" for r in ratings),
                        mimetype="application/x-ndjson")  # fmt: skip

    return app


def _answer_form(form: Any, store: Store, item: dict[str, Any]) -> dict[str, Any]:
    scores = {}
    for name in store.rubric:
        value = form.get(f"score_{name}")
        if value:
            scores[name] = int(value)
    edit = form.get("edit")
    original = _last_reply(item["record"])
    return {
        "scores": scores,
        "decision": form.get("decision") or None,
        "flag": form.get("flag") == "1",
        "notes": form.get("notes", "")[:10_000],
        "edit": edit if edit is not None and edit.strip() and edit != original else None,
        "version": int(form.get("version", "0")),
    }


def _last_reply(record: dict[str, Any]) -> str:
    replies = [m for m in record.get("messages", []) if m.get("role") == "assistant"]
    content = replies[-1].get("content") if replies else None
    return content if isinstance(content, str) else ""


def _item_page(page: Any, store: Store, item: Any, user: dict[str, Any], *, error: str | None,
               status: int) -> Any:  # fmt: skip
    annotator = user["role"] == "annotator"
    answer = store.answer(item["id"], user["id"]) if annotator else None
    answers = []
    if not annotator:
        for a in store.answers():
            if a["item_id"] == item["id"]:
                edit = store.answer(item["id"], a["user_id"])
                answers.append({**a, "edit": edit["edit"] if edit else None})
    return page(
        "item.html",
        status,
        title=f"item {item['id']}",
        item=item,
        messages=_messages(item["record"]),
        rubric=store.rubric,
        answer=answer,
        version=answer["version"] if answer else 0,
        edit=(answer or {}).get("edit") or _last_reply(item["record"]),
        can_answer=annotator,
        answers=answers,
        can_adjudicate=user["role"] in ("reviewer", "admin"),
        error=error,
    )


def _messages(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Turns as the page shows them: prose and code blocks apart, tool calls as lines."""
    out = []
    if "text" in record and not record.get("messages"):
        return [{"role": "text", "parts": [{"text": record["text"], "code": False}], "calls": []}]
    for m in record.get("messages", []):
        content = m.get("content")
        if isinstance(content, list):
            content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        text = content if isinstance(content, str) else ""
        parts = [{"text": piece, "code": code} for piece, code in split_code(text) if piece]
        calls = [
            f"{(c.get('function') or {}).get('name')}({(c.get('function') or {}).get('arguments')})"
            for c in m.get("tool_calls") or []
            if isinstance(c, dict)
        ]
        out.append({"role": str(m.get("role", "")), "parts": parts, "calls": calls})
    return out
