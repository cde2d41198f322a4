"""The demo study: the NNS story (shared seed 001) as a newcomer's first sight of the product.

The 15 core indicators are quoted from the NNS document of 2014-08-18 ("Protokoll över
framtagna kärnindikatorer"). The other candidates are invented for the demo and say so in
their source.
"""

from sqlalchemy import func, select

from .auth import services as auth_services
from .auth.models import User
from .dbtypes import utcnow
from .extensions import db
from .studies import services as study_services
from .studies.models import Study

DEMO_SLUG = "demo"
NNS_SOURCE = "NNS: kärnindikator från konsensuskonferensen 2014 (inventering av tre förbund)"
DEMO_SOURCE = "Demotext: påhittad kandidat för demonstrationen"

DEMO_ACCOUNTS = (
    # email, role, name, password
    ("admin@demo.invalid", "admin", "Demo Administratör", "demo-admin-lösenord"),
    ("projektledare@demo.invalid", "projektledare", "Demo Projektledare", "demo-projektledare"),
    ("facilitator@demo.invalid", "facilitator", "Demo Facilitator", "demo-facilitator"),
)

GROUPS = (
    ("politiker", "Politiker"),
    ("chefer", "Chefer"),
    ("medarbetare", "Medarbetare"),
    ("deltagare", "Deltagare"),
    ("forskare", "Forskare"),
    ("brukarorganisationer", "Brukarorganisationer"),
)

