"""The e-mail building blocks of intake (SPEC 12): parsing a message, and a real IMAP mailbox."""

import socket
import time
import zlib
from email.message import EmailMessage
from urllib.parse import quote

import pytest

from portal.intake import imap
from portal.intake.imap import ImapError, Mailbox
from portal.intake.mail import MAX_TEXT, MailError, parse_message, plus_tag
from tests.pg import free_port


def raw(headers: str, body: str = "", charset: str = "utf-8") -> bytes:
    """A message from header lines and a body, with CRLF line ends as on the wire."""
    text = headers.strip("\n") + "\n\n" + body
    return text.replace("\n", "\r\n").encode(charset)


PLAIN = """\
From: Ann Example <ann@Customer.Example>
To: Feedback <feedback+billing@portal.example.com>
Subject: Re: CSV export
Message-ID: <CAB1234@mail.gmail.com>
In-Reply-To: <idea-7@portal.example.com>
Content-Type: text/plain; charset=utf-8
"""


def test_plain_mail_with_a_gmail_quote():
    mail = parse_message(
        raw(
            PLAIN,
            "Hi,\n\nplease add CSV export to the report page.\n\n"
            "On Mon, Dec 1, 2026 at 10:15 AM Portal Team <reply+abc@portal.example.com>\n"
            "wrote:\n\n> Your idea was answered.\n> Regards\n",
        )
    )
    assert mail.text == "Hi,\n\nplease add CSV export to the report page."
    assert mail.sender_email == "ann@customer.example"
    assert mail.sender_name == "Ann Example"
    assert mail.subject == "Re: CSV export"
    assert mail.message_id == "CAB1234@mail.gmail.com"
    assert mail.in_reply_to == "idea-7@portal.example.com"
    assert mail.attachments == ()
    assert mail.automatic is False


@pytest.mark.parametrize(
    "quote",
    [
        # Outlook (new): a rule, then a From/Sent/To/Subject block
        "________________________________\nFrom: Portal <noreply@portal.example.com>\n"
        "Sent: Monday, December 1, 2026 10:15\nTo: Ann <ann@customer.example>\n"
        "Subject: Re: CSV export\n\nYour idea was answered.\n",
        # Outlook (classic)
        "-----Original Message-----\nFrom: Portal [mailto:noreply@portal.example.com]\n"
        "Sent: Monday, December 1, 2026 10:15 AM\nTo: Ann\nSubject: Re: CSV export\n\nOld text.\n",
        # Apple Mail on an iPhone
        "Sent from my iPhone\n\n> On 1 Dec 2026, at 10:15, Portal <noreply@portal.example.com> "
        "wrote:\n>\n> Old text.\n",
        # A "-- " signature
        "-- \nAnn Example\nHead of Purchasing, Customer GmbH\n+49 30 1234567\n",
        # German: sign-off and Apple Mail / Thunderbird header
        "Mit freundlichen Grüßen\nAnna\n\nAm 01.12.2026 um 10:15 schrieb Portal "
        "<noreply@portal.example.com>:\n> Alter Text.\n",
    ],
    ids=["outlook", "outlook-classic", "iphone", "signature", "german"],
)
def test_quotes_and_signatures_are_cut(quote):
    mail = parse_message(raw(PLAIN, "Yes, we still need the export.\n\n" + quote))
    assert mail.text == "Yes, we still need the export."


def test_what_only_looks_like_a_sign_off_is_kept():
    body = (
        "Hello,\nThanks, your product is great but the export is missing.\n"
        "We need:\n- CSV export\n- PDF export\n"
    )
    assert parse_message(raw(PLAIN, body)).text == body.strip()


def test_a_forwarded_message_is_kept_whole():
    body = (
        "Bob asks for this too.\n\n---------- Forwarded message ---------\n"
        "From: Bob <bob@other.example>\nDate: Mon, Dec 1, 2026\nSubject: export\n"
        "To: Ann <ann@customer.example>\n\nWe need the export by Friday.\n"
    )
    mail = parse_message(raw(PLAIN.replace("Subject: Re:", "Subject: Fwd:"), body))
    assert "We need the export by Friday." in mail.text
    assert mail.text.startswith("Bob asks for this too.")


def test_a_message_of_nothing_but_a_signature_is_kept():
    assert parse_message(raw(PLAIN, "-- \nAnn Example\n")).text == "-- \nAnn Example"


def no_network(*args, **kwargs):
    raise AssertionError("the parser opened a connection")


