"""The demo study: the NNS story (shared seed 001) as a newcomer's first sight of the product.

The 15 core indicators are quoted from the NNS document of 2014-08-18 ("Protokoll över
framtagna kärnindikatorer"). The other candidates are invented for the demo and say so in
their source.

The study ``demo`` goes through the whole chain: two Delphi rounds, both closed and confirmed
(the final one selects the 15 NNS indicators as the core set), a measures survey over the core
set with submitted proposals that the projektledare has reviewed (merged, accepted with one
recommended measure per indicator, two rejected with a reason), a published protocol version
1.0.0, and a demo förbund that has imported it and added a local question. The proposed
measures, respondents and the förbund are invented (marked as demo texts).
"""

from datetime import timedelta

from sqlalchemy import func, select

from .auth import services as auth_services
from .auth.models import User
from .dbtypes import utcnow
from .extensions import db
from .studies import services as study_services
from .studies.models import Participant, Study

DEMO_SLUG = "demo"
NNS_SOURCE = "NNS: kärnindikator från konsensuskonferensen 2014 (inventering av tre förbund)"
DEMO_SOURCE = "Demotext: påhittad kandidat för demonstrationen"

DEMO_ACCOUNTS = (
    # email, role, name, password
    ("admin@demo.invalid", "admin", "Demo Administratör", "demo-admin-lösenord"),
    ("projektledare@demo.invalid", "projektledare", "Demo Projektledare", "demo-projektledare"),
    ("facilitator@demo.invalid", "facilitator", "Demo Facilitator", "demo-facilitator"),
    ("forbund@demo.invalid", "forbund", "Demo Förbundsanvändare", "demo-forbund"),
)
# The förbund that the "forbund" account belongs to; it has imported the published protocol.
DEMO_FORBUND = ("demo-forbund", "Samordningsförbundet Demo")
DEMO_PROTOCOL_VERSION = "1.0.0"

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
    forbund = auth_services.get_or_create_organisation(*DEMO_FORBUND)
    users = {}
    for email, role, name, password in DEMO_ACCOUNTS:
        organisation = forbund if role == "forbund" else None
        users[role] = auth_services.create_user(
            email, password, role, name=name, organisation=organisation
        )
    study = study_services.create_study(
        DEMO_SLUG,
        "Hur vet vi att det blir bättre? Kärnindikatorer för integrerad samverkan (demo)",
        created_by=users["projektledare"],
        description=(
            "Demostudie byggd på NNS-projektet 2014: 97 process- och 40 effektindikatorer "
            "inventerades av tre samordningsförbund och röstades ned till 15 kärnindikatorer vid "
            "en konsensuskonferens. Här visas de 15 och ett antal påhittade kandidater, hela vägen "
            "från två Delphiomgångar via en måttenkät till ett publicerat protokoll."
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
    start = utcnow() - timedelta(days=DEMO_DAYS_AGO)
    _demo_rounds(study, users["projektledare"], start)
    _demo_measures(study, users["projektledare"], start)
    _demo_protocol(study, users["projektledare"], forbund)
    return True


# The demo's timeline, in days after the panel was invited (which was DEMO_DAYS_AGO days ago).
DEMO_DAYS_AGO = 120
TIMELINE = {
    "round1_open": 0,
    "round1_answers": 7,
    "round1_close": 21,
    "round1_confirm": 23,
    "round2_open": 30,
    "round2_answers": 37,
    "round2_close": 51,
    "round2_confirm": 53,
    "survey_open": 60,
    "survey_answers": 70,
    "survey_close": 88,
}


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


def _demo_rounds(study, leader, start) -> None:
    """Both rounds closed and confirmed: round 1 carries every candidate on, round 2 (the
    final round, 25 of 30 answered) selects the core set, which the ratings make the 15 NNS
    indicators. A tie at the cut (none with this seed) is decided by the source, with a reason."""
    import random

    from .rounds import services as rounds

    def at(step: str):
        return start + timedelta(days=TIMELINE[step])

    rng = random.Random(2014)
    panel = [p for p in study.participants if p.kind == "panelist"]
    for p in panel:
        p.invitation_status = "sent"
        p.invited_at = p.first_visit_at = p.consent_at = start
    first = rounds.create_round(study, "rating", actor=leader)
    rounds.open_round(first, actor=leader, now=at("round1_open"))
    items = rounds.ballot(first)
    for p in panel:
        answers = []
        for indicator in items:
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answer = {"indicator_id": indicator.id, "value": value, "unable": unable}
            if indicator.code in DEMO_COMMENTS and rng.random() < 0.15:
                answer["comment"] = DEMO_COMMENTS[indicator.code]
            answers.append(answer)
        rounds.save_answers(first, p, answers, now=at("round1_answers"))
    rounds.close_round(first, actor=leader, now=at("round1_close"))
    rounds.confirm_decisions(first, actor=leader, now=at("round1_confirm"))

    second = rounds.create_round(study, "rating", is_final=True, actor=leader)
    rounds.open_round(second, actor=leader, now=at("round2_open"))
    for p in panel[: len(panel) - 5]:
        answers = []
        for indicator in rounds.ballot(second):
            value, unable = _demo_rating(rng, indicator.code, indicator.source)
            answers.append({"indicator_id": indicator.id, "value": value, "unable": unable})
        rounds.save_answers(second, p, answers, now=at("round2_answers"))
    rounds.close_round(second, actor=leader, now=at("round2_close"))
    overrides = {}
    for decision in rounds.decisions(second):
        if decision.decision == "unresolved":  # tied at the cut: decide by the NNS source
            nns = decision.indicator.source == NNS_SOURCE
            overrides[decision.indicator_id] = (
                ("core", "Kärnindikator i NNS-dokumentet 2014. (Demotext.)")
                if nns
                else ("excluded", "Påhittad kandidat; NNS-indikatorerna går före. (Demotext.)")
            )
    rounds.confirm_decisions(second, overrides, actor=leader, now=at("round2_confirm"))


# --- the measures survey ------------------------------------------------------------------------

MEASURES_INTRO = (
    "Föreslå hur varje kärnindikator kan mätas: vad som mäts, med vilken metod och datakälla, "
    "och hur ofta. Du kan föreslå flera mått per indikator och kombinera dem. (Demotext.)"
)

# The survey's respondents: two invited experts and two who came through the open link.
# (key, via, fields); pseudonyms are given in this order: R001 ... R004. The experts' addresses
# are in example.org (reserved for examples, RFC 2606; it accepts no mail), since the measures
# survey validates addresses and refuses the .invalid domain of the demo's other addresses.
MEASURE_RESPONDENTS = (
    (
        "A",
        "invited",
        {
            "email": "expert1@example.org",
            "name": "Demoexpert 1",
            "organisation": "Samordningsförbundet Norra Västmanland (demo)",
            "organisation_type": "samordningsförbund",
            "level": "lokal",
            "role": "Verksamhetsutvecklare",
        },
    ),
    (
        "B",
        "invited",
        {
            "email": "expert2@example.org",
            "name": "Demoexpert 2",
            "organisation": "NNS (demo)",
            "organisation_type": "samordningsförbund",
            "level": "nationell",
            "role": "Utvärderare",
        },
    ),
    (
        "C",
        "open_link",
        {
            "organisation": "Norrköpings kommun (demo)",
            "organisation_type": "kommun",
            "level": "lokal",
            "role": "Socialsekreterare",
        },
    ),
    (
        "D",
        "open_link",
        {
            "organisation": "Brukarrådet i Östergötland (demo)",
            "organisation_type": "brukarorganisation",
            "level": "lokal",
            "role": "Brukarrepresentant",
        },
    ),
)

_SHARE = "andel (%)"
_TOP_TWO = "Deltagare som svarar 4 eller 5 (instämmer till stor del eller helt)"
_ANSWERED = "Deltagare som har besvarat frågan"


def _survey_share(name, question, group="deltagare", frequency=("P6M", "P12M"), **extra):
    """A proportion from a questionnaire item on the agree scale 1-5."""
    source = {
        "deltagare": "Enkät till deltagare",
        "insatspersonal": "Enkät till insatspersonal",
        "chefer": "Enkät till chefer eller styrelse",
    }[group]
    counted = _TOP_TWO if group == "deltagare" else _TOP_TWO.replace("Deltagare", "De")
    return {
        "name": name,
        "description": f"Enkätfråga: ”{question}” (1–5). Andelen som svarar 4 eller 5. (Demotext.)",
        "kind": "quantitative",
        "method": "survey",
        "data_source": source,
        "respondent_group": group,
        "frequency": list(frequency),
        "unit": _SHARE,
        "numerator": counted,
        "denominator": _ANSWERED if group == "deltagare" else "De som har besvarat frågan",
        # the question itself goes to the reviewed measure (a proposal has no such field)
        "questions": [question],
        **extra,
    }


def _narrative(name, guidance, method, source, frequency=("yearly",), group=""):
    return {
        "name": name,
        "description": f"{guidance} (Demotext.)",
        "kind": "qualitative",
        "method": method,
        "data_source": source,
        "respondent_group": group,
        "frequency": list(frequency),
    }


# Per core indicator: the canonical measures the review made, each from the proposals (by
# respondent key) it merged. A proposal may carry "ref" (a label) and "combines" (labels of
# proposals it combines, and how). Decision "accepted" (one "recommended") or "rejected".
DEMO_MEASURES = {
    "P01": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "A",
                    _survey_share(
                        "Andel deltagare som upplever att insatsen utgår från deras behov",
                        "Insatsen är ordnad efter mina behov",
                    ),
                ),
                (
                    "C",
                    _survey_share(
                        "Upplevd behovsanpassning",
                        "Jag får det stöd jag själv behöver",
                        frequency=("P6M",),
                    ),
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "D",
                    _narrative(
                        "Deltagarnas berättelser om hur insatsen formades",
                        "Fokusgrupp med deltagare en gång om året: hur de var med och formade "
                        "insatsen, vad som anpassades efter dem och vad som inte gick att ändra.",
                        "focus-group",
                        "Intervjuer eller fokusgrupper",
                        group="deltagare",
                    ),
                ),
            ),
        },
    ),
    "P02": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "A",
                    _survey_share(
                        "Andel deltagare som upplever inflytande över sin planering",
                        "Jag har kunnat påverka planeringen av min rehabilitering",
                        frequency=("P0D", "P6M", "P12M"),
                    ),
                ),
            ),
        },
        {
            "decision": "rejected",
            "reason": "Mäter förbundets arbetssätt snarare än den enskildes inflytande; "
            "hör hemma under P09. (Demotext.)",
            "proposals": (
                (
                    "D",
                    {
                        "name": "Antal möten i brukarrådet",
                        "description": "Antal möten per år där brukarrådet deltar. (Demotext.)",
                        "kind": "quantitative",
                        "method": "document-review",
                        "data_source": "Protokoll och andra dokument",
                        "frequency": ["yearly"],
                        "unit": "antal per år",
                    },
                ),
            ),
        },
    ),
    "P03": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "B",
                    _survey_share(
                        "Andel deltagare som anser att tiden i insatsen räckte",
                        "Jag har fått den tid jag behövde i insatsen",
                    ),
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "A",
                    {
                        "name": "Tid i insats",
                        "description": "Dagar från inskrivning till avslut per deltagare, "
                        "redovisat som median per insats. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Uppföljning Finsam (SUS)",
                        "respondent_group": "deltagare",
                        "frequency": ["continuous"],
                        "unit": "dagar (median)",
                    },
                ),
            ),
        },
    ),
    "P04": (
        {
            "decision": "accepted",
            "recommended": True,
            "fields": {"name": "Andel deltagare med en utsedd kontaktperson"},
            "proposals": (
                (
                    "A",
                    {
                        "name": "Andel deltagare med utsedd samordnare",
                        "description": "Andelen inskrivna deltagare som har en namngiven "
                        "kontaktperson, samordnare eller lots registrerad. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "respondent_group": "deltagare",
                        "frequency": ["P0D", "P6M"],
                        "unit": _SHARE,
                        "numerator": "Inskrivna deltagare med registrerad kontaktperson",
                        "denominator": "Alla inskrivna deltagare",
                    },
                ),
                (
                    "C",
                    {
                        "name": "Deltagare med lots",
                        "description": "Hur många deltagare som har en lots som följer dem "
                        "genom myndigheterna, av alla inskrivna. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "respondent_group": "deltagare",
                        "frequency": ["P6M"],
                        "unit": _SHARE,
                        "numerator": "Deltagare med lots",
                        "denominator": "Inskrivna deltagare",
                    },
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "D",
                    _survey_share(
                        "Andel deltagare som vet vem som håller ihop deras stöd",
                        "Jag vet vem jag ska vända mig till när något händer",
                    ),
                ),
            ),
        },
    ),
    "P05": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "B",
                    {
                        "name": "Självskattad förmåga att hantera vardagen",
                        "description": "Fem enkätfrågor om att hantera symtom och vardag "
                        "(1–5); medelvärdet jämförs mellan start, 6 och 12 månader. "
                        "(Demotext.)",
                        "kind": "quantitative",
                        "method": "survey",
                        "data_source": "Enkät till deltagare",
                        "respondent_group": "deltagare",
                        "frequency": ["P0D", "P6M", "P12M"],
                        "unit": "poäng (medelvärde 1–5)",
                        "questions": [
                            "Jag klarar av att planera min dag",
                            "Jag vet vad jag kan göra när jag mår sämre",
                            "Jag sköter kontakterna med myndigheter själv",
                            "Jag har någon att fråga när jag behöver hjälp",
                            "Jag känner mig trygg i min vardag",
                        ],
                    },
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "D",
                    _narrative(
                        "Deltagarens berättelse om stödet att leva med funktionshinder",
                        "Intervju vid avslut: vilket stöd deltagaren fick från myndigheterna, "
                        "vad som hjälpte och vad som saknades.",
                        "interview",
                        "Intervjuer eller fokusgrupper",
                        frequency=("P12M",),
                        group="deltagare",
                    ),
                ),
            ),
        },
    ),
    "P06": (
        {
            "decision": "accepted",
            "recommended": True,
            "fields": {"name": "Andel avslutade deltagare med planerad fortsättning"},
            "proposals": (
                (
                    "A",
                    {
                        "name": "Planerad fortsättning vid avslut",
                        "description": "Andelen avslutade deltagare där en fortsättning "
                        "(arbete, studier eller annan insats) är registrerad vid avslut. "
                        "(Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Uppföljning Finsam (SUS)",
                        "respondent_group": "deltagare",
                        "frequency": ["continuous"],
                        "unit": _SHARE,
                        "numerator": "Avslutade deltagare med registrerad fortsättning",
                        "denominator": "Alla avslutade deltagare under perioden",
                    },
                ),
                (
                    "B",
                    {
                        "name": "Avslut till fortsatt insats",
                        "description": "Andel avslut där deltagaren går vidare till arbete, "
                        "studier eller en annan myndighets insats. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Uppföljning Finsam (SUS)",
                        "frequency": ["yearly"],
                        "unit": _SHARE,
                        "numerator": "Avslut till arbete, studier eller annan insats",
                        "denominator": "Alla avslut",
                    },
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "C",
                    {
                        "name": "Väntetid till nästa insats",
                        "description": "Dagar från avslut till att nästa insats börjar, "
                        "som median. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "respondent_group": "deltagare",
                        "frequency": ["P6M", "P12M"],
                        "unit": "dagar (median)",
                    },
                ),
            ),
        },
    ),
    "P07": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "B",
                    {
                        "ref": "B-P07",
                        "name": "Stegförflyttning skattad tillsammans med deltagaren",
                        "description": "Deltagaren och handläggaren skattar tillsammans "
                        "avståndet till arbetsmarknaden på en stegskala 1–7 vid start, efter "
                        "6 och efter 12 månader; handläggaren registrerar steget. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register (stegskattning)",
                        "respondent_group": "deltagare",
                        "frequency": ["P0D", "P6M", "P12M"],
                        "unit": "steg (medelvärde 1–7)",
                    },
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "C",
                    {
                        **_narrative(
                            "Stegförflyttning med deltagarens egen beskrivning",
                            "Stegskattningen följs av ett kort samtal där deltagaren själv "
                            "beskriver vad som har förändrats och vad nästa steg är.",
                            "interview",
                            "Intervjuer eller fokusgrupper",
                            frequency=("P6M", "P12M"),
                            group="deltagare",
                        ),
                        "combines": (
                            (
                                "B-P07",
                                "Stegskattningen (siffran) läses tillsammans med deltagarens "
                                "egen beskrivning av förändringen.",
                            ),
                        ),
                    },
                ),
            ),
        },
    ),
    "P08": (
        {
            "decision": "accepted",
            "recommended": True,
            "fields": {"name": "Andel medarbetare som upplever att deras kunskap respekteras"},
            "proposals": (
                (
                    "A",
                    _survey_share(
                        "Respekt för den egna kunskapen",
                        "Medarbetare från andra myndigheter respekterar min kunskap och roll",
                        group="insatspersonal",
                        frequency=("yearly",),
                    ),
                ),
                (
                    "B",
                    _survey_share(
                        "Upplevd respekt mellan myndigheterna",
                        "Mina kollegor i andra myndigheter tar vara på det jag kan",
                        group="insatspersonal",
                        frequency=("yearly",),
                    ),
                ),
            ),
        },
    ),
    "P09": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "D",
                    _narrative(
                        "Förändringar som bygger på deltagares synpunkter",
                        "Årlig genomgång av styrelse- och beredningsprotokoll: vilka beslut "
                        "om verksamheten som tog stöd i synpunkter från deltagare eller "
                        "brukarorganisationer, och hur de samlades in.",
                        "document-review",
                        "Protokoll och andra dokument",
                    ),
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "A",
                    {
                        "name": "Brukarorganisationer i beredningen",
                        "description": "Antal beredningsärenden per år där en "
                        "brukarorganisation har lämnat synpunkter. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "frequency": ["yearly"],
                        "unit": "antal per år",
                    },
                ),
            ),
        },
    ),
    "P10": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "B",
                    {
                        "name": "Andel insatser där arbetsgivare eller civilsamhälle medverkar",
                        "description": "Andelen av förbundets insatser där ett företag, en "
                        "förening eller en ideell organisation medverkar i det löpande arbetet. "
                        "(Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "frequency": ["yearly"],
                        "unit": _SHARE,
                        "numerator": "Insatser med minst en extern aktör i arbetet",
                        "denominator": "Alla förbundets insatser under året",
                    },
                ),
            ),
        },
        {
            "decision": "rejected",
            "reason": "Säger inget om samverkan i insatserna och finns redan i den offentliga "
            "statistiken. (Demotext.)",
            "proposals": (
                (
                    "C",
                    {
                        "name": "Antal företag i kommunen",
                        "description": "Antal registrerade företag i kommunen. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Offentlig statistik",
                        "frequency": ["yearly"],
                        "unit": "antal",
                    },
                ),
            ),
        },
    ),
    "E01": (
        {
            "decision": "accepted",
            "recommended": True,
            "fields": {"name": "Andel deltagare i arbete eller studier 12 och 18 månader"},
            "proposals": (
                (
                    "A",
                    {
                        "ref": "A-E01",
                        "name": "Arbete eller studier efter insatsen",
                        "description": "Andelen deltagare med arbete eller studier som "
                        "huvudsaklig sysselsättning 12 och 18 månader efter inskrivning. "
                        "(Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Uppföljning Finsam (SUS)",
                        "respondent_group": "deltagare",
                        "frequency": ["P12M", "P18M"],
                        "unit": _SHARE,
                        "numerator": "Deltagare i arbete eller studier",
                        "denominator": "Alla deltagare som skrevs in under perioden",
                    },
                ),
                (
                    "B",
                    {
                        "name": "Hållbar sysselsättning",
                        "description": "Andel deltagare i arbete eller studier ett år efter "
                        "inskrivning. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Uppföljning Finsam (SUS)",
                        "respondent_group": "deltagare",
                        "frequency": ["P12M"],
                        "unit": _SHARE,
                        "numerator": "Deltagare i arbete eller studier",
                        "denominator": "Inskrivna deltagare",
                    },
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "D",
                    {
                        **_narrative(
                            "Håller förändringen? Deltagarens egen beskrivning",
                            "Uppföljande samtal efter 18 månader: om förändringen har hållit, "
                            "vad som bär och vad som riskerar att brista.",
                            "interview",
                            "Intervjuer eller fokusgrupper",
                            frequency=("P18M",),
                            group="deltagare",
                        ),
                        "combines": (
                            (
                                "A-E01",
                                "Registeruppgiften om sysselsättning läses tillsammans med "
                                "deltagarens beskrivning av om förändringen håller.",
                            ),
                        ),
                    },
                ),
            ),
        },
    ),
    "E02": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "A",
                    _narrative(
                        "Beskrivning av samverkansstrukturen",
                        "Årlig genomgång av protokoll: vilka samverkansforum som finns, vilka "
                        "som deltar, hur ofta de möts och vad de beslutar om relationerna mellan "
                        "parterna.",
                        "document-review",
                        "Protokoll och andra dokument",
                    ),
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "B",
                    _survey_share(
                        "Andel chefer som anser att samverkansstrukturen fungerar",
                        "Det finns forum där parterna regelbundet tar upp samverkan",
                        group="chefer",
                        frequency=("yearly",),
                    ),
                ),
            ),
        },
    ),
    "E03": (
        {
            "decision": "accepted",
            "recommended": True,
            "fields": {"name": "Andel medarbetare som arbetar över myndighetsgränserna"},
            "proposals": (
                (
                    "B",
                    _survey_share(
                        "Sektorsövergripande arbetssätt",
                        "I mitt arbete löser vi ärenden tillsammans med andra myndigheter",
                        group="insatspersonal",
                        frequency=("yearly",),
                    ),
                ),
                (
                    "C",
                    _survey_share(
                        "Arbete i gemensamma team",
                        "Jag arbetar i team med medarbetare från andra myndigheter",
                        group="insatspersonal",
                        frequency=("yearly",),
                    ),
                ),
            ),
        },
    ),
    "E04": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "A",
                    _narrative(
                        "Fastställd strategi för uppföljning och utvärdering",
                        "Finns en strategi som styrelsen har fastställt? Genomgång av "
                        "strategin, när den senast följdes upp och vad som ändrades.",
                        "document-review",
                        "Protokoll och andra dokument",
                    ),
                ),
            ),
        },
        {
            "decision": "accepted",
            "proposals": (
                (
                    "C",
                    {
                        "name": "Andel insatser med uppföljningsplan",
                        "description": "Andelen insatser som har en plan för uppföljning "
                        "och utvärdering när de startar. (Demotext.)",
                        "kind": "quantitative",
                        "method": "register",
                        "data_source": "Lokalt register",
                        "frequency": ["yearly"],
                        "unit": _SHARE,
                        "numerator": "Insatser med uppföljningsplan",
                        "denominator": "Alla insatser som startade under året",
                    },
                ),
            ),
        },
    ),
    "E05": (
        {
            "decision": "accepted",
            "recommended": True,
            "proposals": (
                (
                    "B",
                    _narrative(
                        "Nya förebyggande insatser som bygger på samverkan",
                        "Fallbeskrivning en gång om året: vilka förebyggande insatser hos "
                        "huvudmännen som har sitt ursprung i erfarenheter från samverkan, och "
                        "vilka individer de fångar upp tidigare.",
                        "case-study",
                        "Protokoll och andra dokument",
                    ),
                ),
            ),
        },
    ),
}

