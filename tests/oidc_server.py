"""A real OpenID Provider for the single sign-on tests: tests/oidc/server.js (the certified
`oidc-provider` npm package, pinned by tests/oidc/package-lock.json and installed by
`make test`) on a free loopback port, torn down after. Not a mock: discovery, keys, PKCE,
codes, ID tokens and the sign-in page are the package's own.

`drive()` walks its sign-in page like a person would (with `requests`, no browser): the
portal's redirect in, the login form, and back out to the portal's callback address.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.pg import free_port
from tests.processes import stop, wait_until_ready

HERE = Path(__file__).resolve().parent / "oidc"
SERVER = HERE / "server.js"
NODE_MODULES = HERE / "node_modules" / "oidc-provider"
CLIENT_SECRETS = {"customers": "customers-secret", "suppliers": "suppliers-secret"}


class OidcProvider:
    """`node tests/oidc/server.js <port>`; `.issuer`; clients "customers" and "suppliers"
    (secret "<id>-secret") allowed to send people back to `redirects[client_id]`."""

    def __init__(self, redirects: dict[str, list[str]]):
        self.redirects = redirects
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.base = tempfile.mkdtemp(prefix="portal-oidc-")

    def start(self) -> "OidcProvider":
        if not NODE_MODULES.is_dir():
            raise RuntimeError(
                "oidc-provider is not installed: run `make test` (or `npm ci --prefix "
                "tests/oidc --ignore-scripts`) first"
            )
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on the PATH (make system-packages installs npm)")
        env = {**os.environ, "OIDC_TEST_REDIRECTS": json.dumps(self.redirects)}
        env.pop("NODE_ENV", None)
        out = open(os.path.join(self.base, "server.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [node, str(SERVER), str(self.port)],
            cwd=HERE,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(self.process, self._answers, 30, "oidc-provider", self.log)
        except RuntimeError:
            self.stop(keep=True)
            raise
        return self

    def _answers(self) -> bool:
        try:
            response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
            return response.status_code == 200 and response.json()["issuer"] == self.issuer
        except (requests.RequestException, ValueError, KeyError):
            return False

    def log(self) -> str:
        try:
            with open(os.path.join(self.base, "server.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def settings(self, name: str, client_id: str, kind: str, **extra) -> dict:
        """One entry of OIDC_PROVIDERS for this provider."""
        return {"name": name, "issuer": self.issuer, "client_id": client_id,
                "client_secret": CLIENT_SECRETS[client_id], "kind": kind, **extra}  # fmt: skip

    def stop(self, keep: bool = False) -> None:
        stop(self.process)
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


def _form(html: str) -> tuple[str, dict]:
    """The action and hidden fields of the first form of a page of the provider's."""
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, f"no form on the provider's page:\n{html[:2000]}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return unescape(action.group(1)), fields


def drive(
    authorize_url: str,
    login: str | None,
    browser: requests.Session | None = None,
    cancel: bool = False,
) -> str:
    """Follow the provider's pages from `authorize_url` as a person would: sign in as
    `login` (or press "Cancel"); return the address the provider sends the browser back to
    (the portal's callback, with `code` and `state`, or `error`). `browser` keeps the
    provider's cookies between sign-ins (its own session); a new one by default."""
    browser = browser or requests.Session()
    provider = urlsplit(authorize_url).netloc
    url, method, data = authorize_url, "GET", None
    for _ in range(20):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if urlsplit(url).netloc != provider:
                return url
            continue
        assert response.status_code == 200, (
            f"{response.status_code} from the provider:\n" + (response.text[:2000])
        )
        html = response.text
        if cancel:
            abort = re.search(r'<a href="([^"]+)">\[ Cancel \]</a>', html)
            assert abort, f"no cancel link on the provider's page:\n{html[:2000]}"
            url, method, data = urljoin(url, unescape(abort.group(1))), "GET", None
            continue
        action, fields = _form(html)
        if fields.get("prompt") == "login":
            assert login is not None, "the provider asks who is signing in"
            fields.update(login=login, password="any password")
        url, method, data = urljoin(url, action), "POST", fields
    raise AssertionError("the provider never sent the browser back")
