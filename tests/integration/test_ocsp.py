"""OCSP stapling (RFC 6066 §8) from `[sites.tls] ocsp_response`, a DER file the operator renews:
a test CA made with the `openssl` CLI in the test's directory issues the leaf for localhost,
`openssl ocsp -index` answers for it, and `openssl s_client -status` tells what the server
stapled. A file about another certificate, or that the chain cannot vouch for, is a mistake of
the configuration (`teapot check` exits 2, a reload is refused); a stale one is served without
stapling and the error log says so; a revoked status is stapled, as the responder said it.
"""

from __future__ import annotations

import datetime
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TEAPOT_BIN, free_port, require, run_cli

EXTENSIONS = """\
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
authorityInfoAccess = OCSP;URI:http://127.0.0.1:1/ocsp
authorityKeyIdentifier = keyid
"""

LEAF_SERIAL = "1001"
OTHER_SERIAL = "2002"


def openssl(*args: str, cwd: Path) -> str:
    p = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"openssl {' '.join(args)}:\n{p.stderr.decode()}"
    return p.stdout.decode(errors="replace")


@dataclass
class OcspCa:
    dir: Path

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def authority(self, name: str, cn: str) -> None:
        openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-subj", f"/CN={cn}",
                "-days", "30", "-config", "ext.cnf", "-extensions", "ca", cwd=self.dir)

    def leaf(self, name: str, cn: str, serial: str) -> None:
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}",
                "-config", "ext.cnf", cwd=self.dir)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", f"0x{serial}", "-days", "30", "-extfile", "ext.cnf",
                "-extensions", "leaf", "-out", f"{name}.pem", cwd=self.dir)

    def respond(self, cert: str, out: str, signer: str = "ca") -> Path:
        """The responder's answer for cert, from index.txt, valid for 7 days."""
        openssl("ocsp", "-index", "index.txt", "-rsigner", f"{signer}.pem", "-rkey",
                f"{signer}.key", "-CA", "ca.pem", "-issuer", "ca.pem", "-cert", cert,
                "-respout", out, "-ndays", "7", cwd=self.dir)
        return self.dir / out

    def revoke_leaf(self) -> None:
        """index.txt then says that the leaf was revoked a day ago."""
        index = (self.dir / "index.txt").read_text()
        (self.dir / "index.txt").write_text(
            index.replace(f"V\t301231235959Z\t\t{LEAF_SERIAL}",
                          f"R\t301231235959Z\t{yesterday()}Z,keyCompromise\t{LEAF_SERIAL}"))

    def this_update(self, response: Path) -> str:
        return this_update_of(openssl("ocsp", "-respin", str(response), "-resp_text",
                                      "-noverify", cwd=self.dir))


def yesterday() -> str:
    then = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    return then.strftime("%y%m%d%H%M%S")


def this_update_of(text: str) -> str:
    m = re.search(r"This Update: (.*)", text)
    assert m, text
    return m.group(1).strip()


@pytest.fixture
def test_ca(tmp_path: Path) -> OcspCa:
    """A CA, the leaf for localhost it issued (serial 0x1001) and another leaf (0x2002), the
    chain leaf + CA, the index of both as good, a second CA, and good.der about the leaf."""
    d = tmp_path / "ca"
    d.mkdir()
    (d / "ext.cnf").write_text(EXTENSIONS)
    ca = OcspCa(d)
    ca.authority("ca", "teapot test CA")
    ca.authority("stranger", "stranger CA")
    ca.leaf("leaf", "localhost", LEAF_SERIAL)
    ca.leaf("other", "other.test", OTHER_SERIAL)
    (d / "chain.pem").write_text((d / "leaf.pem").read_text() + (d / "ca.pem").read_text())
    (d / "index.txt").write_text(
        f"V\t301231235959Z\t\t{LEAF_SERIAL}\tunknown\t/CN=localhost\n"
        f"V\t301231235959Z\t\t{OTHER_SERIAL}\tunknown\t/CN=other.test\n")
    ca.respond("leaf.pem", "good.der")
    return ca


