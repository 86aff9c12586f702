"""Demo awareness data: the four education articles (published with review) and a year of events.

Articles are written by ``manajer1`` and published by ``supervisor`` through the same services staff
use, so the demo shows the review rule at work (audited as those users, like the statistics snapshot);
events are written in bulk like the rest of the demo data. Run again, it changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from salingsapa.accounts.models import Organisation, User
from salingsapa.awareness import services
from salingsapa.awareness.models import Article, AwarenessEvent, Topic
from salingsapa.core.models import Region

AUTHOR, PUBLISHER = "manajer1", "supervisor"

ARTICLES: list[dict[str, str]] = [
    {
        "slug": "hak-korban-uu-tpks",
        "title_id": "Hak Anda sebagai korban kekerasan seksual (UU TPKS)",
        "summary_id": "UU Nomor 12 Tahun 2022 tentang Tindak Pidana Kekerasan Seksual melindungi korban. "
                      "Kenali bentuk kekerasan seksual dan hak-hak Anda.",
        "body_id": """<p>Undang-Undang Nomor 12 Tahun 2022 tentang Tindak Pidana Kekerasan Seksual (UU TPKS) mengakui
banyak bentuk kekerasan seksual, antara lain pelecehan seksual fisik dan nonfisik, pemaksaan perkawinan,
eksploitasi seksual, perkosaan, dan <strong>kekerasan seksual berbasis elektronik</strong>, misalnya merekam
atau menyebarkan foto dan video bermuatan seksual tanpa persetujuan.</p>
<h2>Hak-hak korban</h2>
<ul>
<li><strong>Hak atas penanganan</strong>: mendapat informasi tentang kasus Anda, pendampingan hukum,
layanan kesehatan, dan dukungan psikologis.</li>
<li><strong>Hak atas perlindungan</strong>: identitas Anda dirahasiakan, dan Anda dilindungi dari ancaman
atau balasan pelaku.</li>
<li><strong>Hak atas pemulihan</strong>, termasuk restitusi (ganti kerugian dari pelaku).</li>
<li>Hak agar konten seksual tentang Anda di internet dihapus.</li>
</ul>
<h2>Anda tidak sendiri</h2>
<p>Kekerasan seksual tidak pernah salah korban. UPTD PPA Kota Serang mendampingi korban tanpa biaya:
konseling, pendampingan ke layanan kesehatan dan kepolisian, serta bantuan hukum bersama mitra Rumah
Kolaborasi Saling Sapa.</p>""",
        "order": "1",
    },
    {
        "slug": "kenali-grooming-daring",
        "title_id": "Kenali grooming daring di media sosial",
        "summary_id": "Grooming adalah cara pelaku mendekati anak atau remaja lewat internet untuk "
                      "kekerasan seksual. Kenali tandanya dan apa yang bisa dilakukan.",
        "body_id": """<p>Banyak korban di Kota Serang bertemu pelaku lewat media sosial. Pelaku sering berpura-pura menjadi
teman, pacar, atau orang yang peduli, lalu pelan-pelan meminta hal yang membahayakan.</p>
<h2>Tanda-tanda grooming</h2>
<ul>
<li>Orang yang baru dikenal memberi perhatian berlebihan, hadiah, atau pulsa.</li>
<li>Meminta pindah ke obrolan pribadi dan merahasiakan hubungan dari orang tua.</li>
<li>Meminta foto atau video pribadi, lalu mengancam akan menyebarkannya.</li>
<li>Mengajak bertemu langsung tanpa sepengetahuan keluarga.</li>
</ul>
<h2>Yang bisa dilakukan</h2>
<ul>
<li>Jangan kirim foto atau video pribadi, dan jangan turuti ancaman.</li>
<li>Simpan bukti: tangkapan layar percakapan, nama akun, dan tautan profil.</li>
<li>Blokir dan laporkan akun itu di aplikasinya.</li>
<li>Ceritakan kepada orang dewasa yang dipercaya, lalu laporkan ke UPTD PPA atau SAPA 129.</li>
</ul>
<p>Anak yang menjadi sasaran grooming tidak bersalah. Orang tua: dengarkan tanpa memarahi.</p>""",
        "order": "2",
    },
    {
        "slug": "ke-mana-minta-tolong",
        "title_id": "Ke mana minta tolong",
        "summary_id": "Nomor darurat, SAPA 129, dan layanan di Kota Serang untuk perempuan dan anak "
                      "yang mengalami kekerasan.",
        "body_id": """<h2>Dalam bahaya sekarang</h2>
