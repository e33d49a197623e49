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


def test_letters_glued_to_digits_are_part_of_an_identifier_not_a_typo():
    # "bfloat16" is one word of the notes, not "bfloat" (one edit from "float") and "16"
    notes = {"float": 5, "bfloat16": 2, "error": 3}
    assert mend("fix bfloat16 found float error", notes) == ("fix bfloat16 found float error", [])
    assert mend("flaot16 vs bf16", notes) == ("flaot16 vs bf16", [])


def test_a_question_without_typos_is_unchanged():
    assert mend("the load test in lisbon?", NOTES) == ("the load test in lisbon?", [])


def test_a_typo_of_a_function_word_is_that_word():
    mended, _ = mend("wich glaze goes on the vases", {"glaze": 3, "vases": 2, "wish": 9})
    assert mended == "which glaze goes on the vases"


def test_shorthand_is_written_out_when_the_notes_use_the_long_form():
    notes = {"appointment": 2, "christmas": 1, "xmas": 0}
    assert mend("next dentist appt", notes) == ("next dentist appointment", [("appt", "appointment")])
    assert mend("xmas fair", {"xmas": 3, "christmas": 1}) == ("xmas fair", [])  # the notes say "xmas" too


def test_a_word_of_the_language_that_is_not_in_the_tokenizer_is_no_typo():
    # "platter" and "groomer" are English words (not whole tokens of MiniLM's vocabulary): a question
    # about a platter is not a question about the planter the notes price
    notes = {"planter": 4, "groomed": 2}
    for question in ("price of a large serving platter", "who is the groomer"):
        assert mend(question, notes) == (question, [])


def test_shorthand_the_notes_do_not_spell_out_is_left_alone():
    assert mend("next dentist appt", {"app": 5}) == ("next dentist appt", [])


def test_a_question_in_another_language_is_mended_only_to_a_long_english_cognate():
    assert mend("Wie hoch ist die Miete", {"noch": 4, "miete": 2})[1] == []  # "hoch" is German, not "noch"
    assert mend("bis wann muss es bezahlt sein", {"seit": 2, "seen": 3})[1] == []
    mended, typos = mend("a che temperatura cuocevano il biscotto", {"temperature": 3})
    assert typos == [("temperatura", "temperature")] and "temperature" in mended


def test_a_long_form_is_shortened_when_the_notes_write_only_the_shorthand():
    assert mend("deposit e-transfer reference", {"ref": 3, "deposit": 2})[1] == [("reference", "ref")]
    assert mend("deposit reference", {"ref": 3, "reference": 1})[1] == []  # the notes use both
