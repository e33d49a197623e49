"""What a question asks for, read from its wording alone (pure, no model, no index).

The local program answers from the notes' own words, so the kind of answer a question wants is
read from how it is asked: a number ("how many"), a name in code style ("which setting"), a polar
statement ("can I…?"), one form only (an email address, a phone number, a time of day), or a
whole note ("tell me about X").
"""

from __future__ import annotations

import re

from secondbrain_core.agent import other_language_forms as elsewhere
from secondbrain_core.agent.acronyms import asked_abbreviation, spelled_out
from secondbrain_core.agent.dates import DATE_SHAPE, DAY_OF_YEAR, TIME_OF_DAY
from secondbrain_core.agent.money import AMOUNT
from secondbrain_core.rag.keyword import CALENDAR

# What a question asks for, by its wording, and the shape of text that can hold it: a number
# for "how many/how long/default", a name in code style for "which setting/command/function".
# "how old" asks a number, and the measure a note names it by ("Age: 45")
# "how cold does it get at night" asks a temperature, which a value in degrees holds ("45°F")
MEASURES = {
    "old": "age",
    "tall": "height",
    "far": "distance",
    "heavy": "weight",
    "cold": "temperature",
    "hot": "temperature",
    "warm": "temperature",
}
_ASKS_NUMBER = re.compile(
    rf"\b(how (many|much|long|often|big|large|{'|'.join(MEASURES)})|default|limit|maximum|minimum|size)\b", re.I
)
_ASKS_NAME = re.compile(
    r"\b(which|what)\b.{0,30}\b(setting|parameter|option|command|function|view|file|variable|tool|flag|"
    r"program|type|extension|column|table|name|called)\b",
    re.I,
)
_ASKS_YES_NO = re.compile(
    r"(?:^|[.?!;:,\-]\s*)(?:so|and|but|ok|oh)?\s*"
    r"(can|could|does|do|did|is|are|was|were|will|would|should|has|have|must|may|"
    r"can't|doesn't|don't|isn't|aren't|won't|shouldn't)\s+(i|it|you|we|they|postgres\w*|the|a|an|this|that|there|my)\b",
    re.I,
)
_NUMBER_SHAPE = re.compile(r"\d")
# "ang pow total", "mombasa trip budget total": the line or row that sums, "Total: RM 3,056.", not
# the items it sums (whose words, rarer, match the question better)
_ASKS_TOTAL = re.compile(r"\b(?:total|totals|altogether|in total|sum of)\b", re.I)
_TOTAL_SHAPE = re.compile(r"\b(?:total|totals|sum|altogether)\b[^\n]{0,40}?\d", re.I)
_POLAR_SHAPE = re.compile(
    r"\b(not|no|never|cannot|can't|won't|isn't|aren't|doesn't|don't|only|must|always|unless|instead|without)\b", re.I
)
_NAME_SHAPE = re.compile(r"`[^`]+`|\b[a-z]+_[a-z_]+\b|\b[A-Z]{2,}[A-Z_ ]*\b")


