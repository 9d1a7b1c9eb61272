"""A small generated corpus for the TUI tests: five documents, four countries, one PDF with pages."""

import csv
import textwrap
from pathlib import Path

COLUMNS = ("path", "title", "countries", "regions", "doc_type", "year", "lang", "topics")
CATALOG = [
    (
        "kenya_pension.md",
        "Kenya: a universal pension at seventy",
        "KEN",
        "Africa",
        "country_study",
        "2019",
        "en",
        "old_age;policy_design",
    ),
    (
        "nepal_child_grant.pdf",
        "Nepal: the child grant and birth registration",
        "NPL",
        "Asia and the Pacific",
        "report",
        "2016",
        "en",
        "family_child;implementation",
    ),
    (
        "uruguay_monotax.txt",
        "Uruguay: the monotax for small independent workers",
        "URY",
        "Americas",
        "country_study",
        "2012",
        "en",
        "policy_design;financing_actuarial_statistics",
    ),
    (
        "senegal_sante.md",
        "Sénégal : la couverture maladie universelle",
        "SEN",
        "Africa",
        "country_study",
        "2021",
        "fr",
        "medical_care",
    ),
    (
        "floor_leaflet.md",
        "What is a social protection floor?",
        "",
        "",
        "promotional",
        "2023",
        "en",
        "awareness_raising",
    ),
]

KENYA = """\
# Kenya: a universal pension at seventy

## Background

Before 2018 the Older Persons Cash Transfer in Kenya reached only poor households chosen through
community targeting. Many older people in rural counties were left out because targeting errors were
high and the budget covered a small share of those in need. Households complained that the selection
was unclear.

## The reform

In June 2018 the government made the pension universal for every citizen aged seventy and over.
Older people who never contributed to any social insurance scheme now receive a monthly cash
benefit. The pension is financed from general tax revenue approved each year by Parliament.

## Payments and registration

Beneficiaries are paid through bank accounts and payment agents chosen by the beneficiary.
Registration drives at county offices enrolled hundreds of thousands of people in the first year.
Identity cards were used to check the age criterion, and people without cards were helped to obtain
one.

## Monitoring

A management information system records every payment and every complaint. Field officers visit
beneficiaries who have not collected their benefit for three months. Annual reviews report coverage
by county so that gaps can be closed.

## Lessons

The reform showed that a universal design can lower administrative costs and reduce exclusion
errors. Political commitment and a clear age criterion made the tax-financed pension easy to explain
to voters and to older people themselves.
"""

NEPAL_PAGES = [
    """\
    Nepal: the child grant and birth registration

    Nepal introduced a child grant in 2009 for children under five in the Karnali zone and for poor
    Dalit families across the country. The grant is a small monthly cash benefit paid to the mother or
    carer.

    The grant is financed from the government budget and paid through local government offices. Parents
    must register the birth of the child before the first payment, which raised birth registration
    rates.

    Community mobilisers visit new mothers to explain the grant and help them fill in the forms. Health
    posts share the list of births with the ward office so that no child is missed.

    In the first years many eligible families did not know about the grant, and coverage in remote
    mountain districts stayed low until local radio and health workers spread the word.
    """,
    """\
    Expansion of the grant

    Between 2016 and 2020 the grant was extended district by district to more parts of the country.
    Electronic payments into bank accounts replaced cash handed out at ward offices in many districts.

    Evaluations found that families spent the grant on food, clothing and health care for young
    children. Awareness campaigns on local radio explained who is eligible and how to register a birth.

    Local government staff received training on the registration software, and ward secretaries now
    check each month that new births are entered before the payment list is sent to the bank.

    Some families in remote villages still travel for a full day to reach a bank branch, so mobile
    payment agents visit those villages on fixed days announced in advance.

    The government plans to extend the grant to every child under five in the whole country, which would
    make it one of the first universal child benefits in South Asia.
    """,
]

URUGUAY = """\
Uruguay: the monotax for small independent workers

Uruguay created the monotax in 2001 and reformed it in 2007 to bring small independent workers and
micro enterprises into social security. A single monthly payment replaces several taxes and social
security contributions.

Workers who pay the monotax are covered by the pension scheme, by health insurance for themselves
and their families, and by sickness and maternity benefits. Contributions are reduced during the
first years to encourage registration.

The social monotax, introduced in 2011, targets workers in poor households who are registered with
the Ministry of Social Development. Their contributions start low and rise gradually over several
years.

Registration grew steadily after the reform, and many street vendors and craft workers joined the
social security system for the first time. The lesson is that simple procedures and subsidised
contributions help informal workers move into formal coverage.
"""

SENEGAL = """\
# Sénégal : la couverture maladie universelle

Le Sénégal a lancé la couverture maladie universelle en 2013 pour étendre l'assurance maladie aux
travailleurs de l'économie informelle et aux populations rurales. Des mutuelles de santé
communautaires affilient les ménages dans chaque commune.

L'État subventionne la moitié de la cotisation des membres des mutuelles et la totalité pour les
familles bénéficiaires des bourses de sécurité familiale. Les soins des enfants de moins de cinq ans
sont gratuits.
"""

LEAFLET = """\
# What is a social protection floor?

A social protection floor is a set of basic guarantees that every country defines for itself.
Everyone should have access to essential health care and to basic income security throughout life.

The four guarantees cover children, people of working age who cannot earn enough, older persons, and
access to health care for all. Countries decide the level of each guarantee through national
dialogue.

Talk to your local social security office to learn which benefits you can claim and how to register.
"""


def write_corpus(folder: Path) -> Path:
    """Write the documents and their catalogue into `folder`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "catalog.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([COLUMNS, *CATALOG])
    (folder / "kenya_pension.md").write_text(unwrap(KENYA), encoding="utf-8")
    (folder / "uruguay_monotax.txt").write_text(unwrap(URUGUAY), encoding="utf-8")
    (folder / "senegal_sante.md").write_text(unwrap(SENEGAL), encoding="utf-8")
    (folder / "floor_leaflet.md").write_text(unwrap(LEAFLET), encoding="utf-8")
    write_pdf(folder / "nepal_child_grant.pdf", NEPAL_PAGES)
    return folder


def unwrap(text: str) -> str:
    """Paragraphs joined into single lines (the source is wrapped for reading)."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n")) + "\n"


def write_pdf(path: Path, pages: list[str]) -> None:
    """A text PDF, one string of blank-line-separated paragraphs per page (reportlab, deterministic)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for page in pages:
        y = 780
        for paragraph in page.split("\n\n"):
            for line in textwrap.wrap(" ".join(paragraph.split()), 90):
                pdf.drawString(60, y, line)
                y -= 16
            y -= 12
        pdf.showPage()
    pdf.save()