DEMO_MEASURE_COMMENTS = (
    ("D", "P07", "Stegskalan behöver tas fram tillsammans med deltagarna. (Demotext.)"),
    ("C", "E01", "Registerdata från SUS kräver samtycke vid inskrivning. (Demotext.)"),
)


def _demo_expert(survey, fields, *, invited_at):
    """An invited expert, as the projektledare adds one, whose invitation went out."""
    from .measures import services as measures

    respondent = measures.add_expert(survey, **fields)
    participant = db.session.get(Participant, respondent.participant_id)
    participant.invitation_status, participant.invited_at = "sent", invited_at
    return respondent


def _demo_measures(study, leader, start) -> None:
    """The measures survey over the confirmed core set: four respondents submitted proposals
    (one combines another), the survey is closed and the projektledare has reviewed them."""
    from .measures import services as measures

    def at(step: str):
        return start + timedelta(days=TIMELINE[step])

    survey = measures.create_survey(study, intro_text=MEASURES_INTRO, actor=leader)
    measures.add_workshop(
        survey,
        actor=leader,
        date=at("survey_open").date() - timedelta(days=7),
        time_text="kl. 13.00–16.00",
        place="Digitalt (demo)",
        area="Hela landet",
        contact_person="Demo Projektledare",
        kind="webinar",
    )
    measures.change_status(survey, "open", actor=leader, now=at("survey_open"))
    measures.new_open_link(survey, actor=leader)  # not kept: a newcomer makes a new one
    respondents = {}
    for key, via, fields in MEASURE_RESPONDENTS:
        if via == "invited":
            respondent = _demo_expert(survey, fields, invited_at=at("survey_open"))
        else:
            respondent, _token = measures.join_open_link(survey, now=at("survey_answers"), **fields)
        respondents[key] = respondent

    indicators = {i.code: i for i in measures.survey_indicators(survey)}
    when = at("survey_answers")
    ids: dict[tuple[str, int, int], int] = {}
    refs: dict[str, int] = {}
    for key, _via, _fields in MEASURE_RESPONDENTS:
        respondent = respondents[key]
        for code, canonicals in DEMO_MEASURES.items():
            for c, canonical in enumerate(canonicals):
                for n, (by, data) in enumerate(canonical["proposals"]):
                    if by != key:
                        continue
                    data = dict(data)
                    data.pop("questions", None)
                    ref = data.pop("ref", None)
                    data["combines"] = [
                        {"proposal_id": refs[label], "how": how}
                        for label, how in data.pop("combines", ())
                    ]
                    proposal = measures.save_proposal(
                        respondent, indicators[code].id, data, now=when
                    )
                    ids[(code, c, n)] = proposal.id
                    if ref:
                        refs[ref] = proposal.id
        for by, code, text in DEMO_MEASURE_COMMENTS:
            if by == key:
                measures.save_comment(respondent, indicators[code].id, text, now=when)
        measures.submit(respondent, now=when)
    measures.change_status(survey, "close", actor=leader, now=at("survey_close"))

    for code, canonicals in DEMO_MEASURES.items():
        for c, canonical in enumerate(canonicals):
            sources = [ids[(code, c, n)] for n in range(len(canonical["proposals"]))]
            measure = measures.merge_proposals(
                survey, indicators[code], sources, canonical.get("fields"), actor=leader
            )
            questions = canonical["proposals"][0][1].get("questions")
            if questions:
                measures.edit_canonical(measure, {"questions": questions}, actor=leader)
            measures.decide(
                measure, canonical["decision"], canonical.get("reason", ""), actor=leader
            )
            if canonical.get("recommended"):
                measures.set_recommended(measure, actor=leader)