<p>Hubungi <strong>112</strong> (panggilan darurat, gratis).</p>
<h2>SAPA 129 (24 jam)</h2>
<p>Telepon <a href="tel:129">129</a> atau WhatsApp <a href="https://wa.me/628111129129">08111-129-129</a>.
Laporan diteruskan ke UPTD PPA di daerah Anda.</p>
<h2>Di Kota Serang</h2>
<ul>
<li><strong>UPTD PPA Kota Serang</strong> dan Rumah Kolaborasi Saling Sapa: pengaduan, konseling,
pendampingan, dan rujukan ke psikolog, bantuan hukum, layanan kesehatan, dan kepolisian.</li>
<li><strong>Lapor lewat situs ini</strong>, boleh tanpa nama. Anda mendapat nomor pengaduan dan kode
rahasia untuk memantau laporan.</li>
<li><strong>PATBM</strong> (perlindungan anak terpadu berbasis masyarakat) ada di setiap kelurahan.</li>
<li><strong>Konseling keliling</strong> datang ke sekolah, posyandu, dan kantor kelurahan.</li>
</ul>
<p>Puskesmas dan rumah sakit melayani pemeriksaan dan perawatan korban; datanglah secepatnya bila
mengalami kekerasan fisik atau seksual.</p>""",
        "order": "3",
    },
    {
        "slug": "setelah-melapor",
        "title_id": "Apa yang terjadi setelah Anda melapor",
        "summary_id": "Langkah-langkah setelah laporan diterima UPTD PPA, dari penelaahan sampai "
                      "pendampingan, dengan persetujuan Anda.",
        "body_id": """<ol>
