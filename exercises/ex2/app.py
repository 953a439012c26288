"""billsplit: a small Flask service that splits a restaurant bill between friends.

Run it with gunicorn (`gunicorn --bind 0.0.0.0:8000 app:app`); `flask --app app run` works for
local development.
"""

from flask import Flask, jsonify, request

from split import SplitError, split_bill


def create_app():
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.post("/api/split")
    def split():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error="send a JSON object: {\"total\": ..., \"people\": ...}"), 400
        try:
            result = split_bill(body.get("total"), body.get("people"), body.get("tip_percent", 0))
        except SplitError as e:
            return jsonify(error=str(e)), 400
        return jsonify(result)

    return app


app = create_app()
