"""The one error that ledger verification raises.

Every check on evidence handed to us (a Merkle proof, a root, a signed note, a checkpoint, a verifier
key) fails with `VerificationError`, never with a bare ValueError or a False return, so a caller
cannot forget a branch and a person reading the message learns exactly which check failed.

Misuse by our own code (asking for the proof of a leaf beyond the tree, a storage layer that lost a
node, signing a body that is not note text) is a programming or storage fault, not failed evidence,
and raises ValueError instead.
"""


class VerificationError(Exception):
    """Evidence failed to verify; `reason` names the exact check and the values involved."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
