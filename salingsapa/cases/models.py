"""Cases (kasus), the people in them and the incidents they record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salingsapa.accounts.models import User
from salingsapa.cases import alert_text
from salingsapa.core.fields import EncryptedJSONField, EncryptedTextField
from salingsapa.core.models import SealedIdentifier
from salingsapa.intake.models import RiskLevel


class CaseStatus(models.TextChoices):
    NEW = "new", _("Baru")
    ASSESSMENT = "assessment", _("Asesmen")
    PLANNING = "planning", _("Rencana intervensi")
    IN_SERVICE = "in_service", _("Layanan")
    MONITORING = "monitoring", _("Pemantauan")
    CLOSED = "closed", _("Terminasi")


class Case(models.Model):
    number = models.CharField(_("nomor kasus"), max_length=24, unique=True)  # e.g. SRG-2025-0064
    year = models.PositiveSmallIntegerField(_("tahun"))
    sequence = models.PositiveIntegerField(_("urutan"))
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit penanggung jawab")
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="managed_cases",
        verbose_name=_("manajer kasus"),
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW, db_index=True)
    risk_level = models.CharField(_("tingkat risiko"), max_length=10, choices=RiskLevel.choices, blank=True, db_index=True)
    is_emergency = models.BooleanField(_("darurat"), default=False)
    # The date a case is counted by in statistics: when it was first reported (see docs/statistics.md).
    reported_at = models.DateTimeField(_("tanggal dilaporkan"), db_index=True)
    opened_at = models.DateTimeField(_("tanggal dibuka"))
    closed_at = models.DateTimeField(_("tanggal terminasi"), null=True, blank=True)
    closure_reason = EncryptedTextField(_("alasan terminasi"), blank=True, default="")
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    channel = models.CharField(_("saluran pertama"), max_length=20, blank=True)
    summary = EncryptedTextField(_("ringkasan"), blank=True, default="")
    version = models.PositiveIntegerField(default=1)  # optimistic locking
    # UU TPKS Pasal 41: the victim's consent to pass the report to the police, and when it was passed.
    police_report_consent = models.BooleanField(_("korban setuju dilaporkan ke kepolisian"), null=True, blank=True)
    police_reported_at = models.DateTimeField(_("dilaporkan ke kepolisian"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at"]
        constraints = [models.UniqueConstraint(fields=["year", "sequence"], name="case_unique_sequence_per_year")]
        indexes = [
            models.Index(fields=["status", "risk_level"], name="case_status_risk_idx"),
            # the case list (one office, newest first) and "my cases" read these in order (issue 14)
            models.Index(fields=["organisation", "-reported_at", "-id"], name="case_org_reported_idx"),
            models.Index(fields=["case_manager", "-reported_at", "-id"], name="case_manager_reported_idx"),
        ]
        verbose_name = verbose_name_plural = _("kasus")

    def __str__(self) -> str:
        return self.number


class CaseCounter(models.Model):
    """Last case sequence used per year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Person(models.Model):
    """A person who can appear in several cases (as victim, perpetrator or reporter)."""

    full_name = EncryptedTextField(_("nama lengkap"), blank=True, default="")
    alias = EncryptedTextField(_("nama panggilan"), blank=True, default="")
    nik = EncryptedTextField(_("NIK"), blank=True, default="")
    nik_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("telepon"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    address = EncryptedTextField(_("alamat"), blank=True, default="")
    birth_date = EncryptedTextField(_("tanggal lahir"), blank=True, default="")
    sex = models.CharField(_("jenis kelamin"), max_length=10, default="unknown")
    education = models.CharField(_("pendidikan"), max_length=30, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=30, blank=True)
    marital_status = models.CharField(_("status perkawinan"), max_length=20, blank=True)
    disability = models.CharField(_("disabilitas"), max_length=20, blank=True)
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = verbose_name_plural = _("orang")

    def __str__(self) -> str:
        return f"Person #{self.pk}"

    def identifiers_beyond_fields(self) -> list[PersonIdentifier]:
        """The person's identifiers less those that repeat the phone or NIK field, so a page shows each once.

        A perpetrator's phone from a report is kept twice on purpose — as the person's phone and as an
        identifier row, which the repeat-perpetrator links read — but it is one number. Uses the
        prefetched ``identifiers`` when there are any."""
        own = {index for index in (self.phone_index, self.nik_index) if index}
        return [i for i in self.identifiers.all() if i.value_index not in own]


class PersonIdentifier(SealedIdentifier):
    """Further identifiers of a person (social-media accounts, extra phones), for repeat-perpetrator links."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")

    def __str__(self) -> str:
        return f"PersonIdentifier #{self.pk} ({self.kind})"


class CasePerson(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim", _("Korban")
        PERPETRATOR = "perpetrator", _("Pelaku")
        REPORTER = "reporter", _("Pelapor")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_links")
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, db_index=True)
    age_group = models.CharField(_("kelompok umur saat kejadian"), max_length=10, blank=True)
    is_child = models.BooleanField(_("anak"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person", "role"], name="case_person_role_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.role}/{self.person_id}"


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    place = models.CharField(_("tempat kejadian"), max_length=40, blank=True)
    kelurahan = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kelurahan")
    )
    violence_forms = models.ManyToManyField(
        "core.Code", related_name="+", limit_choices_to={"list": "violence_form"}, verbose_name=_("bentuk kekerasan")
    )
    tpks_forms = models.ManyToManyField(
        "core.Code", related_name="+", blank=True, limit_choices_to={"list": "tpks_form"}, verbose_name=_("bentuk TPKS")
    )
    factors = models.ManyToManyField(
        "core.Code", related_name="+", blank=True, limit_choices_to={"list": "factor"}, verbose_name=_("faktor pendorong")
    )
    relationship = models.CharField(_("hubungan pelaku dengan korban"), max_length=40, blank=True)
    met_via = models.CharField(_("cara korban dan pelaku kenal"), max_length=40, blank=True)
    met_via_platform = models.CharField(_("platform media sosial"), max_length=40, blank=True)
    description = EncryptedTextField(_("uraian kejadian"), blank=True, default="")

    class Meta:
        verbose_name = verbose_name_plural = _("kejadian")

    def __str__(self) -> str:
        return f"Incident #{self.pk} of case {self.case_id}"


# --- case work: timeline, notes, tasks, documents, assessment, plan, closure, deadlines ------------------

class CaseEvent(models.Model):
    """One line of a case's timeline: what happened (``kind``) and its parameters (``params``: codes, references,
    numbers, a date, a staff member's name — no case content), rendered in the reader's language by
    ``cases/timeline.py``. A reason, if any, is sealed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Kasus dibuka")
        REPORT_ATTACHED = "report_attached", _("Pengaduan digabungkan")
        STATUS = "status", _("Status diubah")
        ASSIGNED = "assigned", _("Manajer kasus ditetapkan")
        RISK = "risk", _("Asesmen risiko")
        NOTE = "note", _("Catatan")
        TASK = "task", _("Tugas")
        DOCUMENT = "document", _("Dokumen")
        PLAN = "plan", _("Rencana intervensi")
        CLOSURE = "closure", _("Terminasi")
        REOPENED = "reopened", _("Kasus dibuka kembali")
        DEADLINE = "deadline", _("Tenggat")
        CONSENT = "consent", _("Persetujuan korban")
        EDITED = "edited", _("Data kasus diubah")
        LEGACY = "legacy", _("Catatan lama")  # prose of an old entry the migration could not read, shown as it was

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("waktu"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    reason = EncryptedTextField(_("alasan"), blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("peristiwa kasus")
        verbose_name_plural = _("linimasa kasus")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class NoteKind(models.TextChoices):
    COUNSELLING = "counselling", _("Sesi konseling")
    HOME_VISIT = "home_visit", _("Kunjungan rumah")
    LEGAL = "legal", _("Pendampingan hukum")
    MEDICAL = "medical", _("Medis / visum")
    POLICE_REPORT = "police_report", _("Laporan ke kepolisian")
    COURT = "court", _("Persidangan")
    MEDIATION = "mediation", _("Mediasi")
    SHELTER = "shelter", _("Rumah aman / penampungan")
    CONTACT = "contact", _("Kontak dengan korban/pelapor")
    OTHER = "other", _("Catatan lain")


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("jenis catatan"), max_length=20, choices=NoteKind.choices)
    occurred_on = models.DateField(_("tanggal kegiatan"))
    body = EncryptedTextField(_("isi catatan"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = verbose_name_plural = _("catatan kasus")

    def __str__(self) -> str:
        return f"Note #{self.pk} ({self.kind})"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        DONE = "done", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("tugas"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_tasks", verbose_name=_("penanggung jawab")
    )
    due_at = models.DateTimeField(_("batas waktu"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat"))
    done_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        ordering = ["status", "due_at"]
        verbose_name = verbose_name_plural = _("tugas")

    def __str__(self) -> str:
        return f"Task #{self.pk} ({self.status})"


class CaseDocument(models.Model):
    """A document of the case, sealed on disk with ``core.files``; only the storage name is kept here."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    storage_name = models.CharField(max_length=80)
    original_name = EncryptedTextField(_("nama berkas"), blank=True, default="")
    description = EncryptedTextField(_("keterangan"), blank=True, default="")
    content_type = models.CharField(_("jenis berkas"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah"))

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = verbose_name_plural = _("dokumen kasus")

    def __str__(self) -> str:
        return f"Document #{self.pk}"


class RiskAssessment(models.Model):
    """A structured risk checklist (see ``cases/risk.py``); the answers are sensitive and sealed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("waktu asesmen"))
    answers = EncryptedJSONField(_("jawaban"))
    score = models.PositiveSmallIntegerField(_("skor"))
    red_flags = models.PositiveSmallIntegerField(_("tanda bahaya"), default=0)
    computed_level = models.CharField(_("tingkat hasil hitungan"), max_length=10, choices=RiskLevel.choices)
    override_level = models.CharField(_("penilaian profesional"), max_length=10, choices=RiskLevel.choices, blank=True)
    override_reason = EncryptedTextField(_("alasan penilaian profesional"), blank=True, default="")
    final_level = models.CharField(_("tingkat risiko"), max_length=10, choices=RiskLevel.choices)
    # The case's level before this assessment (from triage or the previous assessment): a final level
    # below it was a professional judgement with a reason, never a silent replacement.
    previous_level = models.CharField(_("tingkat sebelumnya"), max_length=10, choices=RiskLevel.choices, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = verbose_name_plural = _("asesmen risiko")

    def __str__(self) -> str:
        return f"Risk assessment #{self.pk}: {self.final_level}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")


class ApprovalRequest(models.Model):
    """What every request waiting for a supervisor's decision shares (service plans, closures).

    ``cases.services.approval_decide`` is the one place a decision is taken: another supervisor of
    the same office (never the requester), a reason when refusing, decided exactly once.
    """

    Status = ApprovalStatus
    REQUESTER_FIELD = ""  # the foreign key naming who asked (``submitted_by`` / ``requested_by``)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    # Sealed since the start under the base's name, for plans and closures alike: kept so stored notes decrypt.
    decision_note = EncryptedTextField(
        _("catatan keputusan"), blank=True, default="", purpose="cases.approvalrequest.decision_note"
    )

    class Meta:
        abstract = True

    @property
    def requester_id(self) -> int:
        return int(getattr(self, f"{self.REQUESTER_FIELD}_id"))

    @property
    def requester(self) -> User:
        user: User = getattr(self, self.REQUESTER_FIELD)
        return user


class ServicePlan(ApprovalRequest):
    REQUESTER_FIELD = "submitted_by"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    goals = EncryptedTextField(_("tujuan dan langkah intervensi"))
    services = models.JSONField(_("layanan"), default=list)  # slugs of the "service" code list
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices, db_index=True)
    needs_approval = models.BooleanField(_("perlu persetujuan supervisor"), default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("diajukan"))

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = verbose_name_plural = _("rencana intervensi")

    def __str__(self) -> str:
        return f"Service plan #{self.pk} ({self.status})"


class ClosureRequest(ApprovalRequest):
    REQUESTER_FIELD = "requested_by"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    reason = EncryptedTextField(_("alasan terminasi"))
    status = models.CharField(_("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING,
                              db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("diajukan"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = verbose_name_plural = _("permohonan terminasi")

    def __str__(self) -> str:
        return f"Closure request #{self.pk} ({self.status})"


class Deadline(models.Model):
    """An SLA clock: first contact after a report (by risk level) or the UU TPKS Pasal 41 police clock."""

    class Kind(models.TextChoices):
        FIRST_CONTACT = "first_contact", _("Kontak pertama")
        TPKS_POLICE = "tpks_police", _("Laporan ke kepolisian (UU TPKS Pasal 41)")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    report = models.ForeignKey(
        "intake.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    risk_level = models.CharField(_("tingkat risiko"), max_length=10, blank=True)
    starts_at = models.DateTimeField(_("mulai"))
    due_at = models.DateTimeField(_("batas waktu"), db_index=True)
    met_at = models.DateTimeField(_("terpenuhi"), null=True, blank=True, db_index=True)
    met_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(_("dieskalasi"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"], condition=models.Q(report__isnull=False), name="deadline_one_per_report_kind"
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(case__isnull=False, kind="tpks_police"),
                name="deadline_one_tpks_per_case",
            ),
        ]
        # the dashboard's deadline figures count the clocks started in a period (stats/service_stats.py)
        # and, where the rollups hold the met ones, only the clocks still open (stats/rollup.py): a small index
        indexes = [models.Index(fields=["starts_at"], name="deadline_starts_idx"),
                   models.Index(fields=["starts_at"], name="deadline_open_starts_idx",
                                condition=models.Q(met_at__isnull=True))]
        verbose_name = verbose_name_plural = _("tenggat")

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None


class Alert(models.Model):
    """A notice shown to one staff member in the staff app (escalations, approvals waiting).

    ``message`` holds no personal data (case numbers and kinds only).
    """

    class Kind(models.TextChoices):
        ESCALATION = "escalation", _("Eskalasi tenggat")
        APPROVAL = "approval", _("Menunggu persetujuan")
        DECISION = "decision", _("Keputusan supervisor")
        ASSIGNED = "assigned", _("Penugasan")
        PERPETRATOR_LINK = "perpetrator_link", _("Pelaku berulang")
        REFERRAL = "referral", _("Rujukan")
        CONFERENCE = "conference", _("Rapat koordinasi")
        SECURITY = "security", _("Keamanan akun")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_alerts")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("pesan"), max_length=300)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey("intake.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    # The page the alert points to when it is not the case or report page (e.g. a partner's referral);
    # a path with record ids only, never personal data.
    link = models.CharField(_("tautan"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("dibuat"), db_index=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at", "-id"], name="alert_recipient_idx")]  # issue 14
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "recipient"], condition=models.Q(deadline__isnull=False), name="alert_once_per_deadline"
            )
        ]
        verbose_name = verbose_name_plural = _("peringatan")

    def __str__(self) -> str:
        return f"Alert #{self.pk} ({self.kind})"

    @property
    def text(self) -> str:
        """The message in the reader's language (stored in Bahasa Indonesia; see ``cases.alert_text``)."""
        return alert_text.render(self.message)
