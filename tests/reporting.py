"""Helpers for the public-reporting tests: walking the step-by-step form with the test client."""

from __future__ import annotations

import re

STEP_DATA = {
    "pelapor": {"reporter_role": "family"},
    "bahaya": {"in_danger_now": "no"},
    "kejadian": {"narrative": "Tetangga memukul anak kami di depan rumah.", "violence_forms": ["fisik", "psikis"]},
    "korban": {"victim_sex": "female", "victim_age_group": "25-44", "victim_is_child": "no"},
    "lokasi": {"kelurahan_code": "36.73.01.1002", "place": "rumah-tangga"},
    "waktu": {"incident_date": "2025-10-01"},
    "pelaku": {"relationship": "tetangga", "met_via": "lingkungan-rumah", "met_via_platform": "",
               "ident_kind_1": "phone", "ident_value_1": "0812 1111 2222", "ident_kind_2": "instagram",
               "ident_value_2": ""},
    "kontak": {"contact_name": "", "contact_phone": "", "preferred_channel": "none", "safe_time": ""},
}


def fill_steps(client, overrides: dict | None = None) -> None:
    overrides = overrides or {}
    for step, data in STEP_DATA.items():
        payload = {**data, **overrides.get(step, {})}
        response = client.post(f"/lapor/{step}/", payload)
        assert response.status_code == 303, (step, response.content.decode()[:2000])


def summary_token(client) -> str:
    page = client.get("/lapor/ringkasan/").content.decode()
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def submit(client) -> tuple[str, str]:
    token = summary_token(client)
    response = client.post("/lapor/ringkasan/", {"token": token, "website": ""})
    assert response.status_code == 303, response.content.decode()[:2000]
    return receipt(client)


def receipt(client) -> tuple[str, str]:
    page = client.get("/lapor/selesai/").content.decode()
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    codename = re.search(r'id="codename">([^<]+)<', page).group(1)
    return reference, codename
