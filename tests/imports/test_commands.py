"""imports.commands.ImportCommand: what every `manage.py import_…` prints, with a stand-in import."""

from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


@dataclass
class Result:
    errors: list[str] = field(default_factory=list)
    summary: str = "已导入3条"

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class WarnedResult(Result):
    warnings: list[str] = field(default_factory=list)


class Printed:
    out = err = ""


def run(result, tmp_path, *argv):
    """Run a command whose import returns `result`; what it read and was asked, and what it printed (Printed)."""
    from imports.commands import ImportCommand

    seen = {}

    class Command(ImportCommand):
        def import_file(self, handle, *, check_only, **options):
            seen.update(content=handle.read(), check_only=check_only)
            return result

    path = tmp_path / "book.xlsx"
    path.write_bytes(b"workbook")
    out, err = StringIO(), StringIO()
    try:
        call_command(Command(), str(path), *argv, stdout=out, stderr=err)
    finally:
        Printed.out, Printed.err = out.getvalue(), err.getvalue()
    return seen


def test_a_good_file_prints_the_summary_and_its_warnings(tmp_path):
    seen = run(WarnedResult(warnings=["第3行：出生日期晚于入党日期"]), tmp_path, "--check")
    assert seen == {"content": b"workbook", "check_only": True}
    assert "已导入3条" in Printed.out and "第3行：出生日期晚于入党日期" in Printed.err


def test_a_result_without_warnings_is_fine(tmp_path):
    assert run(Result(), tmp_path)["check_only"] is False
    assert "已导入3条" in Printed.out and Printed.err == ""


def test_a_refused_file_lists_every_error_and_fails(tmp_path):
    with pytest.raises(CommandError, match="导入失败：共2处错误，未写入任何数据"):
        run(Result(errors=["第2行：姓名不能为空", "第5行：类别无效"]), tmp_path)
    assert "第2行：姓名不能为空" in Printed.err and "第5行：类别无效" in Printed.err and "已导入" not in Printed.out


def test_a_file_that_cannot_be_opened_is_named(tmp_path):
    from imports.commands import ImportCommand

    with pytest.raises(CommandError, match="无法打开文件.*missing.xlsx"):
        call_command(ImportCommand(), str(tmp_path / "missing.xlsx"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_import_dues_names_an_unknown_user_before_reading_the_file(tmp_path):
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("import_dues", str(tmp_path / "missing.xlsx"), "--by", "nobody")
