"""C2PA Content Credentials for every output mamori releases.

Each signed asset carries a ``c2pa.actions.v2`` ``c2pa.created`` action (digital source type
trainedAlgorithmicMedia, the generator as softwareAgent), mamori's ``org.mamori.rights`` assertion
(generation id, decision, licensed characters with rightsholder and terms, ledger hash) and a
``cawg.training-mining`` assertion (default: AI training, generative training, inference and data
mining all notAllowed). Signing is ES256 with a PEM certificate chain and key, fully offline.
"""

from mamori.provenance.certs import TestCA, make_test_ca
from mamori.provenance.errors import (
    ProvenanceConfigError,
    ProvenanceError,
    SigningRefused,
    UnsupportedFormat,
)
from mamori.provenance.manifest import (
    ACTIONS_LABEL,
    DIGITAL_SOURCE_TYPE,
    RIGHTS_LABEL,
    TRAINING_MINING_LABEL,
    ProvenanceInfo,
    default_training_mining,
)
from mamori.provenance.signer import ProvenanceSigner
from mamori.provenance.verify import VerifyResult, verify

__all__ = [
    "ACTIONS_LABEL",
    "DIGITAL_SOURCE_TYPE",
    "RIGHTS_LABEL",
    "TRAINING_MINING_LABEL",
    "ProvenanceConfigError",
    "ProvenanceError",
    "ProvenanceInfo",
    "ProvenanceSigner",
    "SigningRefused",
    "TestCA",
    "UnsupportedFormat",
    "VerifyResult",
    "default_training_mining",
    "make_test_ca",
    "verify",
]
