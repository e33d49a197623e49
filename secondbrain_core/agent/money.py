"""Amounts of money as notes write them, in any currency (pure, no model).

"how much was the quote A cooler?" over a quote that writes "Sh. 1,835,000/-", "KES 1.2M" or
"Ksh 4500/=" asks for an amount the notes state; a currency left off a list is a price read as no
price, and the question is declined. So a currency is read by its class, not by a list of the
places the notes so far came from: every currency sign Unicode knows ($ £ € ¥ ₹ ₦ ₱ ₩ ₫ ₺ ₽ ₪ ฿ ₵
…), every ISO 4217 code written in capitals next to a number, the names of currencies and the
local abbreviations people write before an amount (R, Rs, Rp, RM, KSh, TSh, USh, Sh.), and the
"/=" and "/-" that East African and South Asian notes close an amount with.
"""

from __future__ import annotations

import re
import unicodedata

# every currency sign of the Basic Multilingual Plane (Unicode category Sc)
SIGNS = "".join(chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) == "Sc")
_SIGN = f"[{re.escape(SIGNS)}]"
# ISO 4217 codes in use, matched in capitals only; those that are English words too ("ALL 3
# cows", "TOP 10", "BOB", "PEN", "TRY") are left out
_ISO_CODES = (
    "AED AFN AMD ANG AOA ARS AUD AWG AZN BBD BDT BGN BHD BIF BMD BND BRL BSD BTN BWP BYN BZD CAD CDF CHF "
    "CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GHS GIP GMD GNF GTQ GYD HKD HNL "
    "HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL "
    "LYD MDL MGA MKD MMK MNT MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PGK PHP PKR PLN "
    "PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SRD SSP STN SVC SYP SZL THB TJS TMT TND TTD "
    "TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL"
)
_CODE = f"(?-i:{_ISO_CODES.replace(' ', '|')})"
# codes people also type small ("eur 40", "500 usd")
_TYPED_CODES = "eur|usd|gbp|chf|cad|aud|nzd|nok|sek|dkk|pln|czk|jpy|inr|mxn|brl|zar|kes"
# written before an amount: in capitals where the letters are a word or an initial too ("R 90",
# "Rs. 4,500", "Rp 50.000", "RM 12", "Dhs 40", "Tk 500"; not "Fr 12", a Friday), in any case
# where they are not
_BEFORE = r"(?-i:\b(?:R|Rs|Rp|RM|Dh|Dhs|Tk|S/)\.?\s?\d)|\b(?:k?shs?|ksh|tsh|ush|kr|zł)\.?\s?\d"
# written after an amount: a currency's name, a code, a sign; "bob" is a shilling, "lakh" and
# "crore" count rupees, "quid" pounds
_NAMES = (
    "euros?|dollars?|bucks|pounds?|quid|pence|cents?|shillings?|bob|rands?|rupees?|lakhs?|crores?|rupiah|"
    "ringgit|baht|yen|yuan|renminbi|rmb|won|dong|pesos?|reais|lira|liras|dirhams?|riyals?|dinars?|francs?|"
    "z[lł]oty|forint|korun[ay]?|lei|rubles?|roubles?|hryvnias?|taka|kwacha|naira|cedis?|birr|kroner|kronor|"
    "krona|krone|kr|zł"
)
_AFTER = rf"\d[\d.,]*\s?(?:{_SIGN}|{_CODE}\b|(?:{_TYPED_CODES}|{_NAMES})\b)"
# "4500/=", "12,000/-": the amount closed so no digit can be added to it
_CLOSED = r"\d/[=-](?![\w/])"
# a column or a label that names the currency its numbers are in: "Total (€)", "Amount (KSh)"
_LABEL_NAMES = rf"{_TYPED_CODES}|k?shs?|ksh|kr|zł|rs?"  # the letters a label writes in brackets
_LABEL = rf"\((?:{_SIGN}|{_CODE}|{_LABEL_NAMES})\)[^\n]*\d"

AMOUNT = re.compile(
    rf"{_SIGN}\s?\d|\b{_CODE}\.?\s?\d|\b(?:{_TYPED_CODES})\s?\d|{_BEFORE}|{_AFTER}|{_CLOSED}|{_LABEL}|\d\s?%",
    re.I,
)
# what names the currency of a column or a row ("Total (€)", "| PHP |", "Amount (KSh)", "eur"): its
# amounts are written without it ("| Cement (Portland, 40 kg) | bag | 285 |")
CURRENCY = re.compile(rf"{_SIGN}|\b{_CODE}\b|\((?:{_LABEL_NAMES})\)|^\s*(?:{_TYPED_CODES})\s*$", re.I)
