"""python manage.py rotate_encryption_key [--batch-size N] [--check]

Re-encrypts every encrypted value (ID-card numbers, in the roster and its audit history) under
FIELD_ENCRYPTION_KEY, reading values written with any key in FIELD_ENCRYPTION_KEYS_OLD. The procedure
is in docs/features/security.md.
"""

from django.core.management.base import BaseCommand, CommandError

from security import rotation
from security.crypto import keyring


class Command(BaseCommand):
    help = "用当前密钥（FIELD_ENCRYPTION_KEY）重新加密所有加密字段；旧密钥列在 FIELD_ENCRYPTION_KEYS_OLD 中。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="每批（一个事务）重新加密的行数，默认 1000")
        parser.add_argument(
            "--check", action="store_true", help="只统计仍由旧密钥加密的行数，不写入；有剩余时以非零状态退出"
        )

    def handle(self, *args, batch_size, check, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1")
        self.stdout.write(f"当前密钥编号：{keyring().current.kid}")
        if check:
            remaining = {column.label: rotation.stale_count(column) for column in rotation.encrypted_columns()}
            for label, count in remaining.items():
                self.stdout.write(f"  {label}：{count} 行尚未用当前密钥加密")
            if any(remaining.values()):
                raise CommandError("仍有数据由旧密钥加密，请运行 rotate_encryption_key（不带 --check）")
            done = "全部数据已由当前密钥加密，可以从 FIELD_ENCRYPTION_KEYS_OLD 中删除旧密钥。"
            self.stdout.write(self.style.SUCCESS(done))
            return

        def progress(column, done, total):
            self.stdout.write(f"  {column.label}：{done}/{total}")

        try:
            done = rotation.rotate(batch_size=batch_size, progress=progress)
        except rotation.RotationError as exc:
            raise CommandError(
                f"重新加密中止：{exc}。此前各批已提交，本批未作任何修改；"
                "请把写入该数据的旧密钥加入 FIELD_ENCRYPTION_KEYS_OLD 后重新运行。"
            ) from exc
        for label, count in done.items():
            self.stdout.write(f"  {label}：重新加密 {count} 行")
        self.stdout.write(self.style.SUCCESS("完成：全部数据已由当前密钥加密。"))
