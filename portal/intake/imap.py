"""New mail from the intake's IMAP mailbox (`INTAKE_IMAP_URL`, SPEC 12), with imaplib and UIDs.

`imaps://user:password@host:993/INBOX` speaks TLS from the start; `imap://` is plain IMAP,
meant for a server on the same host (127.0.0.1, ::1, localhost). To any other host `imap://`
upgrades with STARTTLS and refuses a server that does not offer it, so that a password never
crosses a network in clear. Certificates are checked with the default SSL context. User name,
password and mailbox are percent-decoded; the mailbox defaults to INBOX.
"""

import base64
import imaplib
import logging
import re
import ssl
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit

from portal.validation import is_loopback_host

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"imap": 143, "imaps": 993}
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class ImapError(RuntimeError):
    """The mailbox cannot be reached, logged into or read; the message never holds the password."""


class Mailbox:
    """One IMAP session on the intake mailbox: `with Mailbox(url) as box: box.unseen()`."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise ImapError("INTAKE_IMAP_URL must start with imap:// or imaps://")
        try:
            self.port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ImapError("INTAKE_IMAP_URL has an invalid port") from None
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.user = unquote(parts.username or "")
        self._password = unquote(parts.password or "")
        self.mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
        self.timeout = timeout
        self._conn: imaplib.IMAP4 | None = None
        if not self.host or not self.user:
            raise ImapError("INTAKE_IMAP_URL needs a user and a host: imaps://user:pass@host/INBOX")

    def __repr__(self) -> str:
        return f"<Mailbox {self}>"

    def __str__(self) -> str:
        """The URL without the password: fit for logs."""
        return f"{self.scheme}://{quote(self.user)}@{self.host}:{self.port}/{self.mailbox}"

    def __enter__(self) -> "Mailbox":
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> None:
        """Connect, log in and select the mailbox (read-write: mark_seen stores a flag)."""
        try:
            with self._failures("connecting"):
                self._connect()
            with self._failures("logging in"):
                self._login()
            with self._failures("selecting the mailbox"):
                typ, data = self._conn.select(_mailbox_name(self.mailbox))
                if typ != "OK":
                    raise ImapError(f"{self}: cannot select the mailbox: {_text(data)}")
        except ImapError:
            self.close()
            raise
        log.debug("IMAP %s open", self)

    def _connect(self) -> None:
        if self.scheme == "imaps":
            context = ssl.create_default_context()
            self._conn = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=context, timeout=self.timeout
            )
            return
        self._conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        if is_loopback_host(self.host):
            return
        if "STARTTLS" not in self._conn.capabilities:
            raise ImapError(
                f"{self}: the server offers no STARTTLS; use imaps:// "
                "(plain imap:// is for a server on this host only)"
            )
        self._conn.starttls(ssl.create_default_context())

    def _login(self) -> None:
        conn = self._conn
        if "AUTH=PLAIN" in conn.capabilities:  # SASL PLAIN carries any UTF-8 user and password
            credentials = f"\0{self.user}\0{self._password}".encode()
            conn.authenticate("PLAIN", lambda _challenge: credentials)
            return
        try:
            conn.login(_quoted(self.user), self._password)
        except UnicodeEncodeError:
            raise ImapError(
                f"{self}: the server offers only LOGIN, which takes ASCII user names and passwords"
            ) from None

    def close(self) -> None:
        """Log out, quietly: the session may be gone already. (No CLOSE: it would expunge.)"""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            try:
                conn.shutdown()
            except OSError:
                pass

    def unseen_uids(self, limit: int = 100) -> list[int]:
        """The UIDs of up to `limit` messages not yet \\Seen, oldest first."""
        conn = self._connected()
        with self._failures("searching for new mail"):
            typ, data = conn.uid("SEARCH", "UNSEEN")
            if typ != "OK":
                raise ImapError(f"{self}: SEARCH failed: {_text(data)}")
        return sorted({int(uid) for line in data if line for uid in line.split()})[:limit]

    def size(self, uid: int) -> int | None:
        """The message's size in bytes (RFC822.SIZE), None when the server does not say."""
        conn = self._connected()
        with self._failures("asking a message's size"):
            typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        if typ != "OK":
            return None
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            found = _SIZE.search(line) if isinstance(line, bytes) else None
            if found:
                return int(found.group(1))
        return None

    def fetch(self, uid: int) -> bytes | None:
        """One message's bytes, fetched with BODY.PEEK[] (it stays unseen); None if gone."""
        conn = self._connected()
        with self._failures("fetching new mail"):
            typ, data = conn.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
            if typ != "OK":
                raise ImapError(f"{self}: FETCH failed: {_text(data)}")
        for item in data:
            if isinstance(item, tuple) and len(item) > 1:
                return item[1]
        return None

    def unseen(self, limit: int = 100) -> list[tuple[int, bytes]]:
        """(UID, raw message) of up to `limit` messages not yet \\Seen, oldest first.

        Fetched with BODY.PEEK[], so reading does not mark them: `mark_seen` does, once the
        caller has taken a message.
        """
        conn = self._connected()
        with self._failures("searching for new mail"):
            typ, data = conn.uid("SEARCH", "UNSEEN")
            if typ != "OK":
                raise ImapError(f"{self}: SEARCH failed: {_text(data)}")
            uids = sorted({int(uid) for line in data if line for uid in line.split()})[:limit]
        if not uids:
            return []
        with self._failures("fetching new mail"):
            typ, data = conn.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
            if typ != "OK":
                raise ImapError(f"{self}: FETCH failed: {_text(data)}")
        found: dict[int, bytes] = {}
        # imaplib gives ("* 3 FETCH (UID 7 BODY[] {123}", message) then b")"; some servers
        # send the UID after the literal, in that closing piece.
        for index, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            after = data[index + 1] if index + 1 < len(data) else b""
            uid = _UID.search(item[0]) or (isinstance(after, bytes) and _UID.search(after))
            if uid:
                found[int(uid.group(1))] = item[1]
        return [(uid, found[uid]) for uid in uids if uid in found]

    def mark_seen(self, uid: int) -> None:
        """Flag the message \\Seen: `unseen` no longer returns it."""
        conn = self._connected()
        with self._failures("marking a message seen"):
            typ, data = conn.uid("STORE", str(int(uid)), "+FLAGS.SILENT", r"(\Seen)")
            if typ != "OK":
                raise ImapError(f"{self}: STORE failed: {_text(data)}")

    def _connected(self) -> imaplib.IMAP4:
        if self._conn is None:
            raise ImapError(f"{self}: not connected (use the mailbox in a with block)")
        return self._conn

    @contextmanager
    def _failures(self, doing: str):
        """Turn socket, TLS and IMAP errors into an ImapError that names no password."""
        try:
            yield
        except ImapError:
            raise
        except (OSError, imaplib.IMAP4.error, ValueError) as exc:
            reason = str(exc) or type(exc).__name__
            for secret in {self._password, quote(self._password, safe="")} - {""}:
                reason = reason.replace(secret, "***")
            raise ImapError(f"{self}: {doing} failed: {reason}") from None


def _quoted(value: str) -> str:
    """An IMAP quoted string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mailbox_name(name: str) -> str:
    """A mailbox name as IMAP wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded, pending = [], []

    def flush():
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            b64 = base64.b64encode(utf16).decode("ascii").rstrip("=").replace("/", ",")
            encoded.append(f"&{b64}-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return _quoted("".join(encoded))


def _text(data) -> str:
    return " ".join(
        item.decode(errors="replace") if isinstance(item, bytes) else str(item)
        for item in data or []
        if item is not None
    )
