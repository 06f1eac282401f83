"""Where webhooks may call: every spelling of a private address is refused at registration,
names are judged by every address they resolve to, credentials never get stored."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, ip_address

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.webhooks import targets
from tests.support.api import assert_problem
from tests.support.databases import ClientFactory
from tests.support.receiver import LOOPBACK_RECEIVERS

REFUSED = [
    # the cloud metadata service, in the ways a URL can spell it
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "http://[2002:a9fe:a9fe::1]/",  # 6to4
    "http://2852039166/",  # 169.254.169.254 as one number
    # this machine
    "http://0.0.0.0:8000/",
    "http://0/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.1/",
    "http://127.0.0.1:5432/",
    "http://[::1]/",
    "http://[::]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://admin.localhost:8080/",
    # private, shared, link-local, reserved, multicast, broadcast, documentation networks
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://240.0.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    # a name that resolves to nothing
    "http://hooks.invalid/",
]

ACCEPTED = [
    "https://93.184.215.14/hook",
    "http://1.1.1.1:8080/x?y=1",
    "https://[2606:4700:4700::1111]/hook",
]


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("url", REFUSED)
def test_private_targets_are_refused_in_every_spelling(client: TestClient, url: str) -> None:
    problem = assert_problem(client.post("/v1/webhooks", json={"url": url}), 422, "url: refused")
    assert (
        "CROSSCHECK_WEBHOOK_PRIVATE_NETWORKS" in problem["detail"] or "resolve" in problem["detail"]
    )
    assert client.get("/v1/webhooks").json() == {"items": []}


@pytest.mark.backends("sqlite")
def test_public_addresses_are_accepted(client: TestClient) -> None:
    for url in ACCEPTED:
        response = client.post("/v1/webhooks", json={"url": url})
        assert response.status_code == 201, (url, response.text)


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@93.184.215.14/hook",
        "https://token@93.184.215.14/hook",
        "https://:secret@93.184.215.14/hook",
    ],
)
def test_credentials_in_the_url_are_refused(client: TestClient, url: str) -> None:
    problem = assert_problem(
        client.post("/v1/webhooks", json={"url": url}), 422, "credentials", "Signature"
    )
    assert "secret" not in problem["detail"]
    assert client.get("/v1/webhooks").json() == {"items": []}


@pytest.mark.backends("sqlite")
def test_an_opted_in_network_is_the_only_exception(make_client: ClientFactory) -> None:
    client = make_client(**LOOPBACK_RECEIVERS)  # 127.0.0.1/32 only
    assert client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}).status_code == 201
    for url in ("http://127.0.0.2:9/x", "http://169.254.169.254/", "http://localhost:9/x"):
        # localhost is also ::1, which is not opted in
        assert_problem(client.post("/v1/webhooks", json={"url": url}), 422, "url: refused")


@pytest.mark.backends("sqlite")
def test_an_allowed_name_that_resolves_privately_is_refused(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"hooks.example.org": [ip_address("93.184.215.14"), ip_address("10.1.2.3")]}
    monkeypatch.setattr(targets, "lookup", lambda host, port: answers.get(host, []))
    client = make_client(webhook_allowed_hosts=["hooks.example.org"])
    # the allow-list names the host, but one of its addresses is private: refused
    assert_problem(
        client.post("/v1/webhooks", json={"url": "https://hooks.example.org/x"}), 422, "10.1.2.3"
    )
    answers["hooks.example.org"] = [ip_address("93.184.215.14")]
    assert client.post("/v1/webhooks", json={"url": "https://hooks.example.org/x"}).status_code == (
        201
    )
    assert_problem(
        client.post("/v1/webhooks", json={"url": "https://93.184.215.14/x"}),
        422,
        "CROSSCHECK_WEBHOOK_ALLOWED_HOSTS",
    )


def test_every_address_form_is_read_as_the_resolver_reads_it() -> None:
    """The parser agrees with the C resolver on the legacy IPv4 spellings a URL may carry."""
    policy = targets.TargetPolicy.of(Settings().webhooks)
    for host, address in [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("[::ffff:a9fe:a9fe]", "::ffff:169.254.169.254"),
    ]:
        assert targets.lookup(host, 80) == [ip_address(address)], host
        assert not policy.permits(ip_address(address))
    assert targets.lookup("api.localhost", 80) == [ip_address("127.0.0.1"), ip_address("::1")]
    assert targets.redact("https://u:p@example.org:8/x") == "https://***@example.org:8/x"
    assert targets.redact("https://example.org/x") == "https://example.org/x"


def spellings(address: IPv4Address) -> list[str]:
    """The ways a URL's host can write one IPv4 address."""
    n = int(address)
    octets = [int(part) for part in str(address).split(".")]
    return [
        str(address),
        str(n),  # one number
        hex(n),  # one hex number
        "0" + oct(n)[2:],  # one octal number
        ".".join(hex(o) for o in octets),  # hex octets
        ".".join("0" + oct(o)[2:] for o in octets),  # octal octets
        f"{octets[0]}.{(octets[1] << 16) + (octets[2] << 8) + octets[3]}",  # a.b-as-24-bits
        f"[::ffff:{address}]",  # IPv4-mapped IPv6
        f"[::ffff:{n >> 16:x}:{n & 0xFFFF:x}]",
        f"[64:ff9b::{n >> 16:x}:{n & 0xFFFF:x}]",  # NAT64
    ]


PRIVATE_V4 = st.one_of(
    *(
        st.integers(int(net.network_address), int(net.broadcast_address)).map(IPv4Address)
        for net in map(
            IPv4Network,
            [
                "10.0.0.0/8",
                "127.0.0.0/8",
                "169.254.0.0/16",
                "172.16.0.0/12",
                "192.168.0.0/16",
                "100.64.0.0/10",
                "0.0.0.0/8",
            ],
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(PRIVATE_V4)
def test_no_spelling_of_a_private_address_is_permitted(address: IPv4Address) -> None:
    policy = targets.TargetPolicy.of(Settings().webhooks)
    for host in spellings(address):
        with pytest.raises(targets.RefusedTarget):
            targets.resolve(f"http://{host}:8080/hook", policy)