def config_text(ca: OcspCa, tls_port: int, response: str | None, chain: str = "chain.pem") -> str:
    root = ca.dir.parent / "www"
    root.mkdir(exist_ok=True)
    (root / "hello.txt").write_bytes(b"Hello\n")
    ocsp = f'ocsp_response = "{ca.path(response)}"\n' if response else ""
    return (
        f'[server]\nlisten = ["127.0.0.1:1"]\ntls_listen = ["127.0.0.1:{tls_port}"]\n'
        'workers = 2\ndrain_timeout = "1s"\n'
        f'[[sites]]\nhosts = ["localhost"]\nroot = "{root}"\n'
        f'[sites.tls]\ncertificate = "{ca.path(chain)}"\nkey = "{ca.path("leaf.key")}"\n{ocsp}'
    )


@dataclass
class Stapler:
    server: object  # conftest's Server
    tls_port: int
    config: Path
    ca: OcspCa

    def status(self, version: str = "-tls1_3") -> str:
        """What `openssl s_client -status` prints of a handshake for localhost."""
        p = subprocess.run(
            ["openssl", "s_client", "-connect", f"127.0.0.1:{self.tls_port}", "-servername",
             "localhost", "-status", "-CAfile", self.ca.path("ca.pem"), version],
            capture_output=True, timeout=30, stdin=subprocess.DEVNULL,
        )
        out = p.stdout.decode(errors="replace")
        assert "Verify return code: 0 (ok)" in out, out + p.stderr.decode(errors="replace")
        return out

    def reload(self, outcome: str) -> None:
        before = self.server.stderr().count(outcome)
        self.server.signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.server.stderr().count(outcome) <= before:
            assert time.monotonic() < deadline, f"no '{outcome}':\n{self.server.stderr()}"
            time.sleep(0.05)


@pytest.fixture
def stapler(start_server, test_ca: OcspCa):
    """Factory: stapler(response) starts teapot on a localhost site with the test CA's chain and
    ocsp_response = response (None: no such key)."""
    require(TEAPOT_BIN, "teapot")

    def start(response: str | None) -> Stapler:
        tls_port = free_port()
        config = test_ca.dir.parent / "teapot.toml"
        config.write_text(config_text(test_ca, tls_port, response))
        server = start_server([TEAPOT_BIN, "serve", "--config", config], "ocsp")
        return Stapler(server, tls_port, config, test_ca)

    return start


LOADED = "loaded; new requests use its sites"
REFUSED = "SIGHUP: reload failed, the running configuration stays"


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"], ids=["TLS 1.2", "TLS 1.3"])
def test_a_client_that_asks_gets_the_response_of_the_file_stapled(stapler, test_ca, version):
    s = stapler("good.der")
    out = s.status(version)
    assert "OCSP Response Status: successful" in out, out
    assert "Cert Status: good" in out, out
    assert this_update_of(out) == test_ca.this_update(test_ca.dir / "good.der")
    assert "OCSP" not in s.server.stderr()  # no warning


def test_without_ocsp_response_no_response_is_sent(stapler):
    out = stapler(None).status()
    assert "OCSP response: no response sent" in out, out


def test_a_revoked_status_is_stapled_and_the_log_warns_of_it(stapler, test_ca):
    test_ca.revoke_leaf()
    test_ca.respond("leaf.pem", "revoked.der")
    s = stapler("revoked.der")
    out = s.status()
    assert "Cert Status: revoked" in out, out
    assert "Revocation Reason: keyCompromise" in out, out
    log = s.server.stderr()
    assert "[warn] OCSP response " + test_ca.path("revoked.der") in log, log
    assert "says that certificate 0x1001 was revoked on" in log, log
    assert "(keyCompromise); it is stapled" in log, log


