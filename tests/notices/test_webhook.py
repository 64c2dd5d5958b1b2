"""Work-chat group robots (企业微信 / 钉钉) against a local HTTP server started by the test."""

import base64
import hashlib
import hmac
from datetime import date

import pytest

from assessment.services import checks
from notices import channels, services, tasks
from notices.models import Delivery, UnitWebhook
from tests.factories import make_member
from tests.notices.conftest import free_port

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 25)


def hook(org, robot_url, kind="wecom", secret="", unit=None):
    return services.webhook_set(unit=unit or org.branch, kind=kind, url=robot_url, secret=secret, by=org.committee_user)


def test_the_units_group_hears_the_days_reminders_in_one_wecom_text(org, robot, run_job):
    hook(org, robot.url)
    make_member(org.branch, name="钱预备", category="probationary", joined_on=date(2025, 12, 10), full_on=None)
    run_job(DAY)
    (message,) = robot.received
    assert message == {
        "msgtype": "text",
        "text": {
            "content": (
                "【星级支部】刑事审判庭党支部：\n"
                # The group has no robot of its own: its reminder goes to the branch's group.
                "1. 刑事审判庭党支部第一党小组 11月党小组会尚未召开，本月还剩 5 天\n"
                "2. 刑事审判庭党支部 11月主题党日尚未召开，本月还剩 5 天\n"
                "详情请登录星级支部：http://127.0.0.1:8000"
            )
        },
    }
    # A reminder naming a person (转正) stays out of the group chat.
    assert "钱预备" not in message["text"]["content"]
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.unit, delivery.mode) == ("sent", org.branch, "digest")
    assert "secret-key-123" not in delivery.address and "key=secr" in delivery.address
    # Again the same day: nothing more.
    run_job(DAY)
    assert len(robot.received) == 1


def test_a_new_problem_is_posted_at_once_and_a_group_with_its_own_robot_hears_its_own(
    org, robot, run_job, django_capture_on_commit_callbacks
):
    hook(org, robot.url)
    with django_capture_on_commit_callbacks(execute=True):
        checks.problem_create(
            branch=org.branch,
            year=2026,
            quarter=4,
            description="党课记录缺少讲稿",
            deadline=date(2026, 12, 31),
            by=None,
        )
        assert robot.received == []  # nothing leaves before the problem is committed
    (message,) = robot.received
    assert message["text"]["content"].startswith(
        "【星级支部】刑事审判庭党支部：\n刑事审判庭党支部 检查发现问题：“党课记录缺少讲稿”，整改期限2026-12-31"
    )
    assert Delivery.objects.get(channel="wecom").mode == "immediate"
    group_robot_url = robot.url.replace("secret-key-123", "group-key")
    hook(org, group_robot_url, unit=org.group)
    run_job(DAY)
    assert len(robot.received) == 3  # the branch's day and the group's day, separately
    contents = {q["key"][0]: m["text"]["content"] for q, m in zip(robot.queries, robot.received, strict=True)}
    assert "第一党小组 11月党小组会" in contents["group-key"] and "主题党日" not in contents["group-key"]


def test_dingtalk_takes_the_same_text_signed_with_its_secret(org, robot, run_job):
    hook(org, robot.url, kind="dingtalk", secret="SECabc123")
    run_job(DAY)
    (message,) = robot.received
    assert message["msgtype"] == "text" and "11月主题党日尚未召开" in message["text"]["content"]
    query = robot.queries[0]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECabc123", f"{timestamp}\nSECabc123".encode(), hashlib.sha256).digest())
    assert sign == expected.decode()
    assert query["key"] == ["secret-key-123"]  # the address's own query is kept
    assert Delivery.objects.get(channel="dingtalk").status == "sent"


def test_a_robot_that_refuses_says_why_and_is_retried(org, robot, run_job):
    hook(org, robot.url)
    robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    run_job(DAY)
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts) == ("failed", tasks.MAX_RETRIES + 1)
    assert delivery.error == (
        "企业微信群机器人拒绝了这条消息（错误码 93000：invalid webhook url）：请检查 Webhook 地址是否有效"
    )
    assert len(robot.received) == tasks.MAX_RETRIES + 1


def test_http_errors_and_an_unreachable_robot_are_explained(org, robot):
    robot.status = 404
    refused = r"企业微信群机器人（http://127\.0\.0\.1:\d+/cgi-bin/webhook/send\?key=secr…）返回 HTTP 404"
    with pytest.raises(channels.SendError, match=refused):
        channels.send_chat(channels.Robot("wecom", robot.url), "测试")
    nowhere = f"http://127.0.0.1:{free_port()}/robot/send?access_token=abcdef"
    with pytest.raises(channels.SendError, match="无法连接钉钉群机器人（.*access_token=abcd…）：连接被拒绝"):
        channels.send_chat(channels.Robot("dingtalk", nowhere), "测试")


def test_the_committee_sets_a_robot_only_with_an_address_that_can_work(org):
    with pytest.raises(Exception, match="Webhook 地址应以 https:// 开头"):
        services.webhook_set(unit=org.branch, kind="wecom", url="qyapi.weixin.qq.com/x", by=org.committee_user)
    with pytest.raises(Exception, match="群机器人设置在党总支、党支部或党小组上"):
        services.webhook_set(unit=org.committee, kind="wecom", url="https://qyapi.weixin.qq.com/x", by=None)
    saved = services.webhook_set(unit=org.branch, kind="wecom", url="https://qyapi.weixin.qq.com/x?key=1", by=None)
    assert UnitWebhook.objects.get().pk == saved.pk


def test_a_test_message_shows_in_the_sent_list(org, robot, django_capture_on_commit_callbacks):
    saved = hook(org, robot.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_test_chat(hook=saved, by=org.committee_user)
    assert "这是一条测试消息" in robot.received[0]["text"]["content"]
    assert Delivery.objects.get(mode="test").status == "sent"
