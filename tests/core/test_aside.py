"""core.aside: a read on a second connection, in a thread, while the caller works on its own."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from branches.models import OrgUnit
from core import aside

pytestmark = pytest.mark.django_db(transaction=True)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_read_runs_on_a_connection_of_its_own_with_the_jobs_settings_and_closes_it():
    seen: dict = {}

    def read():
        db = connections["default"]
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting('work_mem'), current_setting('jit')")
            seen["pid"], seen["work_mem"], seen["jit"] = cursor.fetchone()
        seen["db"], seen["thread"] = db, threading.current_thread()
        return 42

    mine = _backend_pid()
    with aside.read_aside(read) as pending:
        assert pending.result() == 42
    assert seen["thread"] is not threading.current_thread() and not seen["thread"].is_alive()
    assert seen["pid"] != mine
    assert (seen["work_mem"], seen["jit"]) == ("64MB", "off")  # core.bulk.JOB_SETTINGS
    assert seen["db"] is not connection and seen["db"].connection is None  # closed as the thread ended
    deadline = time.monotonic() + 5  # the server ends the backend a moment after the client goes
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [seen["pid"]])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.05)
    else:
        pytest.fail("the aside connection's backend is still there")
    assert _backend_pid() == mine  # the caller's connection is untouched


def test_the_thread_s_error_is_raised_by_result():
    def read():
        raise ValueError("boom")

    with aside.read_aside(read) as pending, pytest.raises(ValueError, match="boom"):
        pending.result()


def test_a_database_error_aside_is_read_again_on_the_caller_s_connection(caplog):
    """No second connection to be had (the server's max_connections reached, say): the job reads as it
    would have without the aside, instead of failing."""
    caller = threading.current_thread()
    readers = []

    def read():
        readers.append(threading.current_thread())
        if threading.current_thread() is not caller:
            raise OperationalError("FATAL: sorry, too many clients already")
        return _backend_pid()

    with aside.read_aside(read) as pending:
        assert pending.result() == _backend_pid()  # answered on the caller's own connection
    assert readers[0] is not caller and readers[1:] == [caller]
    assert "too many clients" in caplog.text


def test_leaving_the_block_waits_for_the_thread_even_when_the_caller_fails():
    release, done = threading.Event(), []

    def read():
        release.wait(5)
        done.append("read")

    with pytest.raises(RuntimeError), aside.read_aside(read):
        threading.Timer(0.2, release.set).start()
        raise RuntimeError("the caller's own error")
    assert done == ["read"]  # no thread outlives the block


def test_a_read_aside_sees_committed_rows_only_so_it_is_used_outside_a_transaction(org, monkeypatch):
    assert aside.can_read_aside()
    with transaction.atomic():
        assert not aside.can_read_aside()
        OrgUnit.objects.filter(pk=org.branch.pk).update(name="改名未提交")
        with aside.read_aside(lambda: OrgUnit.objects.get(pk=org.branch.pk).name) as pending:
            assert pending.result() == org.branch.name  # not the caller's uncommitted name
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the embedded default: one writer, no gain
    assert not aside.can_read_aside()