def test_a_stale_response_is_not_stapled_and_the_log_says_so(stapler, test_ca):
    """openssl ocsp cannot date a response in the past: the stale one is made with Python's
    cryptography, as the CA signs it."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    def load(name: str):
        return x509.load_pem_x509_certificate((test_ca.dir / name).read_bytes())

    ca_key = serialization.load_pem_private_key((test_ca.dir / "ca.key").read_bytes(), None)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    response = (
        ocsp.OCSPResponseBuilder()
        .add_response(cert=load("leaf.pem"), issuer=load("ca.pem"), algorithm=hashes.SHA1(),
                      cert_status=ocsp.OCSPCertStatus.GOOD,
                      this_update=now - datetime.timedelta(days=8),
                      next_update=now - datetime.timedelta(days=1),
                      revocation_time=None, revocation_reason=None)
        .responder_id(ocsp.OCSPResponderEncoding.NAME, load("ca.pem"))
        .sign(ca_key, hashes.SHA256())
    )
    (test_ca.dir / "stale.der").write_bytes(response.public_bytes(serialization.Encoding.DER))
    config = test_ca.dir.parent / "check.toml"
    config.write_text(config_text(test_ca, free_port(), "stale.der"))
    assert run_cli("check", str(config)).returncode == 0

    s = stapler("stale.der")
    out = s.status()
    assert "OCSP response: no response sent" in out, out
    expected = (f"[warn] OCSP response {test_ca.path('stale.der')} expired on "
                f"{(now - datetime.timedelta(days=1)):%Y-%m-%d %H:%M:%S} UTC; it is not stapled "
                "until a fresh one replaces it and teapot reloads")
    assert expected in s.server.stderr(), s.server.stderr()


def other_certificate(ca: OcspCa) -> tuple[str, str]:
    return ca.respond("other.pem", "other.der").name, "chain.pem"


def signed_by_a_stranger(ca: OcspCa) -> tuple[str, str]:
    return ca.respond("leaf.pem", "stranger.der", signer="stranger").name, "chain.pem"


def no_issuer_in_the_chain(ca: OcspCa) -> tuple[str, str]:
    return "good.der", "leaf.pem"


def not_der(ca: OcspCa) -> tuple[str, str]:
    (ca.dir / "good.pem").write_text("-----BEGIN OCSP RESPONSE-----\n")
    return "good.pem", "chain.pem"


def missing(ca: OcspCa) -> tuple[str, str]:
    return "missing.der", "chain.pem"


@pytest.mark.parametrize(
    "make, message",
    [
        (other_certificate, "OCSP response {dir}/other.der is about another certificate: "
                            "serial 0x2002, where the certificate's is 0x1001"),
        (signed_by_a_stranger, "OCSP response {dir}/stranger.der is signed neither by the "
                               "certificate's issuer, CN=teapot test CA, nor by a responder it "
                               "delegated to (RFC 6960 §4.2.2.2)"),
        (no_issuer_in_the_chain, "OCSP response {dir}/good.der cannot be checked: certificate "
                                 "chain {dir}/leaf.pem holds no certificate after its leaf; put "
                                 "the certificate that issued the leaf second"),
        (not_der, "OCSP response {dir}/good.pem is not a DER OCSPResponse (RFC 6960 §4.2.1)"),
        (missing, "sites[0].tls.ocsp_response: '{dir}/missing.der' does not exist"),
    ],
    ids=["about another certificate", "signed by another CA", "chain without the issuer",
         "not DER", "missing file"],
)
def test_teapot_check_refuses_a_response_the_certificate_cannot_use(test_ca, make, message):
    response, chain = make(test_ca)
    config = test_ca.dir.parent / "teapot.toml"
    config.write_text(config_text(test_ca, free_port(), response, chain))
    p = run_cli("check", str(config))
    assert p.returncode == 2, p.stderr
    assert message.format(dir=test_ca.dir) in p.stderr.decode(), p.stderr.decode()


def test_a_reload_staples_the_renewed_response_and_refuses_a_wrong_one(stapler, test_ca):
    s = stapler("good.der")
    first = this_update_of(s.status())
    time.sleep(1.1)  # This Update is told to the second
    renewed = test_ca.respond("leaf.pem", "renewed.der")
    assert test_ca.this_update(renewed) != first
    renewed.replace(test_ca.dir / "good.der")  # as a cron job renews it
    s.reload(LOADED)
    # Each worker takes the new contexts when its loop next turns.
    deadline = time.monotonic() + 10
    while this_update_of(s.status()) != test_ca.this_update(test_ca.dir / "good.der"):
        assert time.monotonic() < deadline, "the renewed response is not stapled"
        time.sleep(0.05)
    stapled = this_update_of(s.status())
    # A response about another certificate takes the file's place: the reload is refused and
    # the running one stays.
    test_ca.respond("other.pem", "other.der").replace(test_ca.dir / "good.der")
    s.reload(REFUSED)
    assert "is about another certificate: serial 0x2002" in s.server.stderr()
    for _ in range(4):  # whichever worker accepts it
        out = s.status()
        assert "Cert Status: good" in out and this_update_of(out) == stapled, out
