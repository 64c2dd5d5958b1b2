"""Resident ID numbers per GB 11643-1999: 17 digits, then a check character (0-9 or X).

Digits 7-14 are the birth date (YYYYMMDD); the 17th is odd for men and even for women; the last is
the ISO 7064 MOD 11-2 check character of the first 17.
"""

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalise(number: str) -> str:
    return (number or "").strip().upper()


def birth_date_of(number: str) -> date | None:
    number = normalise(number)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> str:
    """'男' or '女', from the sequence digit (GB 11643)."""
    return "男" if int(normalise(number)[16]) % 2 else "女"


def id_number_errors(number: str, birth_date: date | None = None) -> list[str]:
    """Every reason `number` is not a valid ID number (for a person born on `birth_date`)."""
    number = normalise(number)
    if len(number) != 18:
        return [f"身份证号应为18位，当前为{len(number)}位"]
    # isascii: str.isdigit() also takes digits such as ² that int() refuses.
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return ["身份证号前17位应为数字，最后一位应为数字或X"]
    errors = []
    born = birth_date_of(number)
    if born is None:
        errors.append(f"身份证号中的出生日期{number[6:14]}不是有效日期")
    elif born > date.today() or born.year < 1900:
        errors.append(f"身份证号中的出生日期{born:%Y-%m-%d}不合理")
    expected = check_char(number[:17])
    if number[17] != expected:
        errors.append(f"身份证号校验位错误：最后一位应为{expected}，实为{number[17]}")
    if born is not None and birth_date is not None and born != birth_date:
        errors.append(f"身份证号中的出生日期{born:%Y-%m-%d}与出生日期{birth_date:%Y-%m-%d}不一致")
    return errors


def mask(number: str) -> str:
    """The number as everyone but the committee sees it: region and check kept, the rest hidden."""
    number = normalise(number)
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 7) + number[-3:]


def make_id_number(region: str, born: date, sequence: int) -> str:
    """A valid number for demo and test data: `region` 6 digits, `sequence` 0-999."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