# Questions that ask for a thing of one form only: an email address, a phone number, a time of
# day, a day, a postal address, an amount of money. When no chosen passage states one of the
# thing asked about, the notes do not say it however close they look ("what's my GP's email?"
# over a note with the GP's name and phone number; "how much did the last car service cost?" over
# the car's service dates), so the answer is declined. Money is asked by its words (cost, price,
# fee, rent…) or by "how much is/was the X", not by "how much" alone: "how much cetirizine do I
# take" wants a dose.
_MONEY_WORDS = (
    r"(?:cost|costs|costed|price|prices|priced|pay|paid|fee|fees|charge|charged|rent|spend|spent|budget|salary)"
)
# A code, a reference, a dose or a seat is asked by the word that names it ("wifi password",
# "kennel door code", "ryanair booking ref", "metacam dose", "which seat"); "how do I set a
# password?" asks for no value.
_LOCKS = r"(?:door|gate|lock|locker|padlock|alarm|access|entry|key\s?safe|lockbox|building|garage|safe)"
_REFERENCE_OF = (
    r"(?:booking|confirmation|reservation|order|tracking|flight|train|policy|account|customer|member(?:ship)?|"
    r"invoice|model|serial|part|licen[cs]e|registration|reg|rego|payment|transfer|deposit|"
    r"quote|quotation|receipt|ticket|case|claim|job|application|certificate|permit|contract|loan|chassis|vin|"
    r"client|patient|supplier|parcel|shipment|batch|lot|bol|po|pro|awb|waybill|"
    # a person's numbers the state gives: "my UTR number", "NI number", "passport no"
    r"passport|tax|vat|utr|nhs|ni|nino|pps|ppsn|sin|ssn|nif|nie|gst|abn|tfn|ird|bsn|pan|ein|itin)"
)
# a month or weekday is no street: "Tuesday 23", "Nov 2026", "Wednesdays 7:00" are days (the
# names the index folds), and a number with minutes or am/pm is a time, not a house
_DAY_NAMES = sorted({name.title() for pair in CALENDAR.items() for name in pair}, key=len, reverse=True)
_NOT_A_DAY = rf"(?!(?:{'|'.join(_DAY_NAMES)})s?\b)"
_NOT_A_TIME = r"(?![:.]\d)(?!\s?(?:am|pm|a\.m|p\.m)\b)"
_ASKED_FORMS: dict[str, tuple[re.Pattern, re.Pattern]] = {
    "email address": (
        # "carla benedetti email" typed as a keyword query, not "what did the landlord say in his email"
        re.compile(
            r"\b(e-?mail|mail)\s+(address|adress|addr)\b|\w'?s\s+e-?mail\b"
            r"|^\W*(?:what(?:'s|’s| is)\s+)?(?!.*\b(?:did|do|does|send|sent|last|latest|first|that|this|the|his|her|"
            r"their|my|which|when|how|why|where|who|from|in|about)\b)(?:[\w.-]+\s+){1,3}e-?mail\s*[?.!]?\s*$",
            re.I,
        ),
        re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ),
    "phone number": (
        re.compile(
            r"\b(phone|mobile|cell|telephone)\s*(number|no\b|nr\b|#)|'s\s+(phone|mobile|cell|number)\b"
            r"|^(?!.*\b(?:how|why)\b).*\b(phone|mobile)\s*[?.!]?\s*$",
            re.I,
        ),
        # not a date ("03.04.2026", "2026-04-03", "2026/03/26"), whose digits run as long, nor the
        # digits of a code ("BBC-2604-118", "MDX-260414-3381"), nor thirteen digits or more run
        # together with no "+" (a microchip's "900164001266048", an account number)
        re.compile(
            r"(?<![\w.-])(?!\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}[./-]\d{1,2}[./-]\d{1,2}\b|\d{13})"
            r"\+?\d(?:[ \-/().]?\d){6,}(?![\w-])"
        ),
    ),
    "time of day": (
        # "weihnachtsturnier start time": an event's time named by what happens then
        re.compile(
            r"\b(at )?what time\b(?!\s*zones?\b)|\bopening hours\b"
            r"|\b(?:start|starting|kick-?off|departure|arrival|pick-?up|drop-?off|check-?in|check-?out|closing|finish)"
            r"\s+times?\b",
            re.I,
        ),
        re.compile(TIME_OF_DAY, re.I),
    ),
    # a birthday is a day of a month, never a weekday: "fiadh's birthday" over "fine by Wed";
    # "what did I get chioma for her birthday" asks a gift
    "day of the year": (
        re.compile(
            r"(?<!for his )(?<!for her )(?<!for my )(?<!for our )(?<!for their )(?<!for the )"
            r"\b(?:birthday|bday|anniversary)\s*[?.!]?\s*$"
            r"|\bwhen(?:'s|’s|\s+(?:is|was)\b).*\b(?:birthday|bday|anniversary)\b"
            r"|\b(?:date of birth|birth\s?date|dob)\b",
            re.I,
        ),
        re.compile(DAY_OF_YEAR),
    ),
    # "when is Ben's wedding?", "when did I last replace the thermocouple?", "which day is bin day?":
    # not "when does autovacuum run?", whose answer is a condition rather than a day.
    "date": (
        re.compile(
            r"(?:^|[.?!;:,]\s*)(?:(?:and|so|but|ok|oh)\s+)?"
            r"(?:when(?:'s|’s|\s+(?:is|was|are|were|did|am)\b)|(?:what|which)\s+(?:date|day)\b)"
            # a topic typed with the word for what is asked last ("montemor christmas fair dates"),
            # not "how do I change the date", "up to date", "one row per day between two dates"
            r"|^(?!.*\b(?:how|why)\b)(?!.*\b(?:a|an|the|by|to|of|with|from|and|or|two|both|all|any|between|per|each|"
            r"every|some|several|multiple)\s+dates?\s*[?.!]?\s*$).*\bdates?\s*[?.!]?\s*$",
            re.I,
        ),
        DATE_SHAPE,
    ),
    "code or password": (
        re.compile(
            r"^(?!.*\b(?:how|why)\b)(?!.*\ban?\s+(?:\w+\s+)?(?:password|passcode|code|combo|pin)\b)"
            r"(?:.*\b(?:password|passcode|passphrase|login|credentials)"  # a combo alone may be of anything
            rf"|.*\b{_LOCKS}\s+(?:code|combo|combination|pin)|.*\bcombo(?=\s+(?:for|to|of|on)\b.*\b{_LOCKS}\b)"
            r"|.*\bpin\s+(?:code|number)|.*\b(?:card|debit|credit|bank|banking|atm|sim|phone|m-?pesa|my)\s+pin)"
            r"\s*(?:[?.!]|\b(?:for|to|of|at|on|in)\b|$)",
            re.I,
        ),
        # the code after the word that names it, in one statement: "combo 3-1-7", "password
        # `juniperzoomies26`", "Kennel door code **4417#**"; a digit or a code span makes it a code
        re.compile(
            r"\b(?:password|passcode|passphrase|login|pin|code|combo|combination|padlock|lock|key\s?safe|lockbox|keypad)\b"
            r"[^\n]{0,40}?"
            # not a digit glued to a word ("Logins → 1Password" names an app) nor a quantity ("the
            # 6-digit TAC"): no code
            r"(?:`[^`\n]+`|(?<![\w-])(?!\d[a-z]{4,}\b|\d+-[a-z]{2,}\b)(?=[\w#-]*\d)[\w#-]{3,})",
            re.I,
        ),
    ),
    "seat": (re.compile(r"\bseats?\b", re.I), re.compile(r"\bseats?\b\W{0,3}\d{1,3}[A-K]?\b|\b\d{1,2}[A-K]\b")),
    "reference": (
        re.compile(
            rf"\b{_REFERENCE_OF}\s*(?:number\b|no\b\.?|nr\b|#|ref\b|reference\b|code\b|id\b)|\bref\b"
            # a vehicle's registration: "callum's car reg"
            r"|\b(?:car|van|vehicle|bike|motorbike|truck|bakkie|ute|trailer)(?:'s)?\s+reg\b"
            r"|\b(?:the|my|our)\s+reference\s+(?:for|of|number|no)\b",
            re.I,
        ),
        # capitals and digits mixed ("PBR-2290", "K7Q2XM", "LRMVC2306S", "PHE/2026/078"), a carrier
        # and number ("AC 1828"), a long number; case matters: "cost45" is no reference
        re.compile(
            r"\b(?=[A-Z0-9/-]*\d)(?=[A-Z0-9/-]*[A-Z])[A-Z0-9][A-Z0-9/-]{3,}\b|\b[A-Z]{2,3}\s?\d{2,5}\b"
            r"|(?<![\d.,])\d{5,}(?![\d,]|\.\d)"  # a long number, a sentence's last word too
            # a long number written in four groups or more, nine digits or more (no date, no phone
            # number: "+60 12-555 4418"): "30 14 221 908 447"
            r"|(?<![\d.,+])(?=(?:[ \u00a0\u202f.-]?\d){9})\d{2,4}(?:[ \u00a0\u202f.-]\d{2,4}){3,}(?![\d,]|\.\d)"
        ),
    ),
    "dose": (
        re.compile(r"\b(?:dose|doses|dosage|dosing)\b", re.I),
        re.compile(
            r"\d(?:[\d.,/]*\d)?\s?(?:mg|mcg|µg|ug|g|ml|units?|iu|tabs?|tablets?|puffs?|drops?|caps(?:ules)?|mmol|meq)\b",
            re.I,
        ),
    ),
    # "zip code for gila valley fresh", "kennel postcode": the code alone, of the country's shape
    # (a US ZIP; a UK, Canadian, Irish, European or four-digit postcode)
    "postcode": (
        re.compile(r"\b(?:zip|zipcode|postcode|post\s+code|postal\s+code|eircode)\b", re.I),
        re.compile(
            r"(?<![\d$€£.,/-])\d{5}(?:-\d{4})?(?![\d,./-])"
            # Portugal's "7050-512", Brazil's "01310-100", Poland's "00-950", the Netherlands' "1012 AB"
            r"|(?<![\d.,/-])(?:\d{4}-\d{3}|\d{5}-\d{3}|\d{2}-\d{3})(?![\d,./-])|\b\d{4}\s?[A-Z]{2}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
            r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\b[A-Z]\d{2}\s?[A-Z0-9]{4}\b"
            # four digits after a state ("VIC 3000") or before a town ending the line ("5035 Bergen"),
            # not a house number ("4150 E County 12th St")
            r"|(?:(?<=\b[A-Z]{2}\s)|(?<=\b[A-Z]{3}\s))\d{4}\b|\b\d{4}\s+[A-Z][^\W\d_A-Z]+(?=\s*(?:,|$))"
        ),
    ),
    # "kennel address", "address of luca's parents": a street and number, or a postcode
    "postal address": (
        re.compile(r"(?<!e-mail )(?<!email )(?<!mail )(?<!ip )(?<!web )(?<!mac )\baddress\b", re.I),
        re.compile(
            # a house number and its street; a year, an amount or a unit is none ("2014 Transporter",
            # "£10,000 Caledonian Mutual", "130 PS")
            rf"(?<![\d,.])\b(?!(?:19|20)\d\d\b)\d+[A-Za-z]?,?[ \t]+{_NOT_A_DAY}[A-Z](?:[^\W\d_A-Z]|['’][A-Z])[\w'’.-]*"
            rf"|\b{_NOT_A_DAY}[A-Z][\w'’.-]+[ \t]+\d{{1,4}}[A-Za-z]?\b{_NOT_A_TIME}"
            r"|\b[A-Z]\d{2}\s?[A-Z0-9]{4}\b|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
            # "12 rue des Lilas", "3 bis avenue Foch": a French street's kind is written small
            r"|\b\d+(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route)\b"
        ),
    ),
    "amount of money": (
        re.compile(
            rf"\bhow much\b.{{0,60}}\b(?:{_MONEY_WORDS}|per (?:night|month|week|hour|day|person))\b"
            r"|\bhow much (?:is|was|are|were)\s+(?:the|my|our|his|her|their|it|that|this)\b"
            rf"|^(?!.*\bhow\s+(?:did|do|does|can|could|will|would|should)\b)(?=.*\b{_MONEY_WORDS}\s+(?:of|for)\b)"
            r"|\b(?:prices?|fees?|salary)\b|\b(?:interest|tax|vat|exchange)\s+rates?\b"
            # "what did the mating nucs cost", "what does a hive audit cost"
            r"|\bwhat\s+(?:did|does|do|will|would)\b.{0,60}\bcost\b"
            rf"|\bwhat(?:'s| is| was| are| were)?\s+(?:the |my |our |his |her |their )?"
            rf"(?:[\w-]+ ){{0,2}}{_MONEY_WORDS}\b",
            re.I,
        ),
        # an amount in any currency, or under a label that names it ("Adoption fee ($): 550", a
        # column "Total (€)"), or a rate ("0.9% + €0.10 per transaction")
        AMOUNT,
    ),
}


