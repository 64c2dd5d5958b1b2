"""EMAIL_URL → Django's mail settings, so the SMTP server is one environment variable like the database.

    smtp://user:password@host:port       plain SMTP (port 25 by default)
    smtp+tls://user:password@host:port   STARTTLS after connecting (port 587 by default)
    smtp+ssl://user:password@host:port   TLS from the first byte, "SMTPS" (port 465 by default)
    console://                           print each mail to the console (the log) instead of sending

User and password are optional; characters such as @ : / in them are written percent-encoded
(p%40ss for p@ss). Unset, mail goes to the console: the embedded default sends nothing anywhere.
Parsed here rather than by a library: the format is small, and a mistake must stop start-up with a
message that names the variable.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

# scheme → (use_tls, use_ssl, default port)
SMTP_SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "smtp+starttls": (True, False, 587),
    "smtp+ssl": (False, True, 465),
    "smtps": (False, True, 465),
}


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False

    @property
    def is_console(self) -> bool:
        return self.backend == CONSOLE_BACKEND


def parse_email_url(url: str | None, variable: str = "EMAIL_URL") -> EmailConfig:
    url = (url or "").strip()
    if not url:
        return EmailConfig(CONSOLE_BACKEND)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailConfig(CONSOLE_BACKEND)
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(f"{s}://" for s in [*SMTP_SCHEMES, "console"])
        raise ImproperlyConfigured(f"{variable} must start with one of {known}, not {url.split(':', 1)[0]!r}")
    use_tls, use_ssl, default_port = SMTP_SCHEMES[scheme]
    if not parts.hostname:
        raise ImproperlyConfigured(f"{variable} names no host: expected smtp://user:password@host:port")
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} has an invalid port: {exc}") from exc
    return EmailConfig(
        SMTP_BACKEND,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )
