from assistant.retrieval.expansion import GLOSSARY, expanded_query, term_groups
from assistant.text.french import words

VOCABULARY = {"demain", "start", "up", "industri", "dot", "dotat", "mont", "subvent", "disponibl", "pass", "occitan",
              "biotechnolog"}


def test_glossary_keys_are_in_the_form_questions_are_looked_up_in():
    assert all(words(key) == [key] for key in GLOSSARY)


def test_misspelt_and_glued_words_are_repaired_against_the_index_vocabulary():
    groups = {g.word: g for g in term_groups("startup industrie de demin subvension", VOCABULARY)}
    assert {"start", "up"} <= groups["startup"].terms
    assert "demain" in groups["demin"].terms and "subvent" in groups["subvension"].terms
    assert all(g.known for g in groups.values())


def test_a_shortened_word_finds_the_full_word_of_the_documents():
    (biotech,) = [g for g in term_groups("ma boite de biotech", VOCABULARY) if g.word == "biotech"]
    assert biotech.known and "biotechnolog" in biotech.terms


def test_everyday_and_english_words_reach_the_documents_words():
    assert "dot" in expanded_query("Quel est le budget ?", VOCABULARY)
    assert "disponibl" in expanded_query("is pass occitanie still open?", VOCABULARY)


def test_words_the_corpus_never_uses_stay_unknown():
    (bretagne,) = [g for g in term_groups("Région Bretagne", VOCABULARY) if g.word == "bretagne"]
    assert not bretagne.known


def test_a_repair_is_searched_once_per_vocabulary_and_a_new_vocabulary_searches_anew(monkeypatch):
    import difflib

    searched = []
    close_matches = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda word, *a, **k: searched.append(word) or close_matches(word, *a, **k))
    vocabulary = set(VOCABULARY)
    first = expanded_query("subvension pour demin", vocabulary)
    assert expanded_query("subvension pour demin", vocabulary) == first and "subvent" in first
    assert sorted(searched) == ["demin", "subvens"]
    assert "demain" in expanded_query("demin", vocabulary | {"subvension"}) and len(searched) == 3