# --- the protocol and the förbund ---------------------------------------------------------------

PROTOCOL_TEXTS = {
    "title": "Kärnindikatorer för integrerad samverkan: mätbart protokoll (demo)",
    "description": (
        "De 15 kärnindikatorerna från NNS-projektet 2014 med mått, datakällor och tidpunkter "
        "för uppföljning. Måtten är påhittade för demonstrationen. (Demotext.)"
    ),
    "owner": {
        "name": "Nationella nätverket för samordningsförbund (demo)",
        "contact": "protokoll@demo.invalid",
        "licence": "CC-BY-4.0",
        "lockedWording": True,
    },
    "changelog": [
        {
            "version": DEMO_PROTOCOL_VERSION,
            "changes": (
                "Första versionen: 15 kärnindikatorer från Delphiomgång 2 och de mått som "
                "granskningen av måttenkäten godtog. (Demotext.)"
            ),
        }
    ],
}
DEMO_LOCAL_ITEM = (
    "Har du under insatsen fått veta vilka öppna aktiviteter Samordningsförbundet Demo "
    "erbjuder? (Lokal demofråga.)"
)


def _demo_protocol(study, leader, forbund) -> None:
    """Version 1.0.0 published; the demo förbund has imported it and added a local question."""
    from .followup import services as followup
    from .protocol import services as protocol

    version = protocol.publish(study, DEMO_PROTOCOL_VERSION, actor=leader, texts=PROTOCOL_TEXTS)
    result = followup.import_document(forbund, protocol.document_bytes(version), source="demo")
    if not result.ok:  # pragma: no cover - the published document is valid by construction
        raise RuntimeError(f"demo protocol import refused: {result.problems}")
    followup.add_local_item(result.imported, DEMO_LOCAL_ITEM)


