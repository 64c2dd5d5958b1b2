"""Talking to the outside: the SMTP server named by EMAIL_URL, and work-chat group robots.

Each sender either returns (the server took the message) or raises SendError with a Chinese message
that says what went wrong and what to check; the message is stored on the delivery and shown to the
committee, and logged. Nothing here knows about the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

WECOM, DINGTALK = "wecom", "dingtalk"


class SendError(Exception):
    """A message did not leave. `str(exc)` is the Chinese explanation stored on the delivery."""


# ---------------------------------------------------------------------------------------------
# Mail


def smtp_server() -> str:
    return f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"


def uses_console() -> bool:
    """Mail goes to the console (the log), not to anyone: EMAIL_URL is unset (the embedded default)."""
    return settings.EMAIL_BACKEND.endswith("console.EmailBackend")


def send_email(*, to: str, subject: str, body: str) -> None:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
        sent = connection.send_messages([message])
    except Exception as exc:  # every way SMTP can fail becomes one clear sentence
        raise SendError(smtp_error_message(exc, to)) from exc
    if not sent:
        raise SendError(f"邮件服务器 {smtp_server()} 没有接收这封邮件（收件人 {to}）")


def smtp_error_message(exc: BaseException, to: str = "") -> str:
    server = smtp_server()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "；".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
        return f"邮件服务器 {server} 拒绝了收件人 {to}（{codes}）：请核对该人员在党员名册或登录账号中的邮箱"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"邮件服务器 {server} 拒绝了发件人 {settings.DEFAULT_FROM_EMAIL}"
            f"（{exc.smtp_code} {_text(exc.smtp_error)}）：请检查环境变量 DEFAULT_FROM_EMAIL"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"邮件服务器 {server} 拒绝登录（{exc.smtp_code} {_text(exc.smtp_error)}）："
            "请检查 EMAIL_URL 中的用户名和密码"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"邮件服务器 {server} 不支持所需的功能（{exc}）：请检查 EMAIL_URL 是否应使用 smtp+tls:// 或 smtp+ssl://"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"邮件服务器 {server} 返回错误 {exc.smtp_code}：{_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"邮件服务器 {server} 中途断开了连接：请检查 EMAIL_URL 的端口和加密方式（smtp+tls:// 或 smtp+ssl://）"
    if isinstance(exc, ssl.SSLError):
        return (
            f"与邮件服务器 {server} 建立加密连接失败（{exc.reason or exc}）："
            "请检查 EMAIL_URL 应使用 smtp+tls:// 还是 smtp+ssl://"
        )
    if isinstance(exc, socket.gaierror):
        return f"找不到邮件服务器 {settings.EMAIL_HOST}：请检查 EMAIL_URL 中的主机名"
    if isinstance(exc, ConnectionRefusedError):
        return f"无法连接邮件服务器 {server}（连接被拒绝）：请检查 EMAIL_URL 中的地址和端口，以及邮件服务器是否在运行"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"连接邮件服务器 {server} 超时（{settings.EMAIL_TIMEOUT} 秒）：请检查网络和 EMAIL_URL"
    if isinstance(exc, OSError):
        return f"无法连接邮件服务器 {server}（{exc.strerror or exc}）：请检查网络和 EMAIL_URL"
    return f"发送邮件失败（{type(exc).__name__}：{exc}）"


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


# ---------------------------------------------------------------------------------------------
# Work-chat group robots


@dataclass(frozen=True)
class Robot:
    kind: str  # WECOM or DINGTALK
    url: str
    secret: str = ""


def chat_payload(text: str) -> dict:
    """The text message both robots take: {"msgtype": "text", "text": {"content": ...}}."""
    return {"msgtype": "text", "text": {"content": text}}


def signed_url(robot: Robot, now_ms: int | None = None) -> str:
    """DingTalk's 加签: timestamp (ms) and base64(HMAC-SHA256(secret, "timestamp\\nsecret")) in the query."""
    if robot.kind != DINGTALK or not robot.secret:
        return robot.url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(robot.secret.encode(), f"{timestamp}\n{robot.secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    joiner = "&" if urllib.parse.urlsplit(robot.url).query else "?"
    return f"{robot.url}{joiner}timestamp={timestamp}&sign={sign}"


def masked(url: str) -> str:
    """The address without its secret (WeCom's key, DingTalk's access_token): safe to list and log."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    hidden = "&".join(f"{urllib.parse.quote(k)}={urllib.parse.quote(v[:4])}…" if v else k for k, v in query)
    return urllib.parse.urlunsplit(parts._replace(query=hidden))


ROBOT_NAMES = {WECOM: "企业微信群机器人", DINGTALK: "钉钉群机器人"}


def send_chat(robot: Robot, text: str) -> None:
    name = ROBOT_NAMES[robot.kind]
    where = masked(robot.url)
    request = urllib.request.Request(
        signed_url(robot),
        data=json.dumps(chat_payload(text), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.EMAIL_TIMEOUT) as response:  # noqa: S310 (http/https only, checked on entry)
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(
            f"{name}（{where}）返回 HTTP {exc.code} {exc.reason}：请检查 Webhook 地址是否完整、有效"
        ) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            detail = "连接被拒绝"
        elif isinstance(reason, socket.gaierror):
            detail = "找不到该主机"
        elif isinstance(reason, TimeoutError | socket.timeout):
            detail = f"{settings.EMAIL_TIMEOUT} 秒内没有响应"
        else:
            detail = str(reason)
        raise SendError(f"无法连接{name}（{where}）：{detail}。请检查 Webhook 地址和服务器能否访问外网") from exc
    except TimeoutError as exc:
        raise SendError(f"{name}（{where}）{settings.EMAIL_TIMEOUT} 秒内没有响应") from exc
    try:
        answer = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SendError(f"{name}（{where}）的回应无法识别：{raw[:100]!r}") from exc
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode not in (0, "0"):
        raise SendError(
            f"{name}拒绝了这条消息（错误码 {errcode}：{answer.get('errmsg', '')}）：请检查 Webhook 地址"
            + ("、加签密钥和关键词设置" if robot.kind == DINGTALK else "是否有效")
        )
