"""Shorthand people type about their own lives and the long forms their notes may use instead.

Read by the spelling step (a question's "appt" written out when the notes say "appointment")
and by the evidence terms (a note's "appt" and a question's "appointment" are one term).
"""

from __future__ import annotations

# Shorthand → the long forms a note may use instead, first found wins.
SHORTHAND = {
    "appt": ("appointment",),
    "appts": ("appointments", "appointment"),
    "xmas": ("christmas",),
    "bday": ("birthday",),
    "meds": ("medication", "medications", "medicine"),
    "insta": ("instagram",),
    "tmrw": ("tomorrow",),
    "dept": ("department",),
    "mgr": ("manager",),
    "addr": ("address",),
    "uni": ("university",),
    "approx": ("approximately",),
    "temp": ("temperature",),
    "mins": ("minutes",),
    "hrs": ("hours",),
    "yr": ("year",),
    "yrs": ("years",),
    "wk": ("week",),
    "wks": ("weeks",),
    "ref": ("reference",),
    "fav": ("favourite", "favorite"),
    "govt": ("government",),
    "docs": ("documents",),
    "pics": ("photos", "pictures"),
    "reg": ("registration",),
    "tel": ("telephone",),
    "mob": ("mobile",),
    "info": ("information",),
    "qty": ("quantity",),
    "amt": ("amount",),
    "mtg": ("meeting",),
    "mtgs": ("meetings", "meeting"),
    "ch": ("chapter",),
    "chap": ("chapter",),
    "reno": ("renovation",),
    "rego": ("registration",),
    "acct": ("account",),
    "mgmt": ("management",),
    "ppl": ("people",),
    "avg": ("average",),
    "pct": ("percent", "percentage"),
}
# Long form → its shorthand, the first listed ("appointment" is "appt", not "appts").
SHORT_FORMS = {long: (short,) for short, longs in reversed(SHORTHAND.items()) for long in longs}
