"""ESCO URI and ISCO-08 code on vacancies and candidates; existing rows mapped from the old vocabulary

Matching follows the ISCO-08 hierarchy (placement/matching/scoring.py), so each vacancy and candidate
carries the ESCO occupation (URI, when one occupation is meant) and its ISCO-08 unit group (4 digits).
Rows written before this revision have only `occupation`, a code of the old 37-word vocabulary; they
are mapped with the table below (fixed here, so this migration gives the same result whatever the data
files say later). `occupation` stays: staff screens and imports still show it.

Revision ID: 0010
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"  # re-chained: main has 0007 → 0009 → 0008
branch_labels = None
depends_on = None

ESCO = "http://data.europa.eu/esco/occupation/"
# old vocabulary code → (ESCO URI or None for an ISCO group only, ISCO-08 unit group)
OLD_TO_ESCO = {
    "schilder": (None, "7131"),
    "lasser": (ESCO + "7aedaa07-3884-4c5b-88f9-80997b2aa54b", "7212"),
    "monteur": (None, "7233"),
    "elektricien": (ESCO + "4910419f-b4af-4f59-b544-9dbebc8a74f0", "7411"),
    "loodgieter": (ESCO + "ed3cf43d-c2c1-4c46-82fc-1375e27e0290", "7126"),
    "timmerman": (ESCO + "2a22ff9e-de3b-408d-b312-5034896cc4f4", "7115"),
    "metselaar": (ESCO + "05f321f8-055b-407d-bf19-e0ddabda56b7", "7112"),
    "stukadoor": (ESCO + "f4a22809-c00c-4dd0-8b09-c7251f8dcd1c", "7123"),
    "bouwvakker": (None, "9313"),
    "stratenmaker": (None, "7114"),
    "magazijnmedewerker": (ESCO + "bea705fe-06ac-4147-b8e0-6e8ac1208d8f", "9333"),
    "heftruckchauffeur": (ESCO + "eeac6251-1974-42f5-91ed-513c6c883755", "8344"),
    "chauffeur": (None, "8322"),
    "postsorteerder": (None, "4412"),
    "productiemedewerker": (ESCO + "245be6d1-fe9a-4ac8-9f81-122a687e4724", "9329"),
    "recyclingmedewerker": (ESCO + "4ed9ce62-75d4-4b05-80d4-e86528fecdcd", "9612"),
    "schoonmaker": (ESCO + "303a1e34-cb16-4054-b323-81e5eec17397", "9112"),
    "wasserij": (ESCO + "0da51178-e386-4534-ae71-15ba789ad756", "8157"),
    "beveiliger": (ESCO + "31808988-fc0a-4bc3-9e47-27216d6759f5", "5414"),
    "conciërge": (ESCO + "1822bfc2-e735-449f-ba00-ca71eb5c062b", "5153"),
    "hovenier": (ESCO + "e7970c7a-7769-4002-87d3-0a8ea94fdd6f", "6113"),
    "dierverzorger": (ESCO + "5a940ae0-3fa4-40f9-8ca4-17bf792da243", "5164"),
    "kok": (ESCO + "90f75f67-495d-49fa-ab57-2f320e251d7e", "5120"),
    "bediening": (None, "5131"),
    "verkoopmedewerker": (ESCO + "9ba74e8a-c40c-4228-9998-eb3c7a5c11df", "5223"),
    "vakkenvuller": (None, "9334"),
    "administratief medewerker": (ESCO + "044d78cc-f62f-4532-83a5-8e04f2889652", "3343"),
    "receptionist": (ESCO + "f7b04542-d8c7-42db-8475-e63b507cce82", "4226"),
    "klantenservice": (None, "4222"),
    "verzorgende": (None, "5321"),
    "huishoudelijke hulp": (None, "9111"),
    "kinderopvang": (None, "5311"),
    "automonteur": (None, "7231"),
    "ict": (None, "2512"),
    "bakker": (ESCO + "1aadb308-432a-4d01-b54b-b4f7f76dd419", "7512"),
    "slager": (ESCO + "37c7880e-cfee-4c41-a41b-061682fefde3", "7511"),
    "voedingsmedewerker": (ESCO + "245be6d1-fe9a-4ac8-9f81-122a687e4724", "9329"),
}


def upgrade() -> None:
    for table in ("vacancy", "candidate"):
        op.add_column(table, sa.Column("esco_uri", sa.String(length=120), nullable=True))
        op.add_column(table, sa.Column("isco_code", sa.String(length=4), nullable=True))
    op.create_index("ix_vacancy_status_isco", "vacancy", ["status", "isco_code", "gemeente_code"])
    op.create_index("ix_candidate_isco_gemeente", "candidate", ["isco_code", "gemeente_code"])
    for table in ("vacancy", "candidate"):
        t = sa.table(table, sa.column("occupation", sa.String), sa.column("esco_uri", sa.String),
                     sa.column("isco_code", sa.String))
        for code, (uri, isco) in OLD_TO_ESCO.items():
            op.execute(t.update().where(t.c.occupation == code).values(esco_uri=uri, isco_code=isco))


def downgrade() -> None:
    op.drop_index("ix_candidate_isco_gemeente", table_name="candidate")
    op.drop_index("ix_vacancy_status_isco", table_name="vacancy")
    for table in ("vacancy", "candidate"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("isco_code")
            batch.drop_column("esco_uri")
