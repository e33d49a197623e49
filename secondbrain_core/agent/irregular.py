"""English verbs whose past forms no suffix stripping reaches ("bought" is "buy").

"When did I buy the boat?" is answered by "the snekke I bought in May 2025": the statement that
holds the day must hold the question's rarest word, and "bought" never strips to "buy". Left
out: forms that are words or names of their own ("left", "saw", "felt", "found", "lay", "rose",
"ground", "sat" for Saturday, "met", "won", "lent", "fell", "drew").
"""

from __future__ import annotations

# base form → its irregular past and past participle forms
_FORMS = {
    "buy": ("bought",),
    "pay": ("paid",),
    "sell": ("sold",),
    "build": ("built",),
    "spend": ("spent",),
    "send": ("sent",),
    "bring": ("brought",),
    "catch": ("caught",),
    "teach": ("taught",),
    "think": ("thought",),
    "keep": ("kept",),
    "sleep": ("slept",),
    "hold": ("held",),
    "lose": ("lost",),
    "tell": ("told",),
    "take": ("took", "taken"),
    "give": ("gave", "given"),
    "write": ("wrote", "written"),
    "drive": ("drove", "driven"),
    "ride": ("rode", "ridden"),
    "choose": ("chose", "chosen"),
    "break": ("broke", "broken"),
    "forget": ("forgot", "forgotten"),
    "speak": ("spoke", "spoken"),
    "steal": ("stole", "stolen"),
    "wear": ("wore", "worn"),
    "eat": ("ate", "eaten"),
    "begin": ("began", "begun"),
    "sing": ("sang", "sung"),
    "swim": ("swam", "swum"),
    "ring": ("rang", "rung"),
    "drink": ("drank", "drunk"),
    "run": ("ran",),
    "stand": ("stood",),
    "understand": ("understood",),
    "know": ("knew", "known"),
    "grow": ("grew", "grown"),
    "throw": ("threw", "thrown"),
    "fly": ("flew", "flown"),
    "wake": ("woke", "woken"),
    "hide": ("hid", "hidden"),
    "shake": ("shook", "shaken"),
    "come": ("came",),
    "become": ("became",),
    "make": ("made",),
    "hear": ("heard",),
    "sweep": ("swept",),
    "dig": ("dug",),
    "hang": ("hung",),
    "stick": ("stuck",),
    "strike": ("struck",),
}
IRREGULAR = {form: base for base, forms in _FORMS.items() for form in forms}
