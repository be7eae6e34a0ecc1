"""Handing one mail to the SMTP server so that a crash can lose it in a microsecond, never send
it twice.

The SMTP server takes a mail when it reads the line "." that ends its DATA; whatever it read
before, it drops if the connection dies. So the whole message goes first, then the send is
recorded (`before_accepting()`, a committed update), then the "." goes. A process killed
before the record leaves the mail undelivered and unrecorded: sent again later, once. Killed
after the record, it has the "." still to write: the only loss, in the time it takes to write
three bytes, where sending first and recording after duplicates a mail for the whole time the
server takes to answer.

Mail backends other than Django's SMTP backend (the console, a file, an HTTP API) send as
usual, and the send is recorded after.
"""

import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

LINE_STARTING_WITH_A_DOT = re.compile(rb"(?m)^\.")


def hand_over(mail: EmailMessage, connection, *, before_accepting) -> None:
    """Send `mail` through `connection` (an open backend), calling `before_accepting()` at the
    last moment the server can still drop it. SMTP errors are raised as smtplib's."""
    if not isinstance(connection, SMTPBackend):
        connection.send_messages([mail])
        before_accepting()
        return
    connection.open()  # nothing if it is open already
    smtp = connection.connection
    # The "." goes alone after the message: without this, the kernel holds it back until the
    # server acknowledges the message's last packet (Nagle's algorithm), 40 ms a mail.
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    encoding = mail.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(mail.from_email, encoding)
    smtp.ehlo_or_helo_if_needed()
    code, answer = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    refused = {}
    for recipient in (sanitize_address(address, encoding) for address in mail.recipients()):
        code, answer = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, answer)
    if refused:
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    code, answer = smtp.docmd("data")
    if code != 354:
        smtp.rset()
        raise smtplib.SMTPDataError(code, answer)
    body = LINE_STARTING_WITH_A_DOT.sub(b"..", mail.message().as_bytes(linesep="\r\n"))
    smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
    try:
        before_accepting()
    except BaseException:
        smtp.close()  # the server drops a message whose "." never came
        connection.connection = None  # the next mail opens a new one
        raise
    code, answer = smtp.docmd(".")
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)
