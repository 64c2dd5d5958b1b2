"""The workbook of new accounts: sheet 账号 with 支部编码, 姓名, 身份证号, 用户名, 初始密码."""

from core.spreadsheets import new_workbook, write_sheet

SHEET = "账号"
HEADERS = ["支部编码", "姓名", "身份证号", "用户名", "初始密码"]


def accounts_workbook(stream, accounts) -> int:
    """Write `accounts` (services.NewPassword) to `stream`, write-only and formula-safe."""
    wb = new_workbook()
    rows = (
        # The ID number tells two members of the same name apart; read through the model, which
        # keeps it readable however it is stored.
        [a.member.branch.code, a.member.name, a.member.id_number, a.username, a.password]
        for a in accounts
    )
    count = write_sheet(wb, SHEET, HEADERS, rows, widths=[14, 12, 22, 18, 18], print_title="初始账号与密码")
    wb.save(stream)
    return count
