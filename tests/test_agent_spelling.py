"""Typos in a question are mended to the words the notes hold, and nothing else is."""

from secondbrain_core.agent.spelling import mend

NOTES = {"load": 5, "address": 3, "test": 9, "noch": 4, "lisbon": 2, "sara": 3, "loads": 1, "funnel": 2}


def test_a_word_no_note_holds_is_mended_to_the_note_word_one_edit_away():
    assert mend("who owns the laod test", NOTES) == ("who owns the load test", [("laod", "load")])
    assert mend("whats the adress of the place in lisbon", NOTES)[1] == [("adress", "address")]
    assert mend("lsbon trip", NOTES)[0] == "lisbon trip"


def test_the_most_frequent_of_several_near_words_wins():
    assert mend("oads", {"oats": 1, "loads": 7, "roads": 3})[0] == "loads"


def test_words_of_the_language_names_short_words_and_numbers_are_left_alone():
    # "tunnel" is a word (one edit from "funnel", which the notes hold); "Sarah" a name they do not hold.
    for question in ("how do I turn the tunnel on", "which books did Sarah recommend", "wat port", "room 1o1"):
        assert mend(question, NOTES) == (question, [])


def test_a_question_without_typos_is_unchanged():
    assert mend("the load test in lisbon?", NOTES) == ("the load test in lisbon?", [])


def test_a_typo_of_a_function_word_is_that_word():
    mended, _ = mend("wich glaze goes on the vases", {"glaze": 3, "vases": 2, "wish": 9})
    assert mended == "which glaze goes on the vases"


def test_shorthand_is_written_out_when_the_notes_use_the_long_form():
    notes = {"appointment": 2, "christmas": 1, "xmas": 0}
    assert mend("next dentist appt", notes) == ("next dentist appointment", [("appt", "appointment")])
    assert mend("xmas fair", {"xmas": 3, "christmas": 1}) == ("xmas fair", [])  # the notes say "xmas" too