def asked_form(question: str) -> str | None:
    """The one form the question's answer must take (a key of `_ASKED_FORMS`), if it asks for one,
    in English or in another language (`other_language_forms`)."""
    folded = elsewhere.fold(question)
    return next(
        (name for name, (asks, _) in _ASKED_FORMS.items() if asks.search(question) or elsewhere.asks(name, folded)),
        None,
    )


# The words that name a form rather than the thing it is asked of.
_FORM_WORDS = re.compile(
    rf"\b(?:e-?mail|mail|address|adress|addr|phone|mobile|cell|telephone|number|no|nr|time|opening|hours?|"
    r"password|passcode|passphrase|login|credentials|pin|code|combo|combination|ref|reference|id|seats?|dose|doses|dosage|dosing|"
    r"zip|zipcode|postcode|post code|postal code|eircode|"
    r"birthday|bday|anniversary|date of birth|birth\s?date|dob|"
    rf"how much|{_MONEY_WORDS}|per (?:night|month|week|hour|day|person)|dates?|day|due)\b",
    re.I,
)


def names_a_form(word: str) -> bool:
    """Whether `word` is one that asks for a form ("phone", "email", "telefonnummer"): the forms are
    read in every language, so such a word is never put in the notes' language."""
    return bool(_FORM_WORDS.fullmatch(word) or elsewhere.FORM_WORDS.fullmatch(elsewhere.fold(word)))


