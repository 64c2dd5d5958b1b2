from django.contrib.auth import get_user_model


def test_the_user_menu_writes_a_chinese_name_surname_first(client, db):
    user = get_user_model().objects.create_user("ouyang", password="x-pass-123", first_name="建国", last_name="欧阳")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "欧阳建国" in page
    assert "建国 欧阳" not in page


def test_the_user_menu_falls_back_to_the_username(client, db):
    user = get_user_model().objects.create_user("nameless", password="x-pass-123")
    client.force_login(user)
    assert "nameless" in client.get("/").content.decode()
