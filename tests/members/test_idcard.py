"""ID-card numbers per GB 11643 (members.idcard), without a database."""

from datetime import date

from members import idcard
from members.idcard import gender_of

VALID = "11010519491231002X"  # the standard's own example


def test_a_valid_number_has_no_errors():
    assert idcard.id_number_errors(VALID) == []
    assert idcard.id_number_errors(VALID, date(1949, 12, 31)) == []
    assert idcard.birth_date_of(VALID) == date(1949, 12, 31)


def test_lower_case_x_and_spaces_are_accepted():
    assert idcard.id_number_errors(" 11010519491231002x ") == []
    assert idcard.normalise(" 11010519491231002x ") == VALID


def test_a_bad_check_character_says_what_it_should_be():
    assert idcard.id_number_errors("110105194912310021") == ["身份证号校验位错误：最后一位应为X，实为1"]


def test_an_impossible_birth_date_is_refused():
    first17 = "11010519800230123"  # 30 February
    number = first17 + idcard.check_char(first17)
    assert idcard.id_number_errors(number) == ["身份证号中的出生日期19800230不是有效日期"]


def test_a_birth_date_in_the_future_is_refused():
    number = idcard.make_id_number("110105", date(2999, 1, 1), 11)
    assert idcard.id_number_errors(number) == ["身份证号中的出生日期2999-01-01不合理"]


def test_the_birth_date_inside_must_match_the_birth_date_field():
    errors = idcard.id_number_errors(VALID, date(1950, 1, 1))
    assert errors == ["身份证号中的出生日期1949-12-31与出生日期1950-01-01不一致"]


def test_length_and_characters():
    assert idcard.id_number_errors("1101051949") == ["身份证号应为18位，当前为10位"]
    assert idcard.id_number_errors("") == ["身份证号应为18位，当前为0位"]
    assert idcard.id_number_errors("1101051949123100AX") == ["身份证号前17位应为数字，最后一位应为数字或X"]


def test_generated_numbers_are_valid_and_carry_gender():
    man = idcard.make_id_number("110101", date(1985, 3, 2), 11)
    woman = idcard.make_id_number("110101", date(1985, 3, 2), 12)
    assert idcard.id_number_errors(man, date(1985, 3, 2)) == []
    assert (gender_of(man), gender_of(woman)) == ("男", "女")


def test_mask_keeps_region_and_check_only():
    assert idcard.mask(VALID) == "1101***********02X"
    assert len(idcard.mask(VALID)) == 18
