"""The benchmarks' yardstick: the smallest Flask app that serves a page.

    gunicorn --workers 4 --chdir bench minimal_app:app

One route returning a small HTML page, served exactly like the portal (same gunicorn, same
workers, same client), so every figure of bench/http_bench.py can be given as a share of
what Flask itself can do on the machine.
"""

from flask import Flask

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello</title></head>
<body><h1>Hello</h1><p>The minimal Flask endpoint.</p></body>
</html>
"""


@app.route("/")
def hello():
    return PAGE
