from __future__ import annotations

import pytest
from prov_helpers import image_bytes, make_info, mp4_bytes

from mamori.provenance import ProvenanceInfo, ProvenanceSigner, TestCA, make_test_ca


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return make_test_ca(tmp_path_factory.mktemp("c2pa-ca"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return make_test_ca(tmp_path_factory.mktemp("c2pa-other-ca"))


@pytest.fixture(scope="session")
def signer(test_ca: TestCA) -> ProvenanceSigner:
    return ProvenanceSigner.from_files(test_ca.chain, test_ca.key)


@pytest.fixture(scope="session")
def media() -> dict[str, bytes]:
    return {
        "jpeg": image_bytes("JPEG"),
        "png": image_bytes("PNG"),
        "mp4": mp4_bytes(),
        "bmp": image_bytes("BMP"),
    }


@pytest.fixture
def info() -> ProvenanceInfo:
    return make_info()
