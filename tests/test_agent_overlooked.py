"""The local program reads BM25's hits that the hybrid fusion dropped when they hold more of the
question than any hybrid hit ("AME phone #" over one short note that writes "AME"), and only
then: a chunk holding a word no hit holds, but less of the question, is no better evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from secondbrain_core.agent import evidence as ev
from secondbrain_core.agent.local_program import GroundedAnswerer, TermStats
from secondbrain_core.rag.search import SearchHit


def _hit(chunk: str, title: str, text: str) -> SearchHit:
    return SearchHit(chunk_id=chunk, page_id=f"p-{chunk}", title=title, url="", score=1.0, text=text)


@dataclass
class _Tools:
    """Hybrid and BM25 hits as the retriever would give them; records the modes asked."""

    hybrid: list[SearchHit]
    keyword: list[SearchHit]
    modes: list[str] = field(default_factory=list)

    def hits(self, query: str, k: int | None = None, filters=None, mode: str = "hybrid") -> list[SearchHit]:
        self.modes.append(mode)
        return (self.hybrid if mode == "hybrid" else self.keyword)[:k]


HYBRID = [
    _hit("links", "Useful links", "FAA MedXPress: fill this out BEFORE the AME appt."),
    _hit("trip", "D4420", "Dates: 10/20/2026. Layover: OMA, ICT."),
]
MEDICAL = _hit("medical", "FAA medical", "AME: Dr. Harold Benning, Englewood. 303-555-0178. Cash only.")
PHONE_BILL = _hit("bill", "Phone", "Provider: Cascade Wireless. Amount: $48.00.")


def _program(tools: _Tools) -> GroundedAnswerer:
    words = {"ame": 2, "phone": 6, "faa": 2, "layover": 1, "medxpress": 1}  # "phone" is commoner
    stats = TermStats.from_index(40, words)
    return GroundedAnswerer(tools, stats, None, None, ev.SelectionParams(), 0.47, 6)


def test_a_keyword_hit_holding_more_of_the_question_is_read() -> None:
    tools = _Tools(HYBRID, [PHONE_BILL, HYBRID[0], MEDICAL])
    # the medical note holds "AME" and states a phone number, which is what "phone #" asks for
    assert _program(tools)._overlooked("AME phone #", "AME phone #", HYBRID) == [MEDICAL]
    assert tools.modes == ["bm25"]


def test_a_keyword_hit_holding_no_more_of_the_question_is_not() -> None:
    # the phone bill holds "phone" but not "AME": no more of the question than the links note
    tools = _Tools(HYBRID, [PHONE_BILL, HYBRID[0]])
    assert _program(tools)._overlooked("AME phone #", "AME phone #", HYBRID) == []


def test_a_question_naming_a_numbered_thing_no_hit_names_reads_the_notes_titled_with_it() -> None:
    hybrid = [
        _hit("stuck", "Stuck ferment – Tank 9", "Inoculated 2026/02/20, peak 2026/02/24."),
        _hit("log7", "Ferment log – Tank 7", "| 2026/02/28 | 24.8 | 14 |"),
    ]
    harvest = _hit("harvest", "Harvest day – 2026-02-12", "| B6 | Chenin blanc | 23.1 | Tank 12 |")
    log12 = _hit("log12", "Ferment log – Tank 12", "| 2026/02/22 | 10.6 | 14 |")
    tools = _Tools(hybrid, [harvest, log12])
    # the note titled with tank 12 before the harvest row that only pours into it
    assert _program(tools)._overlooked("tank 12 balling 2026/02/22", "tank 12 balling 2026/02/22", hybrid)[0] == log12
    assert _program(_Tools(hybrid, [harvest]))._overlooked("tank 7 balling", "tank 7 balling", hybrid) == []


def test_a_question_naming_an_identifier_no_hit_holds_reads_the_notes_that_write_it() -> None:
    """Dense found the contract next door closer; a follow-up naming none ("his phone?") asks of
    the identifier the question before named."""
    hybrid = [
        _hit("pc04", "PC-2025-04 – Hamish Boyce", "- **Grower:** Hamish Boyce\n- **Phone:** 027 555 0472"),
        _hit("pc06", "PC-2025-06 – Glenroy Apples", "- **Grower:** Tom Haddad"),
    ]
    table = _hit("table", "Pollination contracts", "| Contract | Grower |\n| --- | --- |\n| PC-2025-01 | Harjit |")
    pc02 = _hit("pc02", "PC-2025-02 – Harpreet Sandhu", "- **Grower:** Harpreet Sandhu\n- **Phone:** 021 555 0247")
    tools = _Tools(hybrid, [table, pc02])
    asked = "who's the grower on PC-2025-02"
    assert _program(tools)._overlooked(asked, asked, hybrid) == [pc02]
    assert _program(tools)._overlooked(f"{asked} his phone?", "his phone?", hybrid) == [pc02]
    assert _program(tools)._overlooked("and PC-2025-04's phone?", "and PC-2025-04's phone?", hybrid) == []