def logins_text() -> str:
    lines = ["Demoinloggningar (om lösenorden inte har bytts):"]
    for email, role, _name, password in DEMO_ACCOUNTS:
        lines.append(f"  {role:<14} {email:<30} lösenord: {password}")
    base = "http://127.0.0.1:5000"
    lines += [
        f"Öppna {base} och logga in. Studien ”{DEMO_SLUG}” har gått igenom hela kedjan:",
        "  två Delphiomgångar (stängda) → 15 kärnindikatorer → måttenkät (stängd, granskad)",
        f"  → protokoll {DEMO_PROTOCOL_VERSION} publicerat → importerat av ett förbund.",
        f"  Studien:     Studier → {DEMO_SLUG} (flikarna Omgångar, Rapport, Mått och Protokoll)",
        f"  Protokollet: {base}/protokoll/{DEMO_SLUG}/senaste (öppet för alla)",
        f"  Måttenkäten: {base}/matt/{DEMO_SLUG} (stängd; som projektledare kan du öppna den",
        "               igen och skapa en öppen länk under Studier → demo → Mått)",
        f"  Förbundet:   logga in som forbund ({DEMO_FORBUND[1]}): version",
        f"               {DEMO_PROTOCOL_VERSION} är importerad, med en egen lokal fråga.",
    ]
    return "\n".join(lines)
