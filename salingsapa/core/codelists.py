"""Reference code lists with Indonesian labels and English translations.

Slugs of the official classifications (SIMFONI-PPA, UU TPKS) are lowercase slugs of their
Indonesian labels; our own enums are English snake_case (see shared/DESIGN.md, "Contracts").
Loaded into ``core.Code`` by a data migration and by ``salingsapa load-reference``.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import lazy
from django.utils.translation import get_language

Entry = tuple[str, str, str] | tuple[str, str, str, str]

CODE_LISTS: dict[str, list[Entry]] = {
    # SIMFONI-PPA bentuk kekerasan (several per victim)
    "violence_form": [
        ("fisik", "Fisik", "Physical"),
        ("psikis", "Psikis", "Psychological"),
        ("seksual", "Seksual", "Sexual"),
        ("eksploitasi", "Eksploitasi", "Exploitation"),
        ("trafficking", "Trafficking", "Trafficking"),
        ("penelantaran", "Penelantaran", "Neglect"),
        ("lainnya", "Lainnya", "Other"),
    ],
    # UU 12/2022 (TPKS) Pasal 4 ayat (1) and (2)
    "tpks_form": [
        ("pelecehan-seksual-nonfisik", "Pelecehan seksual nonfisik", "Non-physical sexual harassment", "4-1"),
        ("pelecehan-seksual-fisik", "Pelecehan seksual fisik", "Physical sexual harassment", "4-1"),
        ("pemaksaan-kontrasepsi", "Pemaksaan kontrasepsi", "Forced contraception", "4-1"),
        ("pemaksaan-sterilisasi", "Pemaksaan sterilisasi", "Forced sterilisation", "4-1"),
        ("pemaksaan-perkawinan", "Pemaksaan perkawinan", "Forced marriage", "4-1"),
        ("penyiksaan-seksual", "Penyiksaan seksual", "Sexual torture", "4-1"),
        ("eksploitasi-seksual", "Eksploitasi seksual", "Sexual exploitation", "4-1"),
        ("perbudakan-seksual", "Perbudakan seksual", "Sexual slavery", "4-1"),
        ("kekerasan-seksual-berbasis-elektronik", "Kekerasan seksual berbasis elektronik (KSBE)", "Technology-facilitated sexual violence", "4-1"),
        ("perkosaan", "Perkosaan", "Rape", "4-2"),
        ("perbuatan-cabul", "Perbuatan cabul", "Indecent assault", "4-2"),
        ("persetubuhan-terhadap-anak", "Persetubuhan, perbuatan cabul, dan/atau eksploitasi seksual terhadap anak", "Sexual intercourse, indecent acts or sexual exploitation of a child", "4-2"),
        ("melanggar-kesusilaan", "Perbuatan melanggar kesusilaan yang bertentangan dengan kehendak korban", "Indecent acts against the victim's will", "4-2"),
        ("pornografi-anak", "Pornografi yang melibatkan anak", "Child sexual abuse material", "4-2"),
        ("pemaksaan-pelacuran", "Pemaksaan pelacuran", "Forced prostitution", "4-2"),
        ("tppo-eksploitasi-seksual", "TPPO untuk eksploitasi seksual", "Trafficking for sexual exploitation", "4-2"),
        ("kekerasan-seksual-rumah-tangga", "Kekerasan seksual dalam lingkup rumah tangga", "Sexual violence within the household", "4-2"),
        ("lainnya", "Tindak pidana kekerasan seksual lainnya", "Other sexual-violence crime", "4-2"),
    ],
    "place": [
        ("rumah-tangga", "Rumah Tangga", "Household"),
        ("tempat-kerja", "Tempat Kerja", "Workplace"),
        ("sekolah", "Sekolah", "School"),
        ("fasilitas-umum", "Fasilitas Umum", "Public facility"),
        ("lembaga-pendidikan-kilat", "Lembaga Pendidikan Kilat", "Short-course institution"),
        ("daring", "Daring (online)", "Online"),
        ("lainnya", "Lainnya", "Other"),
    ],
    "relationship": [
        ("orang-tua", "Orang Tua", "Parent"),
        ("keluarga-saudara", "Keluarga/Saudara", "Family/relative"),
        ("suami-istri", "Suami/Istri", "Spouse"),
        ("pacar-teman", "Pacar/Teman", "Partner/friend"),
        ("guru", "Guru", "Teacher"),
        ("majikan", "Majikan", "Employer"),
        ("rekan-kerja", "Rekan Kerja", "Co-worker"),
        ("tetangga", "Tetangga", "Neighbour"),
        ("kenalan-daring", "Kenalan dari media sosial", "Acquaintance from social media"),
        ("lainnya", "Lainnya", "Other"),
        ("tidak-diketahui", "Tidak diketahui", "Unknown"),
    ],
    "age_group": [
        ("0-5", "0-5 tahun", "0-5 years"),
        ("6-12", "6-12 tahun", "6-12 years"),
        ("13-17", "13-17 tahun", "13-17 years"),
        ("18-24", "18-24 tahun", "18-24 years"),
        ("25-44", "25-44 tahun", "25-44 years"),
        ("45-59", "45-59 tahun", "45-59 years"),
        ("60+", "60 tahun ke atas", "60 years and over"),
    ],
    "education": [
        ("tidak-sekolah", "Tidak/Belum Pernah Sekolah", "No schooling"),
        ("tk-paud", "TK/PAUD", "Kindergarten/early childhood"),
        ("sd", "SD", "Primary school"),
        ("sltp", "SLTP", "Junior secondary"),
        ("slta", "SLTA", "Senior secondary"),
        ("perguruan-tinggi", "Perguruan Tinggi", "Higher education"),
    ],
    "occupation": [
        ("pelajar-mahasiswa", "Pelajar/Mahasiswa", "Student"),
        ("ibu-rumah-tangga", "Ibu Rumah Tangga", "Homemaker"),
        ("tidak-bekerja", "Tidak Bekerja", "Not working"),
        ("pegawai-swasta-buruh", "Pegawai Swasta/Buruh", "Private employee/labourer"),
        ("pns-tni-polri", "PNS/TNI/Polri", "Civil servant/military/police"),
        ("pedagang-petani-nelayan", "Pedagang/Petani/Nelayan", "Trader/farmer/fisher"),
        ("wiraswasta", "Wiraswasta", "Self-employed"),
        ("lainnya", "Lainnya", "Other"),
    ],
    "marital_status": [
        ("belum-kawin", "Belum Kawin", "Never married"),
        ("kawin", "Kawin", "Married"),
        ("cerai-hidup", "Cerai Hidup", "Divorced"),
        ("cerai-mati", "Cerai Mati", "Widowed"),
    ],
    "disability": [
        ("tidak", "Tidak ada disabilitas", "No disability"),
        ("fisik", "Disabilitas fisik", "Physical disability"),
        ("intelektual", "Disabilitas intelektual", "Intellectual disability"),
        ("mental", "Disabilitas mental", "Psychosocial disability"),
        ("sensorik", "Disabilitas sensorik", "Sensory disability"),
        ("ganda", "Disabilitas ganda", "Multiple disabilities"),
    ],
    "service": [
        ("pengaduan", "Pengaduan", "Complaint intake"),
        ("kesehatan", "Kesehatan", "Health"),
        ("bantuan-hukum", "Bantuan Hukum", "Legal aid"),
        ("penegakan-hukum", "Penegakan Hukum", "Law enforcement"),
        ("rehabilitasi-sosial", "Rehabilitasi Sosial", "Social rehabilitation"),
        ("reintegrasi-sosial", "Reintegrasi Sosial", "Social reintegration"),
        ("pemulangan", "Pemulangan", "Repatriation"),
        ("pendampingan-tokoh-agama", "Pendampingan Tokoh Agama", "Religious accompaniment"),
        ("psikologis", "Pendampingan Psikologis/Konseling", "Psychological support/counselling"),
        ("rumah-aman", "Rumah Aman/Penampungan Sementara", "Safe house/temporary shelter"),
        ("pemberdayaan-ekonomi", "Pemberdayaan Ekonomi", "Economic empowerment"),
        ("mediasi", "Mediasi", "Mediation"),
    ],
    "met_via": [
        ("media-sosial", "Media sosial / internet", "Social media / internet"),
        ("lingkungan-rumah", "Lingkungan rumah", "Home neighbourhood"),
        ("keluarga", "Dalam keluarga", "Within the family"),
        ("sekolah", "Sekolah", "School"),
        ("tempat-kerja", "Tempat kerja", "Workplace"),
        ("tempat-ibadah", "Tempat ibadah", "Place of worship"),
        ("tempat-umum", "Tempat umum", "Public place"),
        ("tidak-kenal", "Tidak saling kenal", "Did not know each other"),
        ("lainnya", "Lainnya", "Other"),
    ],
    "platform": [
        ("facebook", "Facebook", "Facebook", "media-sosial"),
        ("instagram", "Instagram", "Instagram", "media-sosial"),
        ("tiktok", "TikTok", "TikTok", "media-sosial"),
        ("whatsapp", "WhatsApp", "WhatsApp", "media-sosial"),
        ("telegram", "Telegram", "Telegram", "media-sosial"),
        ("x", "X (Twitter)", "X (Twitter)", "media-sosial"),
        ("michat", "MiChat", "MiChat", "media-sosial"),
        ("aplikasi-kencan", "Aplikasi kencan", "Dating app", "media-sosial"),
        ("game-online", "Game online", "Online game", "media-sosial"),
        ("lainnya", "Platform lain", "Other platform", "media-sosial"),
    ],
    "factor": [
        ("ekonomi", "Ekonomi", "Economic pressure"),
        ("pengaruh-media-sosial", "Pengaruh media sosial/pornografi", "Social media/pornography influence"),
        ("pola-asuh", "Pola asuh/keluarga tidak harmonis", "Parenting/family breakdown"),
        ("perselingkuhan", "Perselingkuhan", "Infidelity"),
        ("miras-narkoba", "Minuman keras/narkoba", "Alcohol/drugs"),
        ("budaya", "Budaya/norma sosial", "Culture/social norms"),
        ("cemburu", "Cemburu", "Jealousy"),
        ("lainnya", "Lainnya", "Other"),
    ],
    "reporter_role": [
        ("victim", "Korban sendiri", "The victim"),
        ("family", "Keluarga korban", "Family member"),
        ("witness", "Saksi/tetangga", "Witness/neighbour"),
        ("professional", "Guru/tenaga profesional", "Teacher/professional"),
        ("other", "Lainnya", "Other"),
    ],
    "channel": [
        ("web", "Situs web", "Website"),
        ("whatsapp", "WhatsApp", "WhatsApp"),
        ("phone", "Telepon", "Phone call"),
        ("walk_in", "Datang langsung", "Walk-in"),
        ("outreach", "Konseling keliling", "Mobile counselling"),
        ("sapa129", "Rujukan SAPA 129", "SAPA 129 referral"),
        ("partner", "Rujukan mitra", "Partner referral"),
        ("api", "Aplikasi mitra (API)", "Partner app (API)"),
    ],
    "sex": [
        ("female", "Perempuan", "Female"),
        ("male", "Laki-laki", "Male"),
        ("unknown", "Tidak diketahui", "Unknown"),
    ],
    "preferred_channel": [
        ("whatsapp", "Hanya WhatsApp", "WhatsApp only"),
        ("phone", "Telepon", "Phone call"),
        ("sms", "SMS", "SMS"),
        ("email", "Email", "Email"),
        ("none", "Jangan hubungi saya", "Do not contact me"),
    ],
    # Topics of a general consultation during a mobile-counselling visit (fieldwork; our own list)
    "counselling_topic": [
        ("pengasuhan-anak", "Pengasuhan anak", "Parenting"),
        ("hubungan-keluarga", "Hubungan keluarga dan perkawinan", "Family relations and marriage"),
        ("kesehatan-mental", "Kesehatan mental", "Mental health"),
        ("perundungan", "Perundungan", "Bullying"),
        ("keamanan-digital", "Keamanan digital dan media sosial", "Online safety and social media"),
        ("kesehatan-reproduksi", "Kesehatan reproduksi", "Reproductive health"),
        ("ekonomi-keluarga", "Ekonomi keluarga", "Family finances"),
        ("hak-hukum", "Hak dan layanan hukum", "Rights and legal services"),
        ("informasi-layanan", "Informasi layanan", "Information about services"),
        ("lainnya", "Lainnya", "Other"),
    ],
}

CHILD_AGE_GROUPS = frozenset({"0-5", "6-12", "13-17"})


def slugs(list_name: str) -> list[str]:
    return [entry[0] for entry in CODE_LISTS[list_name]]


def _index(lang: str | None) -> int:
    return 2 if (lang or get_language() or "id").startswith("en") else 1


def label(list_name: str, slug: str, lang: str | None = None) -> str:
    """The label of ``slug`` in ``lang``; without ``lang``, in the active language (the reader's)."""
    index = _index(lang)
    for entry in CODE_LISTS[list_name]:
        if entry[0] == slug:
            return entry[index]
    return slug


def choices(list_name: str, lang: str | None = None) -> list[tuple[str, Any]]:
    """``[(slug, label), ...]``. With ``lang`` the labels are plain strings in that language (for stored
    documents that stay Bahasa Indonesia); without it they are lazy and render in the language active
    when shown, so a form class built at import time still speaks the reader's language."""
    if lang is not None:
        index = _index(lang)
        return [(entry[0], entry[index]) for entry in CODE_LISTS[list_name]]
    return [(entry[0], _lazy_label(list_name, entry[0])) for entry in CODE_LISTS[list_name]]


_lazy_label = lazy(label, str)


def load_code_lists(code_model: Any) -> int:
    """Insert or update every entry; returns how many were written. Used by migrations and the command."""
    written = 0
    for list_name, entries in CODE_LISTS.items():
        for order, entry in enumerate(entries):
            parent = entry[3] if len(entry) > 3 else ""
            code_model.objects.update_or_create(
                list=list_name,
                slug=entry[0],
                defaults={"label_id": entry[1], "label_en": entry[2], "parent": parent, "order": order, "active": True},
            )
            written += 1
    return written
