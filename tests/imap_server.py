"""A throwaway IMAP server for the tests: Debian's dovecot on a free port, torn down after."""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from urllib.parse import quote

from tests.pg import free_port
from tests.processes import stop, wait_until_ready

CONFIG = """\
# Written by tests/imap_server.py: nothing from /etc/dovecot is read.
base_dir = {base}/run
state_dir = {base}/state
instance_name = portal-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
# Plain LOGIN / AUTHENTICATE PLAIN without TLS: the server only listens on 127.0.0.1.
disable_plaintext_auth = no
auth_mechanisms = plain login
# No brute-force brakes: a test's wrong password must not slow down the next tests.
auth_failure_delay = 0
log_path = {base}/dovecot.log
mail_location = maildir:~/Maildir
mail_fsync = never
first_valid_uid = {mail_uid}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {base}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
{login_chroot}}}
service anvil {{
{anvil_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


class DovecotServer:
    """dovecot -F with a config, a passwd-file and Maildirs of its own in a temporary directory.

    Started as root (as the tests are here), dovecot drops privileges to its Debian users
    (`dovecot` for internal processes, `dovenull` for the login processes) and reads and writes
    the mail as `nobody`, which therefore owns the user's home. Started as anyone else, every
    process runs as that user, without the login chroot (dovecot's "rootless" set-up).
    """

    user = "intake"
    # Characters that a URL must percent-encode and IMAP LOGIN must quote (no ':', which
    # would end the passwd-file field).
    password = 'pa ss@w/rd%"x'

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="portal-imap-", dir="/tmp")
        self.port = free_port()
        self.process = None
        self.home = os.path.join(self.base, "home", self.user)
        os.makedirs(self.home)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.mail_uid, self.mail_gid = nobody.pw_uid, nobody.pw_gid
            os.chmod(self.base, 0o711)  # mkdtemp's 0700 would keep `nobody` out of the home
            os.chmod(os.path.dirname(self.home), 0o711)
            os.chown(self.home, self.mail_uid, self.mail_gid)
        else:
            self.mail_uid, self.mail_gid = os.geteuid(), os.getegid()

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/INBOX"

    def _config(self) -> str:
        if os.geteuid() == 0:
            internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
            login_chroot = anvil_chroot = ""
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            internal_user = login_user = me
            internal_group = grp.getgrgid(os.getegid()).gr_name
            login_chroot = anvil_chroot = "  chroot =\n"
        return CONFIG.format(
            base=self.base,
            port=self.port,
            mail_uid=min(self.mail_uid, 500),
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
            login_chroot=login_chroot,
            anvil_chroot=anvil_chroot,
        )

    def start(self) -> "DovecotServer":
        conf = os.path.join(self.base, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(self._config())
        with open(os.path.join(self.base, "passwd"), "w") as f:
            f.write(
                f"{self.user}:{{PLAIN}}{self.password}:{self.mail_uid}:{self.mail_gid}::{self.home}::\n"
            )
        out = open(os.path.join(self.base, "stdout.log"), "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", conf], stdout=out, stderr=subprocess.STDOUT
        )
        try:
            wait_until_ready(self.process, self._greets, 20, "dovecot", self.log)
        except RuntimeError:
            self.stop(keep=True)
            raise
        return self

    def _greets(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def log(self) -> str:
        text = []
        for name in ("stdout.log", "dovecot.log"):
            try:
                with open(os.path.join(self.base, name), errors="replace") as f:
                    text.append(f.read())
            except OSError:
                pass
        return "\n".join(text)

    def connect(self) -> imaplib.IMAP4:
        """A logged-in client on the server (the INBOX not selected)."""
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """Put a message into the mailbox through IMAP APPEND, as a mail server would deliver it."""
        conn = self.connect()
        try:
            typ, data = conn.append(mailbox, None, None, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def clear(self, mailbox: str = "INBOX") -> None:
        """Delete every message in the mailbox (between tests)."""
        conn = self.connect()
        try:
            typ, data = conn.select(mailbox)
            if int(data[0]):
                conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                conn.expunge()
        finally:
            conn.logout()

    def stop(self, keep: bool = False) -> None:
        stop(self.process)  # the master stops its children (shutdown_clients = yes)
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)
