"""allauth's sign-in pages in the site's look: its layout, an error summary, fields whose
errors are tied to them, and every text in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from cellclinic.accounts.services import staff_user_create

pytestmark = pytest.mark.django_db


def test_a_wrong_password_lands_on_an_error_summary() -> None:
    html = Client().post("/accounts/login/", {"login": "x", "password": "y"}).content.decode()
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert "are not correct" in html


def test_a_wrong_code_is_named_beside_its_field() -> None:
    staff_user_create(username="olga", role="nurse", password="a-long-password-1")
    client = Client()
    step = client.post("/accounts/login/", {"login": "olga", "password": "a-long-password-1"})
    html = client.post(step["Location"], {"code": "000000"}).content.decode()
    described = re.search(r'<input[^>]*name="code"[^>]*aria-describedby="([^"]+)"', html)
    assert described, html
    for ident in described.group(1).split():
        assert f'id="{ident}"' in html
    assert '<a href="#id_code">' in html


@pytest.mark.parametrize(
    ("language", "title", "password"),
    [
        ("es", "Acceso del personal", "Contraseña"),
        ("ru", "Вход для сотрудников", "Пароль"),
        ("zh-hans", "员工登录", "密码"),
        ("ar", "تسجيل دخول الموظفين", "كلمة المرور"),
    ],
)
def test_the_sign_in_page_is_in_the_readers_language(
    language: str, title: str, password: str
) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/login/").content.decode()
    assert f'<html lang="{language}"' in html
    assert title in html and password in html