# (code, title, description, perspective, type, source)
CANDIDATES = (
    (
        "P01",
        "Deltagare känner att de insatser som erbjuds är organiserade runt deras behov",
        "Personcentrerade insatser: jämfört med tidigare insatser är deltagare delaktiga i "
        "rekryteringen, planeringen, genomförandet och uppföljningen av de insatser som erbjuds "
        "i högre grad än förut.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P02",
        "Deltagarna upplever ökat inflytande över rehabiliteringsprocessen",
        "Deltagaren är involverad i diskussioner och beslut i rehabiliteringsarbetet i den grad "
        "som deltagaren vill vara delaktig.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P03",
        "Rehabiliteringsprocessen får ta den tid som behövs utifrån varje persons förutsättningar",
        "Tid i insats bestäms slutgiltigt av myndigheterna/insatsen, men individen har möjlighet "
        "att påverka beslutet.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P04",
        "Det finns någon som håller samman och stödjer den enskildes samordnade rehabiliteringsprocess",
        "Deltagare upplever i högre grad än förut att det finns någon som håller samman processen, "
        "t.ex. en tydlig kontaktperson/samordnare/lots som stödjer deltagaren i kontakterna med "
        "flera myndigheter.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P05",
        "Deltagaren kan hantera egna symtom och funktionshinder med stöd från myndigheterna",
        "Deltagaren upplever att den kan hantera egna symtom och funktionshinder och att den i "
        "högre grad än förut har fått stöd från myndigheterna i att leva med detta.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P06",
        "Planering och tjänster tar vid när deltagaren avslutas",
        "När deltagaren avslutas i en samordnad rehabiliteringstjänst upplever deltagaren i större "
        "grad än förut att det finns en planering/tjänster som tar vid och att de levereras utan "
        "onödigt dröjsmål.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P07",
        "Stegförflyttning närmare arbetsmarknaden mäts tillsammans med individen",
        "Det utvecklas mått som mäter stegförflyttning närmare arbetsmarknaden/egen försörjning "
        "och där individen är med i arbetet.",
        "deltagare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P08",
        "Personalen upplever att andra myndigheters medarbetare respekterar deras kunskap",
        "Personalen upplever att andra medarbetare/professionella i andra myndigheter respekterar "
        "deras kunskap, roller och arbetssätt.",
        "medarbetare",
        "process",
        NNS_SOURCE,
    ),
    (
        "P09",
        "Erfarenheter från deltagare och brukarorganisationer tillvaratas systematiskt",
        "Erfarenheter, kunskaper och synpunkter från enskilda deltagare/brukare och från "
        "brukarorganisationer eller grupper av deltagare tillvaratas systematiskt, mer än förut, "
        "och är i allt högre grad grundläggande för förändringar i verksamheten.",
        "organisation",
        "process",
        NNS_SOURCE,
    ),
    (
        "P10",
        "Samordnade insatser inkluderar andra aktörer i samhället på ett strukturerat sätt",
        "Företag, ideella krafter och föreningsliv ingår i högre grad än förut i det löpande "
        "arbetet: parterna mobiliserar alla resurser som kan vara användbara för en persons "
        "rehabilitering.",
        "samhälle",
        "process",
        NNS_SOURCE,
    ),
    (
        "E01",
        "Effekterna för deltagarna är hållbara och säkra över tid",
        "Effekter för deltagare som kommer ur de samordnade insatserna är hållbara och säkra "
        "över tid.",
        "deltagare",
        "effect",
        NNS_SOURCE,
    ),
    (
        "E02",
        "En struktur finns som strategiskt initierar, upprätthåller och underhåller relationer",
        "Förutsätter att det är viktigt att hantera och utveckla relationer mellan "
        "myndigheter/organisationer och deltagare samt andra aktörer.",
        "organisation",
        "effect",
        NNS_SOURCE,
    ),
    (
        "E03",
        "Samordnad verksamhet präglas av sektorsövergripande arbetssätt och synsätt",
        "Samordnad verksamhet präglas i högre utsträckning än förut av sektorsövergripande "
        "arbetssätt och synsätt.",
        "organisation",
        "effect",
        NNS_SOURCE,
    ),
    (
        "E04",
        "Det finns en klar strategi för uppföljning och utvärdering av myndighetsgemensamma insatser",
        "Strategin är förankrad på ledningsnivå och under ständig förbättring.",
        "organisation",
        "effect",
        NNS_SOURCE,
    ),
    (
        "E05",
        "Insikter från samverkan leder till nya förebyggande insatser",
        "En ringar-på-vatten-effekt: samverkansstrategin påverkar tänkande och organisering i "
        "andra delar av huvudmännens ansvarsområden, så att individer fångas upp tidigare och "
        "behovet av samordnad rehabilitering minskar.",
        "samhälle",
        "effect",
        NNS_SOURCE,
    ),
    # Invented candidates: the rest of a pool that the Delphi rounds sort out.
    (
        "P11",
        "Deltagaren får sin första kontakt med insatsen inom två veckor från remiss",
        "Demotext.",
        "deltagare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P12",
        "Deltagaren har en gemensam skriftlig plan med alla inblandade myndigheter",
        "Demotext.",
        "deltagare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P13",
        "Deltagaren behöver inte berätta sin historia på nytt för varje myndighet",
        "Demotext.",
        "deltagare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P14",
        "Medarbetare har tid avsatt för samverkan i sin tjänst",
        "Demotext.",
        "medarbetare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P15",
        "Medarbetare känner till de andra myndigheternas uppdrag och regelverk",
        "Demotext.",
        "medarbetare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P16",
        "Medarbetare har gemensam kompetensutveckling över myndighetsgränserna",
        "Demotext.",
        "medarbetare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P17",
        "Medarbetare upplever att de kan lösa ärenden utan att lämna över dem",
        "Demotext.",
        "medarbetare",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P18",
        "Ledningen för parterna träffas regelbundet och följer upp samverkan",
        "Demotext.",
        "organisation",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P19",
        "Det finns gemensamma rutiner för informationsöverföring med samtycke",
        "Demotext.",
        "organisation",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P20",
        "Samverkansinsatser finansieras långsiktigt i ordinarie budget",
        "Demotext.",
        "organisation",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P21",
        "Avvikelser i samverkan rapporteras och åtgärdas gemensamt",
        "Demotext.",
        "organisation",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P22",
        "Arbetsgivare i kommunen erbjuder praktikplatser till deltagare",
        "Demotext.",
        "samhälle",
        "process",
        DEMO_SOURCE,
    ),
    (
        "P23",
        "Civilsamhällets organisationer bjuds in till lokala samverkansgrupper",
        "Demotext.",
        "samhälle",
        "process",
        DEMO_SOURCE,
    ),
    (
        "E06",
        "Andelen deltagare i arbete eller studier ett år efter avslut ökar",
        "Demotext.",
        "deltagare",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E07",
        "Deltagarnas självskattade hälsa förbättras under insatsen",
        "Demotext.",
        "deltagare",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E08",
        "Deltagarnas tillit till myndigheterna ökar",
        "Demotext.",
        "deltagare",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E09",
        "Sjukfrånvaron bland medarbetare i samverkansteam minskar",
        "Demotext.",
        "medarbetare",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E10",
        "Medarbetare upplever ökad arbetstillfredsställelse i samverkan",
        "Demotext.",
        "medarbetare",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E11",
        "Antalet ärenden som skickas mellan myndigheter utan resultat minskar",
        "Demotext.",
        "organisation",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E12",
        "Kostnaden för offentlig försörjning per deltagare minskar",
        "Demotext.",
        "samhälle",
        "effect",
        DEMO_SOURCE,
    ),
    (
        "E13",
        "Färre unga hamnar i långvarigt utanförskap i kommunen",
        "Demotext.",
        "samhälle",
        "effect",
        DEMO_SOURCE,
    ),
)

INFO_TEXT = (
    "Du är inbjuden att delta i en Delphi-studie om indikatorer för integrerad samverkan inom "
    "den finansiella samordningen. Du bedömer kandidatindikatorer i två eller flera omgångar och "
    "ser mellan omgångarna hur gruppen svarade. Dina svar redovisas bara under en pseudonym, och "
    "grupper med färre än fem deltagare redovisas inte för sig. Deltagandet är frivilligt och du "
    "kan avbryta när du vill. Du kan begära att ditt namn och din e-postadress raderas. "
    "(Demotext.)"
)


DEMO_PANEL_SIZE = 30  # five per stakeholder group: every group is shown on its own
DEMO_ORGANISATIONS = (
    "Samordningsförbundet Norra Västmanland (demo)",
    "Samordningsförbundet Huddinge/Botkyrka/Salem (demo)",
    "Samordningsförbundet Östra Östergötland (demo)",
    "NNS (demo)",
)