def test_html_only_mail_becomes_text_without_fetching_anything(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    html = """<html><head><style>p { color: red }</style><script>alert("x")</script>
        <link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>
        <p>Hello <b>team</b>,</p><p>please add <a href="https://x.example/y">CSV export</a>.</p>
        <img src="http://127.0.0.1:9/pixel.gif" alt="pixel"><ul><li>one</li><li>two</li></ul>
        <div class="gmail_quote">On Mon, Dec 1, 2026 at 10:15 AM Portal &lt;p@x.example&gt;
        wrote:<br><blockquote>Your idea was answered.</blockquote></div></body></html>"""
    headers = PLAIN.replace("text/plain", "text/html")
    text = parse_message(raw(headers, html)).text
    assert text.split() == "Hello team, please add CSV export. * one * two".split()
    for absent in ("alert", "color", "x.example", "pixel", "answered", "<"):
        assert absent not in text


def test_multipart_alternative_uses_the_plain_part():
    message = EmailMessage()
    message["From"] = "ann@customer.example"
    message["Subject"] = "Export"
    message.set_content("The plain version.\n")
    message.add_alternative("<p>The <b>HTML</b> version.</p>", subtype="html")
    assert parse_message(message.as_bytes()).text == "The plain version."


def test_attachments_are_listed_by_name_and_not_read():
    message = EmailMessage()
    message["From"] = "ann@customer.example"
    message["Subject"] = "Figures"
    message.set_content("See the attached figures.\n")
    message.add_attachment(b"%PDF-1.7 secret", maintype="application", subtype="pdf",
                           filename="Übersicht 2026.pdf")  # fmt: skip
    message.add_attachment("a,b\n1,2\n", subtype="csv", filename=r"C:\Users\ann\numbers.csv")
    message.add_attachment(b"\x00\x01", maintype="application", subtype="octet-stream")
    forwarded = EmailMessage()
    forwarded["From"] = "bob@other.example"
    forwarded.set_content("forwarded words")
    message.add_attachment(forwarded)
    mail = parse_message(message.as_bytes())
    assert mail.text == "See the attached figures."
    assert mail.attachments == (
        "Übersicht 2026.pdf",
        "numbers.csv",
        "attachment.bin",
        "message.eml",
    )


@pytest.mark.parametrize(
    ("charset", "declared"),
    [("latin-1", "utf-8"), ("latin-1", "us-ascii"), ("latin-1", "x-no-such-charset"),
     ("utf-8", "x-no-such-charset"), ("latin-1", "base64"), ("cp1252", "iso-8859-1")],
)  # fmt: skip
def test_a_wrong_or_unknown_charset_does_not_raise(charset, declared):
    headers = PLAIN.replace("charset=utf-8", f"charset={declared}")
    body = "Grüße aus Köln: 5 € bitte.\n"
    if charset == "latin-1":
        body = body.replace("€", "EUR")
    text = parse_message(raw(headers, body, charset=charset)).text
    assert text == body.strip()


def test_undecodable_bytes_are_replaced():
    message = raw(PLAIN.replace("charset=utf-8", "charset=x-unknown"), "") + b"a\x81b\xff\r\n"
    assert parse_message(message).text == "a\ufffdbÿ"


def test_a_compression_codec_is_no_charset():
    bomb = zlib.compress(b"A" * 50_000_000)  # 50 MB in 50 kB, if "zlib" were decoded
    headers = "From: ann@customer.example\nContent-Type: text/plain; charset=zlib\n"
    text = parse_message(raw(headers).replace(b"\r\n\r\n", b"\r\n\r\n" + bomb)).text
    assert len(text) <= len(bomb) and "AAAA" not in text


@pytest.mark.parametrize(
    "message",
    [
        b"From: a@b.example\nContent-Type: multipart/mixed\n\nno boundary\n",
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=x\n\n--x\n--x--\n",
        b"From: a@b.example\nContent-Type: text/plain; charset=rot13\n\nuryyb\n",
        b"From: a@b.example\nContent-Transfer-Encoding: base64\n\n!!not base64\n",
        b"From: =?utf-8?q?broken <<>>@@ ,,, <a@b.example>\nSubject: =?x-unknown?q?hi?=\n\nhi",
        b"From: a@b.example\nContent-Type: text/html\n\n<!DOCTYPE x [<!ENTITY e SYSTEM "
        b"'file:///etc/passwd'>]><p>&e;</p>",
    ],
)
def test_broken_messages_do_not_raise(message):
    mail = parse_message(message)
    assert mail.sender_email == "a@b.example"
    assert "root:" not in mail.text


def test_deep_nesting_is_a_mail_error():
    message = "From: a@b.example\n" + "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(2000)
    )
    with pytest.raises(MailError):
        parse_message(message.encode())


def test_encoded_words_in_subject_and_sender_name():
    mail = parse_message(
        raw(
            "From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <J.Mueller@Example.COM>\n"
            "To: feedback@portal.example.com\n"
            "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=\n  =?utf-8?q?_und_mehr?=\n",
            "Hallo\n",
        )
    )
    assert mail.sender_name == "Jürgen Müller"
    assert mail.sender_email == "J.Mueller@example.com"
    assert mail.subject == "Grüße aus Köln und mehr"


