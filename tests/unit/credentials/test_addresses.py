"""Where credentials point: https, except a loopback host, which is served without TLS."""

import pytest

from qcert.credentials.did import base_url, did_web
from qcert.credentials.handlers import status_list_url
from qcert.credentials.printable import verification_url


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8001", "127.0.0.1", "127.1.2.3:9000", "localhost:8000", "[::1]:8000"]
)
def test_a_loopback_host_is_reached_over_plain_http(host):
    assert base_url(host) == f"http://{host}"


@pytest.mark.parametrize(
    "host", ["cert.example", "cert.example:8443", "127.0.0.1.example", "10.0.0.1:8000"]
)
def test_any_other_host_is_reached_over_https(host):
    assert base_url(host) == f"https://{host}"


def test_status_lists_and_qr_codes_name_the_demos_port_over_http():
    assert (
        status_list_url("127.0.0.1:8001", "demo-cb", "suspension", 1)
        == "http://127.0.0.1:8001/bodies/demo-cb/status/suspension/1"
    )
    assert verification_url("127.0.0.1:8001", "N1", "ab" * 32).startswith(
        "http://127.0.0.1:8001/v/N1?sha256="
    )
    # did:web itself names the host only (its resolution is a matter for did:web)
    assert did_web("127.0.0.1:8001", "demo-cb") == "did:web:127.0.0.1%3A8001:bodies:demo-cb"