def database_is_empty() -> bool:
    users = db.session.scalar(select(func.count(User.id)))
    studies = db.session.scalar(select(func.count(Study.id)))
    return not users and not studies


def load_if_empty() -> bool:
    """Create the demo on an empty database. Returns False (and does nothing) otherwise."""
    if not database_is_empty():
        return False
    users = {}
    for email, role, name, password in DEMO_ACCOUNTS:
        users[role] = auth_services.create_user(email, password, role, name=name)
    study = study_services.create_study(
        DEMO_SLUG,
        "Hur vet vi att det blir bättre? Kärnindikatorer för integrerad samverkan (demo)",
        created_by=users["projektledare"],
        description=(
            "Demostudie byggd på NNS-projektet 2014: 97 process- och 40 effektindikatorer "
            "inventerades av tre samordningsförbund och röstades ned till 15 kärnindikatorer vid "
            "en konsensuskonferens. Här visas de 15 och ett antal påhittade kandidater."
        ),
        info_text=INFO_TEXT,
        target_core_size=15,
    )
    for code, name in GROUPS:
        study_services.add_group(study, code, name)
    for code, title, description, perspective, type_, source in CANDIDATES:
        study_services.add_indicator(
            study,
            code=code,
            title=title,
            description=description,
            perspective=perspective,
            type=type_,
            source=source,
        )
    groups = {g.code: g for g in study.groups}
    for number in range(1, DEMO_PANEL_SIZE + 1):
        code, _name = GROUPS[(number - 1) % len(GROUPS)]
        study_services.add_participant(
            study,
            name=f"Demodeltagare {number}",
            email=f"panel{number:02d}@demo.invalid",
            group_id=groups[code].id,
            organisation=DEMO_ORGANISATIONS[number % len(DEMO_ORGANISATIONS)],
            level="nationell" if number % 6 == 0 else "lokal",
            joined_via="import",
        )
    study_services.ensure_join_code(study)
    db.session.flush()
    _demo_rounds(study, users["projektledare"])
    return True


# Invented comments for the demo's round 1 (shown anonymously in round 2).
DEMO_COMMENTS = {
    "P04": "En tydlig kontaktperson är det deltagarna själva lyfter först. (Demotext.)",
    "P07": "Stegförflyttning behöver definieras gemensamt innan den kan jämföras. (Demotext.)",
    "P11": "Två veckor är ett mål för verksamheten, inte en indikator på samverkan. (Demotext.)",
    "E12": "Svårt att mäta lokalt; kräver registerdata. (Demotext.)",
}


def _demo_rating(rng, code: str, source: str) -> tuple[int | None, bool]:
    """Round 1 ratings: the NNS core indicators mostly 7-9, the invented ones lower."""
    if rng.random() < 0.03:
        return None, True  # kan ej bedöma
    if source == NNS_SOURCE:
        return rng.choices(range(1, 10), weights=[0, 0, 1, 1, 2, 4, 10, 14, 12])[0], False
    return rng.choices(range(1, 10), weights=[3, 5, 6, 7, 6, 5, 3, 2, 1])[0], False


def _demo_rounds(study, leader) -> None:
    """Round 1 closed and confirmed; round 2 (the final round) open, most of the panel has
    answered. Join with the conference code to try the ballot, then close round 2."""
    import random

    from .rounds import services as rounds

    rng = random.Random(2014)
    panel = [p for p in study.participants if p.kind == "panelist"]
    now = utcnow()
    for p in panel:
        p.invitation_status = "sent"
        p.invited_at = p.first_visit_at = p.consent_at = now
    first = rounds.create_round(study, "rating", actor=leader)
    rounds.open_round(first, actor=leader)
    items = rounds.ballot(first)
    for p in panel:
        answers = []
        for indicator in items:
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answer = {"indicator_id": indicator.id, "value": value, "unable": unable}
            if indicator.code in DEMO_COMMENTS and rng.random() < 0.15:
                answer["comment"] = DEMO_COMMENTS[indicator.code]
            answers.append(answer)
        rounds.save_answers(first, p, answers)
    rounds.close_round(first, actor=leader)
    rounds.confirm_decisions(first, actor=leader)

    second = rounds.create_round(study, "rating", is_final=True, actor=leader)
    rounds.open_round(second, actor=leader)
    for p in panel[: len(panel) - 5]:
        answers = []
        for indicator in rounds.ballot(second):
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answers.append({"indicator_id": indicator.id, "value": value, "unable": unable})
        rounds.save_answers(second, p, answers)


def logins_text() -> str:
    lines = ["Demoinloggningar (om lösenorden inte har bytts):"]
    for email, role, _name, password in DEMO_ACCOUNTS:
        lines.append(f"  {role:<14} {email:<30} lösenord: {password}")
    lines.append("Öppna http://127.0.0.1:5000 och logga in. Studien ”demo” har omgång 1 stängd och")
    lines.append("omgång 2 (sista) öppen: anslut som paneldeltagare med konferenskoden under")
    lines.append("Studier → demo → Konferenskod, svara, och stäng sedan omgången som projektledare.")
    return "\n".join(lines)