def test_missing_ids_and_references():
    mail = parse_message(raw("From: ann@customer.example\n", "Hi\n"))
    assert mail.message_id is None
    assert mail.in_reply_to is None
    assert mail.subject == ""
    mail = parse_message(
        raw("From: ann@customer.example\nReferences: <a@x> <b@x>\n  <idea-9@portal>\n", "Hi\n")
    )
    assert mail.in_reply_to == "idea-9@portal"


@pytest.mark.parametrize(
    "headers",
    [
        "From: ann@customer.example\nAuto-Submitted: auto-replied\nSubject: Out of office\n",
        "From: ann@customer.example\nPrecedence: bulk\n",
        "From: ann@customer.example\nPrecedence: list\n",
        "From: ann@customer.example\nX-Autoreply: yes\n",
        "From: ann@customer.example\nList-Id: Customers <customers.lists.example>\n",
        "From: ann@customer.example\nReturn-Path: <>\n",
    ],
)
def test_automatic_mail_is_flagged(headers):
    assert parse_message(raw(headers, "I am away until Monday.\n")).automatic is True


def test_a_bounce_is_flagged():
    bounce = raw(
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>\n"
        "To: reply+abc@portal.example.com\nSubject: Undelivered Mail Returned to Sender\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n',
        "--b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        "Final-Recipient: rfc822; nobody@customer.example\nAction: failed\nStatus: 5.1.1\n"
        "--b--\n",
    )
    mail = parse_message(bounce)
    assert mail.automatic is True
    assert mail.text == "The mail could not be delivered."


def test_people_are_not_flagged_automatic():
    headers = PLAIN + "Auto-Submitted: no\nX-Mailer: Apple Mail (2.3826)\n"
    assert parse_message(raw(headers, "Hello\n")).automatic is False


def test_recipients_from_to_cc_and_delivery_headers():
    mail = parse_message(
        raw(
            "From: ann@customer.example\n"
            'To: "Support, Team" <support@Portal.Example.com>,\n'
            " feedback+Billing@portal.example.com\n"
            "Cc: bob@customer.example\n"
            "Delivered-To: reply+Tok3n.Sig@PORTAL.example.com\n"
            "X-Original-To: feedback+billing@portal.example.com\n",
            "Hi\n",
        )
    )
    assert mail.recipients == (
        "support@portal.example.com",
        "feedback+Billing@portal.example.com",
        "bob@customer.example",
        "reply+Tok3n.Sig@portal.example.com",
        "feedback+billing@portal.example.com",
    )
    tags = [plus_tag(address, "reply") for address in mail.recipients]
    assert [t for t in tags if t] == ["Tok3n.Sig"]  # the token keeps its case
    assert plus_tag(mail.recipients[1], "feedback") == "Billing"


@pytest.mark.parametrize(
    ("address", "local", "tag"),
    [
        ("feedback+billing@x.example", "feedback", "billing"),
        ("Feedback+billing@x.example", "feedback", "billing"),
        ("feedback+billing@x.example", "FEEDBACK", "billing"),
        ("<feedback+a+b@x.example>", "feedback", "a+b"),
        ("feedback@x.example", "feedback", None),
        ("feedback+@x.example", "feedback", None),
        ("feedbacks+x@x.example", "feedback", None),
        ("reply+x@x.example", "feedback", None),
        ("feedback+billing", "feedback", None),
        ("feedback+x@x.example", "", None),
    ],
)
def test_plus_tag(address, local, tag):
    assert plus_tag(address, local) == tag


@pytest.mark.parametrize(
    "message",
    [b"", b"Subject: no sender\r\n\r\nHi\r\n", b"From: nobody\r\n\r\nHi\r\n", "text"],
)
def test_no_sender_is_a_mail_error(message):
    with pytest.raises(MailError):
        parse_message(message)


def test_a_huge_message_is_bounded():
    body = ("All work and no play makes Jack a dull boy. " * 20 + "\n") * 1500  # 1.3 MB
    started = time.monotonic()
    mail = parse_message(raw(PLAIN, body))
    assert len(mail.text) <= MAX_TEXT
    assert mail.text.startswith("All work")
    assert time.monotonic() - started < 5


def test_thousands_of_parts_are_bounded():
    part = "--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=f.pdf\n\n"
    message = raw(
        "From: ann@customer.example\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=x\n",
        "--x\nContent-Type: text/plain\n\nThe text.\n" + part * 20_000 + "--x--\n",
    )
    started = time.monotonic()
    mail = parse_message(message)
    assert time.monotonic() - started < 5
    assert mail.text == "The text."
    assert mail.attachments == ("f.pdf",) * 100


