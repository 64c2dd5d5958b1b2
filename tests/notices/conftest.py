"""Servers the notices talk to, started by the tests: a real SMTP server (aiosmtpd) and a work-chat
robot (http.server in a thread), both on 127.0.0.1."""

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from config.email_url import parse_email_url
from notices import services


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    to: str


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts; `refuse` makes it answer errors instead."""

    def __init__(self):
        self.mails: list[Mail] = []
        self.refuse_rcpt: str | None = None  # e.g. "550 5.1.1 Mailbox unavailable"
        self.refuse_data: str | None = None  # e.g. "451 4.3.0 Try again later"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.refuse_data:
            return self.refuse_data
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.mails.append(
            Mail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                # Django folds a long encoded subject onto the next line ("Subject:\n =?utf-8?b?…?="):
                # the parser keeps the folding space, which mail clients drop.
                str(message["Subject"]).strip(),
                message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n"),  # SMTP's CRLF
                str(message["To"]),
            )
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port, and the app pointed at it through EMAIL_URL's parser."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    config = parse_email_url(f"smtp://127.0.0.1:{port}")
    settings.EMAIL_BACKEND = config.backend
    settings.EMAIL_HOST, settings.EMAIL_PORT = config.host, config.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "星级支部 <noreply@court.example>"
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def no_smtp(settings):
    """EMAIL_URL names a port where nothing listens."""
    config = parse_email_url(f"smtp://127.0.0.1:{free_port()}")
    settings.EMAIL_BACKEND = config.backend
    settings.EMAIL_HOST, settings.EMAIL_PORT = config.host, config.port
    settings.EMAIL_TIMEOUT = 2
    return config


@dataclass
class Robot:
    url: str
    received: list[dict] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    status: int = 200


@pytest.fixture
def robot():
    """A work-chat robot: takes the JSON POSTed to it and answers like WeCom and DingTalk do."""
    state = Robot(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            state.received.append(json.loads(self.rfile.read(length).decode()))
            state.queries.append(parse_qs(urlsplit(self.path).query))
            body = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=secret-key-123"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """The daily job as beat runs it, with the sends it queues run at commit (in-process)."""

    def _run(today, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.notices_send_due(today=today, **kwargs)

    return _run
