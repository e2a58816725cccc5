"""Tree paths and referral codes as the product writes them, generated in bulk for the benchmarks."""

from __future__ import annotations

from functools import cache

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default MP_Node.alphabet
REFERRAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # domain.distributors.REFERRAL_CODE_ALPHABET
REFERRAL_LENGTH = 10
_REF_SPACE = len(REFERRAL_ALPHABET) ** REFERRAL_LENGTH
_REF_MUL, _REF_ADD = 25_214_903_917, 12_345_678_901  # affine bijection on the code space: unique codes


@cache
def step(position: int) -> str:
    """One 4-character path step, as treebeard's ``_get_path`` writes it (1 -> '0001')."""
    digits = ""
    while position:
        position, rem = divmod(position, 36)
        digits = ALPHABET[rem] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


def referral_code(node_id: int) -> str:
    """A distinct, valid referral code for each node id."""
    value = (node_id * _REF_MUL + _REF_ADD) % _REF_SPACE
    chars = []
    for _ in range(REFERRAL_LENGTH):
        value, rem = divmod(value, len(REFERRAL_ALPHABET))
        chars.append(REFERRAL_ALPHABET[rem])
    return "".join(chars)