def test_long_lines_do_not_stall_the_cutter():
    # Lines like these took the reply cutter's regular expressions minutes.
    body = "\n".join(["Am " + "schrieb " * 700, "On " + "x " * 5000, "Kind regards"]) + "\n"
    started = time.monotonic()
    mail = parse_message(raw(PLAIN, body))
    assert time.monotonic() - started < 5
    assert mail.text.startswith("Am schrieb")
    assert "Kind regards" not in mail.text


def test_control_characters_are_removed():
    mail = parse_message(raw(PLAIN.replace("Re: CSV", "Re:\x07 CSV"), "a\x00b\x1bc\td\n"))
    assert mail.text == "abc\td"
    assert mail.subject == "Re: CSV export"


# --- IMAP, against a real dovecot (tests/imap_server.py) ---------------------------------------


def message(number: int) -> bytes:
    return raw(
        f"From: sender{number}@customer.example\nTo: feedback@portal.example.com\n"
        f"Subject: Message {number}\nMessage-ID: <m{number}@customer.example>\n",
        f"Body of message {number}.\n",
    )


@pytest.fixture
def mailbox_url(imap_server):
    imap_server.clear()
    return imap_server.url


def test_unseen_oldest_first_and_mark_seen(imap_server, mailbox_url):
    for number in (1, 2, 3):
        imap_server.append(message(number))
    with Mailbox(mailbox_url, timeout=10) as box:
        new = box.unseen()
        assert [raw_message for _, raw_message in new] == [message(1), message(2), message(3)]
        uids = [uid for uid, _ in new]
        assert uids == sorted(uids)
        assert box.unseen(limit=2) == new[:2]
        box.mark_seen(uids[1])
        assert [uid for uid, _ in box.unseen()] == [uids[0], uids[2]]
    # Fetching did not mark anything: a new session still finds the two.
    with Mailbox(mailbox_url, timeout=10) as box:
        again = box.unseen()
    assert [parse_message(m).message_id for _, m in again] == [
        "m1@customer.example",
        "m3@customer.example",
    ]


def test_an_empty_mailbox(mailbox_url):
    with Mailbox(mailbox_url) as box:
        assert box.unseen() == []


def test_a_wrong_password_names_no_password(imap_server):
    wrong = "not-the-Pa55word"
    url = f"imap://{imap_server.user}:{wrong}@127.0.0.1:{imap_server.port}/INBOX"
    with pytest.raises(ImapError) as caught:
        Mailbox(url, timeout=10).open()
    message = str(caught.value)
    assert "logging in failed" in message
    assert wrong not in message and imap_server.password not in message
    assert quote(imap_server.password, safe="") not in message


def test_an_unreachable_server(imap_server):
    url = f"imap://{imap_server.user}:secret@127.0.0.1:{free_port()}/INBOX"
    with pytest.raises(ImapError, match="connecting failed") as caught, Mailbox(url, timeout=5):
        pass
    assert "secret" not in str(caught.value)


def test_an_unknown_mailbox(imap_server):
    url = imap_server.url.replace("/INBOX", "/No%20Such%20Folder")
    with pytest.raises(ImapError, match="cannot select"):
        Mailbox(url, timeout=10).open()


def test_a_mailbox_with_a_non_ascii_name(imap_server):
    conn = imap_server.connect()
    conn.create('"R&APw-ckmeldungen &- Lob"')  # "Rückmeldungen & Lob" in modified UTF-7
    conn.logout()
    imap_server.append(message(4), mailbox='"R&APw-ckmeldungen &- Lob"')
    url = imap_server.url.replace("/INBOX", "/" + quote("Rückmeldungen & Lob"))
    with Mailbox(url, timeout=10) as box:
        assert [m for _, m in box.unseen()] == [message(4)]


def test_imaps_speaks_tls(imap_server):
    url = imap_server.url.replace("imap://", "imaps://")  # a plain IMAP port: no TLS there
    with pytest.raises(ImapError, match="connecting failed"):
        Mailbox(url, timeout=10).open()


def test_plain_imap_to_another_host_insists_on_starttls(imap_server, monkeypatch):
    monkeypatch.setattr(imap, "is_loopback_host", lambda host: False)
    with pytest.raises(ImapError, match="no STARTTLS"):
        Mailbox(imap_server.url, timeout=10).open()


def test_default_mailbox_and_bad_urls(imap_server):
    box = Mailbox(imap_server.url.removesuffix("/INBOX"))
    assert box.mailbox == "INBOX"
    assert imap_server.password not in str(box) + repr(box)
    for url in ("pop3://u:p@host/", "imaps://host/INBOX", "imaps://u:p@host:99999/INBOX"):
        with pytest.raises(ImapError):
            Mailbox(url)
    with pytest.raises(ImapError, match="not connected"):
        Mailbox(imap_server.url).unseen()