<li><strong>Laporan diterima.</strong> Anda mendapat nomor pengaduan dan kode rahasia. Simpan kode itu:
hanya dengan kode itu Anda bisa memantau laporan di halaman Cek laporan.</li>
<li><strong>Penelaahan.</strong> Petugas membaca laporan dan menilai risikonya. Keadaan darurat ditangani
lebih dulu.</li>
<li><strong>Dihubungi dengan aman.</strong> Petugas menghubungi Anda hanya lewat cara dan waktu yang Anda
izinkan, atau membalas di halaman Cek laporan.</li>
<li><strong>Asesmen dan rencana layanan.</strong> Bersama Anda, petugas menyusun kebutuhan: konseling,
kesehatan, bantuan hukum, tempat aman.</li>
<li><strong>Rujukan dengan persetujuan.</strong> Data Anda hanya dibagikan kepada mitra yang membantu,
sebatas yang mereka perlukan, dan setelah Anda setuju.</li>
<li><strong>Proses hukum.</strong> Untuk kekerasan seksual, UU TPKS mengatur agar laporan korban
diteruskan ke kepolisian dalam 3 × 24 jam. Petugas menjelaskan langkah ini dan pilihan Anda lebih dulu.</li>
</ol>
<p>Identitas korban dirahasiakan. Anda boleh bertanya atau berhenti kapan saja.</p>""",
        "order": "4",
    },
]

EVENTS: list[tuple[str, str, list[str], str, int]] = [
    # (title, topic, audiences, venue, months ago)
    ("Aman bermedia sosial untuk pelajar SMP", Topic.ONLINE_GROOMING, ["students", "teachers"], "SMP Negeri", 1),
    ("Kenali grooming daring: kelas orang tua", Topic.ONLINE_GROOMING, ["parents"], "Aula kantor kelurahan", 2),
    ("Hak korban menurut UU TPKS bagi PATBM", Topic.TPKS_RIGHTS, ["patbm", "community_leaders"], "Balai warga", 3),
    ("Tubuhku milikku: pencegahan kekerasan seksual anak", Topic.CHILD_SEXUAL_ABUSE, ["students", "parents"],
     "SD Negeri", 4),
    ("Tekanan ekonomi dan kekerasan dalam rumah tangga", Topic.ECONOMIC_STRESS, ["parents", "cadres"], "Posyandu", 5),
    ("Peran tokoh agama mencegah kekerasan", Topic.CHILD_SEXUAL_ABUSE, ["religious_leaders"], "Masjid", 6),
    ("Cara melapor dan layanan UPTD PPA", Topic.HOW_TO_REPORT, ["officials", "patbm"], "Kantor kecamatan", 7),
    ("Stop perkawinan anak", Topic.CHILD_MARRIAGE, ["youth", "parents"], "Balai warga", 8),
    ("Perundungan di sekolah dan dunia maya", Topic.BULLYING, ["students", "teachers"], "SMA Negeri", 9),
    ("Grooming daring bagi guru BK", Topic.ONLINE_GROOMING, ["teachers"], "SMK Negeri", 10),
    ("Kader posyandu mengenali tanda kekerasan", Topic.ECONOMIC_STRESS, ["cadres"], "Posyandu", 11),
    ("UU TPKS untuk karang taruna", Topic.TPKS_RIGHTS, ["youth"], "Aula kantor kelurahan", 11),
]


def _publish_articles() -> int:
    author = User.objects.filter(username=AUTHOR).first()
    publisher = User.objects.filter(username=PUBLISHER).first()
    if author is None or publisher is None:
        return 0
    published = 0
    for spec in ARTICLES:
        if Article.objects.filter(slug=spec["slug"]).exists():
            continue
        article = services.article_create(actor=author, data={**spec, "order": int(spec["order"])})
        services.article_submit(actor=author, article=article)
        services.article_publish(actor=publisher, article=article)
        published += 1
    return published


def _seed_events(seed: int) -> int:
    """A year of events, written in bulk like the rest of the demo data (no audit entry per row)."""
    if AwarenessEvent.objects.exists():
        return 0
    author = User.objects.filter(username=AUTHOR).first()
    villages = list(Region.objects.filter(code__startswith="36.73.", level=Region.Level.VILLAGE).order_by("code"))
    if author is None or not villages:
        return 0
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not security
    partners = list(Organisation.objects.filter(active=True).exclude(kind=Organisation.Kind.MEDIA))
    today = timezone.localdate()
    events, chosen = [], []
    for title, topic, audiences, venue, months_ago in EVENTS:
        village = rng.choice(villages)
        held = today - dt.timedelta(days=30 * months_ago + rng.randint(0, 20))
        children = "students" in audiences or "youth" in audiences
        counts = {
            "female_child": rng.randint(15, 60) if children else 0,
            "male_child": rng.randint(10, 55) if children else 0,
            "female_adult": rng.randint(3, 30) if not children or "teachers" in audiences else rng.randint(1, 4),
            "male_adult": rng.randint(2, 20),
            "female_older": rng.randint(0, 6) if not children else 0,
            "male_older": rng.randint(0, 5) if "religious_leaders" in audiences else 0,
        }
        if services.attendance_problems(counts, sum(counts.values())):  # the same rule as the form
            raise ValueError(f"demo event {title!r} has impossible attendance")
        events.append(AwarenessEvent(title=title, topic=topic, audiences=audiences, held_on=held,
                                     venue=f"{venue} {village.name.title()}", kelurahan=village, created_by=author,
                                     participants_total=sum(counts.values()), **counts))
        chosen.append(rng.sample(partners, k=min(2, len(partners))))
    with transaction.atomic():
        AwarenessEvent.objects.bulk_create(events)
        saved = AwarenessEvent.objects.order_by("pk")
        links = [AwarenessEvent.partners.through(awarenessevent_id=event.pk, organisation_id=org.pk)
                 for event, orgs in zip(saved, chosen, strict=True) for org in orgs]
        AwarenessEvent.partners.through.objects.bulk_create(links)
    return len(events)


def seed_awareness(*, seed: int = 13) -> str:
    """Publish the four articles and record a year of events; a line for the command's output."""
    articles = _publish_articles()
    events = _seed_events(seed)
    return f"Edukasi: {articles} artikel terbit; sosialisasi: {events} kegiatan."
