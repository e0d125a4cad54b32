"""The OpenID Connect side of single sign-on (SPEC 15), through Authlib's Flask client.

Each provider of `OIDC_PROVIDER_LIST` is an Authlib client named by its slug: discovery
(`<issuer>/.well-known/openid-configuration`), the authorization code flow with PKCE (S256),
`state` and `nonce` kept in the signed session cookie, and the ID token checked (signature
against the provider's keys, issuer, audience, expiry, nonce) by Authlib. What comes back is
the person's claims; what the portal does with them is `portal.accounts.sso`'s business.

Every way this can go wrong (the provider down or slow, an answer that is not JSON, a state
this browser did not start, a code used twice, a wrong nonce, a bad ID token, the person
pressing "cancel") is a domain error with a 4xx, 502 or 503 status and a plain message;
nothing here writes to the database.
"""

import logging
import re
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, request, url_for
from joserfc.errors import JoseError

from portal.errors import BadGateway, BadRequest, Forbidden, Unavailable

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
_HOST = re.compile(r"^[a-z0-9.:-]+$")
EXTENSION = "portal_oidc"


def init_oidc(app: Flask) -> None:
    """One Authlib registry per app (never shared between apps), a client per provider."""
    oauth = OAuth()
    oauth.init_app(app)
    timeout = app.config["OIDC_TIMEOUT_SECONDS"]
    for provider in app.config["OIDC_PROVIDER_LIST"]:
        oauth.register(
            name=provider["slug"],
            client_id=provider["client_id"],
            client_secret=provider["client_secret"],
            server_metadata_url=f"{provider['issuer']}/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                # Every request to the provider (discovery, keys, token, userinfo).
                "default_timeout": timeout,
            },
        )
    app.extensions[EXTENSION] = oauth


def origin(url: str) -> str | None:
    """scheme://host[:port] of an address, or None when it is not a plain http(s) one."""
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not _HOST.match(host):
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def form_targets() -> list[str]:
    """Where the "Sign in with …" forms lead (their answer redirects there): each
    provider's issuer origin, and its sign-in page's when discovery named another."""
    oauth = current_app.extensions[EXTENSION]
    found = set()
    for provider in current_app.config["OIDC_PROVIDER_LIST"]:
        found.add(origin(provider["issuer"]))
        endpoint = oauth.create_client(provider["slug"]).server_metadata.get(
            "authorization_endpoint"
        )
        found.add(origin(endpoint) if isinstance(endpoint, str) else None)
    return sorted(found - {None})


def client_for(provider: dict):
    return current_app.extensions[EXTENSION].create_client(provider["slug"])


def _unreachable(provider: dict, error: Exception, step: str):
    log.warning("single sign-on: %s did not answer (%s): %s", provider["slug"], step, error)
    return Unavailable(
        f"{provider['name']} is not answering right now, so you cannot sign in with it. "
        "Please try again in a moment, or sign in with your password."
    )


def _bad_answer(provider: dict, error: Exception | str, step: str):
    log.warning("single sign-on: %s answered wrongly (%s): %s", provider["slug"], step, error)
    return BadGateway(
        f"{provider['name']} answered in a way we cannot use, so you are not signed in. "
        "Please try again later, or sign in with your password."
    )


def _metadata(provider: dict, client) -> dict:
    """The provider's discovery document (fetched once per process), checked to name the
    configured issuer: a document for another issuer is refused."""
    metadata = client.load_server_metadata()
    issuer = str(metadata.get("issuer") or "").rstrip("/")
    if issuer != provider["issuer"] or not metadata.get("authorization_endpoint"):
        # Not kept: the next attempt asks again.
        client.server_metadata.pop("_loaded_at", None)
        raise _bad_answer(provider, f"discovery names issuer {issuer!r}", "discovery")
    return metadata


def start(provider: dict):
    """The redirect to the provider's sign-in page; state, nonce and PKCE verifier are kept
    in the session for the callback."""
    client = client_for(provider)
    redirect_uri = url_for("accounts.sso_callback", slug=provider["slug"], _external=True)
    try:
        _metadata(provider, client)
        return client.authorize_redirect(redirect_uri)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _unreachable(provider, error, "discovery") from None
    except (requests.RequestException, ValueError, RuntimeError) as error:
        raise _bad_answer(provider, error, "discovery") from None


def finish(provider: dict) -> dict:
    """The claims of the person the provider signed in (ID token, completed by the userinfo
    endpoint when it leaves the e-mail out), after every check; a domain error otherwise."""
    name = provider["name"]
    error = request.args.get("error")
    if error:
        log.info("single sign-on: %s answered %s", provider["slug"], error[:60])
        if error == "access_denied":
            raise Forbidden(f"Signing in with {name} was cancelled or refused: you are not "
                            "signed in, and nothing changed.")  # fmt: skip
        raise BadRequest(f"{name} could not sign you in ({error[:60]}). Please try again.")
    if not request.args.get("state") or not request.args.get("code"):
        raise BadRequest(f"This is not a complete answer from {name}: please start again.")
    client = client_for(provider)
    try:
        metadata = _metadata(provider, client)
        # RFC 9207: an answer that names its issuer must name this one (mix-up attacks).
        issuer = request.args.get("iss")
        if issuer is not None and issuer.rstrip("/") != str(metadata["issuer"]).rstrip("/"):
            log.warning("single sign-on: %s answer names issuer %r", provider["slug"], issuer)
            raise BadRequest(f"This answer does not come from {name}: please start again.")
        token = client.authorize_access_token()
        claims = token.get("userinfo")
        if claims is None:
            raise _bad_answer(provider, "no ID token in the token response", "token")
        claims = dict(claims)
        if not claims.get("email") and metadata.get("userinfo_endpoint"):
            claims = _with_userinfo(provider, client, token, claims)
    except MismatchingStateError:
        log.warning("single sign-on: %s callback with a state this session did not start",
                    provider["slug"])  # fmt: skip
        raise BadRequest(
            f"This answer from {name} does not belong to a sign-in started in this browser "
            "(or it was used already). Please start again."
        ) from None
    except OAuthError as error:
        # The token endpoint refused the code: used already (a replay), expired, or not ours.
        log.warning("single sign-on: %s refused the code: %s", provider["slug"], error)
        raise BadRequest(
            f"{name} did not accept this sign-in (it may have been used already or have "
            "expired). Please start again."
        ) from None
    except JoseError as error:
        # The ID token: bad signature, wrong issuer or audience, expired, wrong nonce.
        log.warning("single sign-on: %s ID token refused: %s", provider["slug"], error)
        raise BadRequest(
            f"The sign-in from {name} did not pass our checks, so you are not signed in. "
            "Please start again."
        ) from None
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _unreachable(provider, error, "token") from None
    except (requests.RequestException, AuthlibBaseError, ValueError, RuntimeError) as error:
        raise _bad_answer(provider, error, "token") from None
    if not isinstance(claims.get("sub"), str) or not 0 < len(claims["sub"]) <= 255:
        raise _bad_answer(provider, "no usable subject", "token")
    return claims


def _with_userinfo(provider: dict, client, token: dict, claims: dict) -> dict:
    """Claims the ID token left out (providers that keep it small), from the userinfo
    endpoint; only when it speaks of the same subject."""
    info = dict(client.userinfo(token=token))
    if info.get("sub") != claims.get("sub"):
        raise _bad_answer(provider, "userinfo names another subject", "userinfo")
    return {**info, **{k: v for k, v in claims.items() if v is not None}}
