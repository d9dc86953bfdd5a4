"""The words and numbers the generated plans are made of: goals, activities, indicators, texts."""

from __future__ import annotations

from dataclasses import dataclass

from programme.models import (
    ActivityStatus,
    FollowUpState,
    IndicatorDirection,
    Judgement,
)

# Bodies of the demo year, and how far each has come with T1, T2 and the annual report
# (None: not started). Järva and Skärholmen come first: the demo users are their members,
# and each demo role finds something to do in the year: Järva's administrator a T2 that
# SLK returned, Skärholmen's a T2 in draft, SLK Skärholmen's T1 waiting for review, the
# readers and officials the approved T1 reports.
DEMO_BODIES: dict[str, tuple[str | None, str | None, str | None]] = {
    "jarva": (FollowUpState.APPROVED, FollowUpState.RETURNED, FollowUpState.DRAFT),
    "skarholmen": (FollowUpState.SUBMITTED, FollowUpState.DRAFT, None),
    "bromma": (FollowUpState.APPROVED, FollowUpState.APPROVED, None),
    "farsta": (FollowUpState.APPROVED, FollowUpState.DRAFT, None),
    "enskede-arsta-vantor": (FollowUpState.SUBMITTED, None, None),
    "svenska-bostader": (FollowUpState.APPROVED, FollowUpState.APPROVED, None),
    "kungsholmen": (None, None, None),
}


GOALS = (
    "Ökad trygghet i stadsdelens offentliga miljöer",
    "Färre unga dras in i kriminalitet",
    "Stärkt krisberedskap och kontinuitet i verksamheten",
    "Minskat våld i nära relationer",
    "Tryggare skolvägar och fritidsmiljöer",
    "Ett robust skydd av samhällsviktig verksamhet",
    "Minskad skadegörelse och nedskräpning",
    "Stärkt samverkan med polis och civilsamhälle",
)


ACTIVITIES = (
    "Trygghetsvandringar med boende och fastighetsägare",
    "Sommarjobb och fältarbete för unga",
    "Översyn av belysning i parker och gångtunnlar",
    "Utbildning av personal i våldsprevention",
    "Krisledningsövning med stabsorganisationen",
    "Revidering av risk- och sårbarhetsanalysen",
    "Medborgardialog om trygghet på torget",
    "Föräldravandringar helger och lov",
    "Samverkansöverenskommelse med lokalpolisområdet",
    "Klotterrapportering och snabb sanering",
    "Informationskampanj mot bedrägerier riktade mot äldre",
    "Kartläggning av otillåten påverkan mot handläggare",
    "Nattvandring i samarbete med föreningslivet",
    "Förebyggande arbete mot hedersrelaterat våld",
    "Säkerhetsskyddsanalys av verksamhetens lokaler",
    "Uppföljning av platssamverkan vid tunnelbanan",
)


UNITS = (
    "Avdelningen för trygghet och säkerhet",
    "Socialtjänstavdelningen",
    "Park- och stadsmiljöavdelningen",
    "Kansliet",
    "Fritidsverksamheten",
    "Säkerhetsenheten",
)


@dataclass(frozen=True)
class IndicatorSpec:
    """A made-up indicator: its name, unit, direction, baseline, target and split by sex."""

    name: str
    unit: str
    direction: str
    baseline: int
    target: int
    by_sex: bool = False


INDICATORS = (
    IndicatorSpec(
        "Andel invånare som känner sig trygga utomhus på kvällen",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        68,
        75,
        by_sex=True,
    ),
    IndicatorSpec(
        "Antal anmälda fall av skadegörelse", "st", IndicatorDirection.LOWER_IS_BETTER, 420, 380
    ),
    IndicatorSpec(
        "Andel unga som deltar i organiserad fritid",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        41,
        50,
        by_sex=True,
    ),
    IndicatorSpec(
        "Antal genomförda trygghetsvandringar", "st", IndicatorDirection.HIGHER_IS_BETTER, 6, 10
    ),
    IndicatorSpec(
        "Andel medarbetare utbildade i krisberedskap",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        55,
        90,
    ),
    IndicatorSpec(
        "Antal anmälda våldsbrott i offentlig miljö",
        "st",
        IndicatorDirection.LOWER_IS_BETTER,
        150,
        120,
    ),
    IndicatorSpec(
        "Andel äldre som känner sig trygga i sitt bostadsområde",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        62,
        70,
        by_sex=True,
    ),
    IndicatorSpec(
        "Tid från anmälan till sanerat klotter", "dagar", IndicatorDirection.LOWER_IS_BETTER, 5, 2
    ),
)


COUNCIL_INDICATORS = (
    IndicatorSpec(
        "Andel stockholmare som känner sig trygga i sitt område",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        79,
        82,
    ),
    IndicatorSpec(
        "Antal anmälda brott mot person per 100 000 invånare",
        "st",
        IndicatorDirection.LOWER_IS_BETTER,
        1850,
        1700,
    ),
    IndicatorSpec(
        "Andel nämnder och bolagsstyrelser med aktuell risk- och sårbarhetsanalys",
        "%",
        IndicatorDirection.HIGHER_IS_BETTER,
        88,
        100,
    ),
)


COMMENTS: dict[str, str] = {
    ActivityStatus.PLANNED: "Aktiviteten startar under hösten enligt plan.",
    ActivityStatus.ONGOING: "Arbetet pågår och följer tidplanen.",
    ActivityStatus.DONE: "Aktiviteten är genomförd och utvärderad.",
    ActivityStatus.DELAYED: "Försenad på grund av vakanser; ny tidplan tas fram.",
    ActivityStatus.CANCELLED: "Avbruten: insatsen ersätts av platssamverkan med polisen.",
}


MOTIVATIONS: dict[str, str] = {
    Judgement.FULLY_MET: "Samtliga aktiviteter är genomförda och indikatorerna når målvärdet.",
    Judgement.PARTLY_MET: "De flesta aktiviteter går enligt plan men indikatorerna släpar.",
    Judgement.NOT_MET: "Utfallen har försämrats och flera aktiviteter är försenade.",
    Judgement.NOT_ASSESSED: "",
}


NARRATIVE = (
    "Nämnden har under perioden arbetat med trygghetsskapande insatser i samverkan med "
    "lokalpolisområdet, fastighetsägare och civilsamhället. Fokus har legat på unga och "
    "på de offentliga miljöerna kring torget och tunnelbanan."
)


SITUATION_PICTURE = (
    "Lägesbilden visar färre anmälda brott i offentlig miljö men en oro bland boende för "
    "öppen narkotikahandel. Skadegörelsen har minskat sedan föregående år."
)


RETURN_COMMENT = (
    "Komplettera bedömningen av målet om unga med utfall för indikatorerna uppdelat på "
    "kvinnor och män, och motivera varför två aktiviteter är försenade."
)


@dataclass(frozen=True)
class PlanSize:
    """How big a made-up plan is."""

    goals: int
    activities: int
    indicators: int


DEMO_SIZE = PlanSize(goals=4, activities=12, indicators=5)


CITY_SIZE = PlanSize(goals=6, activities=60, indicators=10)