def form_subject(question: str) -> str:
    """The question without the words that ask for a form: what the answer must be stated about
    ("electrician email address" → "electrician", "blumen hartl telefonnummer" → "blumen hartl")."""
    return _FORM_WORDS.sub(" ", elsewhere.FORM_WORDS.sub(" ", elsewhere.fold(question)))


# A number that names something rather than counts it: a year, a day of a month, a class, a
# session ("weekly review 23 nov", "mock results for year 10", "supervision 4"). Not a quantity
# ("joining 15 tables": a plural follows), a value ("owner_id = 7") or part of a word ("sha-256").
_NAMING_NUMBER = re.compile(r"(?<![\w.,:=<>+\-/])(?<![=<>] )\d+(?![\w.:\-/%]|,\d)(?!\s+\w+s\b)")


def naming_numbers(question: str) -> list[str]:
    """The numbers in `question` that name what it asks about (a note that never holds them
    cannot be the one asked about)."""
    return _NAMING_NUMBER.findall(question)


# "pretrip step 6", "step 3 when submitting to the factor": the item of a numbered list a question
# names by its number
_ITEM_NAMED = re.compile(r"\b(?:step|item|point|stage|rule)\s*#?\s*(\d{1,2})\b", re.I)


def items_named(question: str) -> set[int]:
    """The numbers of the list items `question` names ("step 6" → {6})."""
    return {int(number) for number in _ITEM_NAMED.findall(question)}


