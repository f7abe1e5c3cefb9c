from assistant.text.french import analyze, detect_language, fold_accents, normalize, split_sentences


def test_elisions_accents_and_case_do_not_change_terms():
    assert analyze("l'Intelligence Artificielle") == analyze("intelligence artificielle")
    assert analyze("qu'elles développent") == analyze("elles developpent")
    assert analyze("d’Occitanie") == analyze("OCCITANIE")
    assert normalize("L’Élysée") == " elysee"


def test_stemming_joins_inflected_forms():
    assert analyze("entreprises innovantes") == analyze("entreprise innovante")
    assert analyze("financements")[0] == analyze("financement")[0]


def test_stop_words_are_dropped():
    assert analyze("Quel est le budget de la Région ?") == analyze("budget région")


def test_accent_folding_keeps_letters():
    assert fold_accents("Pôle Chimie Balard, créé à Montpellier") == "Pole Chimie Balard, cree a Montpellier"


def test_sentences_split_on_french_punctuation_but_not_abbreviations():
    text = "Selon M. Dupont, le dispositif est doté de 2 à 5 M€. Il entre en vigueur en juillet ! « Oui. »\n⯈ Le LAAS."
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert sentences == [
        "Selon M. Dupont, le dispositif est doté de 2 à 5 M€.",
        "Il entre en vigueur en juillet !",
        "« Oui. »",
        "Le LAAS.",
    ]


def test_sentence_spans_point_into_the_text():
    text = "Première phrase ici.  Deuxième phrase, avec 3,7 % de R&D. \n\nTroisième."
    for a, b in split_sentences(text):
        assert text[a:b].strip() == text[a:b] and text[a:b]


def test_language_detection():
    assert detect_language("Quel est le budget du plan IA ?") == "fr"
    assert detect_language("What is the budget of the AI plan?") == "en"
    assert detect_language("pass occitanie") == "fr"


def test_sms_spelling_is_written_out_whole_tokens_only():
    from assistant.text.french import sms_expanded

    assert sms_expanded("la ptite aide region pr les tpe elle donne cb") == "la petite aide region pour les tpe elle donne combien"
    assert sms_expanded("c koi le pass, ya encore ?") == "c quoi le pass, il y a encore ?"
    assert sms_expanded("Le CB de la PR") == "Le CB de la PR"  # capitals are names, not SMS
    assert sms_expanded("prêt, pré, apr") == "prêt, pré, apr"
