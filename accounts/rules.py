"""The rules of accounts as plain functions: usernames from names, one-time passwords.

Username rule (docs/features/accounts.md): the member's name in pinyin, lower case, without tones
or spaces (张伟 → zhangwei; ü is written v: 吕 → lv); letters and digits in the name are kept as
they are, anything else dropped. A name that yields nothing becomes `dangyuan`. When the name is
taken, the next free number is appended: zhangwei2, zhangwei3, … Pinyin because members read and
type it easily on any keyboard and it says whose account it is; numbers because courts have many
张伟.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable

MAX_USERNAME = 30
FALLBACK_USERNAME = "dangyuan"
# No 0/O, 1/l/I: the passwords are read off paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 12  # about 70 bits of chance: see accounts/hashers.py


def username_base(name: str) -> str:
    """The username before any number: 张伟 → zhangwei, 欧阳修 → ouyangxiu, 阿依古丽·买买提 → ayigulimaimaiti."""
    # Imported here, not at the top: pypinyin's dictionaries take about 55 MB, and this module is
    # imported by the URL configuration, so every web process and worker would carry them.
    from pypinyin import Style, lazy_pinyin

    name = unicodedata.normalize("NFKC", name or "")
    syllables = lazy_pinyin(name, style=Style.NORMAL, v_to_u=False, errors="default")
    joined = "".join(syllables).lower()
    base = re.sub(r"[^a-z0-9]", "", joined)[:MAX_USERNAME]
    return base or FALLBACK_USERNAME


def unique_username(base: str, is_taken: Callable[[str], bool]) -> str:
    """`base` if free, else base2, base3, … (the first free one)."""
    if not is_taken(base):
        return base
    n = 2
    while True:
        suffix = str(n)
        candidate = base[: MAX_USERNAME - len(suffix)] + suffix
        if not is_taken(candidate):
            return candidate
        n += 1


def one_time_password() -> str:
    """A random initial password, printed for the member, good until their first login."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        # Letters and digits both, so nobody reads it as a word or a number.
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password