# "What do my notes say about the Lisbon trip?", "tell me about Biscuit", "summarize the on-call
# runbook": the question names a note rather than asking a fact; its answer is that note's opening.
_OVERVIEW = re.compile(
    r"^\s*(?:what do (?:my |the )?notes (?:say|have) (?:about|on)|what(?:'s| is) in (?:my )?notes? (?:about|on)|"
    r"tell me about|summari[sz]e|give me an overview of|overview of)\s+(?:my |the |our )?(?P<topic>.+?)[\s?.!]*$",
    re.IGNORECASE,
)


def overview_topic(question: str) -> str | None:
    """The note a question asks about as a whole ("tell me about X" → "X"), else None."""
    match = _OVERVIEW.match(question)
    return match.group("topic") if match else None


def answer_shape(question: str) -> re.Pattern | None:
    """The shape an answer's unit must have, when the question says which (else None)."""
    abbreviation = asked_abbreviation(question)
    if abbreviation is not None:
        return spelled_out(abbreviation)
    form = asked_form(question)
    if form is not None:
        return form_shape(form)
    if _ASKS_TOTAL.search(question):
        return _TOTAL_SHAPE
    if _ASKS_NAME.search(question):
        return _NAME_SHAPE
    if _ASKS_NUMBER.search(question):
        return _NUMBER_SHAPE
    if _ASKS_YES_NO.search(question):
        return _POLAR_SHAPE
    return None


def form_shape(form: str) -> re.Pattern:
    """The text shape that holds an answer of `form` (a key `asked_form` returns)."""
    return _ASKED_FORMS[form][1]
