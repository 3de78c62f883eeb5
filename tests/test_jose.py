"""JWS and JWT: every accepted algorithm round-trips, published vectors verify, and the known
ways of fooling a JOSE verifier (alg none, HMAC with a public key, a key of the wrong type,
tampering, truncation) fail with the right error."""

from __future__ import annotations

import hashlib
import hmac
import json
import string

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import corpus
from verifier import multiformats as mf
from verifier.dates import from_numeric_date
from verifier.errors import MalformedDocument, ProofInvalid, UnsupportedProof, VerificationError
from verifier.keys import jwk_to_public_key, public_key_to_jwk
from verifier.suites import jose
from verifier.suites.jose import CompactJws, jwt_claims, sign_jws, verify_jws

ED25519 = ed25519.Ed25519PrivateKey.generate()
P256 = ec.generate_private_key(ec.SECP256R1())
P384 = ec.generate_private_key(ec.SECP384R1())
K256 = ec.generate_private_key(ec.SECP256K1())
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEYS = {"EdDSA": ED25519, "Ed25519": ED25519, "ES256": P256, "ES384": P384, "ES256K": K256,
        "RS256": RSA, "PS256": RSA}
ALGS = sorted(KEYS)
CLAIMS = {"iss": "did:example:issuer", "sub": "did:example:learner", "name": "Zoë's badge"}
B64_ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def seg(value: object) -> str:
    """A base64url JSON segment."""
    return mf.b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def raw_seg(text: bytes) -> str:
    return mf.b64url_encode(text)


# -- round trips ---------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGS)
def test_sign_then_verify_round_trips(alg):
    token = sign_jws({"alg": alg, "typ": "JWT"}, CLAIMS, KEYS[alg])
    jws = CompactJws.parse(token)
    verify_jws(jws, KEYS[alg].public_key())
    assert (jws.alg, jwt_claims(jws), jws.raw) == (alg, CLAIMS, token)


@pytest.mark.parametrize(("key", "alg"), [(ED25519, "EdDSA"), (P256, "ES256"), (P384, "ES384"),
                                          (K256, "ES256K"), (RSA, "RS256")])
def test_the_algorithm_is_chosen_from_the_key(key, alg):
    jws = CompactJws.parse(sign_jws({}, CLAIMS, key))
    assert jws.header == {"alg": alg}
    verify_jws(jws, key.public_key())


def test_a_trailing_newline_from_a_file_is_not_part_of_the_token():
    token = sign_jws({}, CLAIMS, ED25519)
    assert CompactJws.parse(token + "\n").raw == token


# -- published vectors -----------------------------------------------------------------------
RFC8037_KEY = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC8037_JWS = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
               "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
RFC7515_A3_KEY = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                  "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
RFC7515_A3_JWS = ("eyJhbGciOiJFUzI1NiJ9."
                  "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9l"
                  "eGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
                  "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgf"
                  "TjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")


def test_rfc8037_ed25519_example_is_reproduced_byte_for_byte():
    key = ed25519.Ed25519PrivateKey.from_private_bytes(mf.b64url_decode(RFC8037_KEY))
    assert sign_jws({"alg": "EdDSA"}, b"Example of Ed25519 signing", key) == RFC8037_JWS
    header, _, signature = RFC8037_JWS.split(".")
    # Its payload is a sentence, not a claims set: as a JWT it is malformed, as a detached
    # (RFC 7515 Appendix F) JWS over that sentence it verifies.
    with pytest.raises(MalformedDocument, match="payload"):
        CompactJws.parse(RFC8037_JWS)
    jose.detached_jws_verify(f"{header}..{signature}", b"Example of Ed25519 signing",
                             key.public_key())


def test_rfc7515_es256_example_verifies():
    jws = CompactJws.parse(RFC7515_A3_JWS)
    verify_jws(jws, jwk_to_public_key(RFC7515_A3_KEY))
    assert jwt_claims(jws)["iss"] == "joe"


# -- attacks on the algorithm ------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_never_passes(alg):
    jws = CompactJws.parse(f"{seg({'alg': alg})}.{seg(CLAIMS)}.")
    with pytest.raises(ProofInvalid, match="(?i)not signed.*none"):
        verify_jws(jws, ED25519.public_key())


@pytest.mark.parametrize(("alg", "error"), [("none", ProofInvalid), ("HS256", ProofInvalid),
                                            ("ES512", UnsupportedProof)])
def test_a_refused_algorithm_is_known_before_any_key_is_looked_up(alg, error):
    with pytest.raises(error, match=alg):
        jose.check_algorithm(CompactJws.parse(f"{seg({'alg': alg})}.{seg(CLAIMS)}."))


@pytest.mark.parametrize("alg", ALGS)
def test_an_accepted_algorithm_passes_the_early_check(alg):
    assert jose.check_algorithm(CompactJws.parse(sign_jws({"alg": alg}, CLAIMS, KEYS[alg]))) == alg


def test_alg_none_with_a_real_signature_attached_still_fails():
    genuine = sign_jws({}, CLAIMS, ED25519).split(".")
    jws = CompactJws.parse(f"{seg({'alg': 'none'})}.{genuine[1]}.{genuine[2]}")
    with pytest.raises(ProofInvalid, match="none"):
        verify_jws(jws, ED25519.public_key())


@pytest.mark.parametrize(("alg", "digest"), [("HS256", hashlib.sha256), ("HS384", hashlib.sha384),
                                             ("HS512", hashlib.sha512)])
@pytest.mark.parametrize("secret_form", ["pem", "jwk"])
def test_hmac_signed_with_the_public_key_as_secret_fails(alg, digest, secret_form):
    public = RSA.public_key()
    secret = (public.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
              if secret_form == "pem" else json.dumps(public_key_to_jwk(public)).encode())
    signing_input = f"{seg({'alg': alg})}.{seg({'iss': 'attacker'})}"
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    jws = CompactJws.parse(f"{signing_input}.{mf.b64url_encode(mac)}")
    with pytest.raises(ProofInvalid, match=f"{alg}.*shared-secret"):
        verify_jws(jws, public)


@pytest.mark.parametrize("alg", ["ES512", "RS512", "PS384", "Ed448", "ML-DSA-44", ""])
def test_an_unknown_algorithm_is_unsupported_and_named(alg):
    jws = CompactJws.parse(f"{seg({'alg': alg})}.{seg(CLAIMS)}.{raw_seg(b'x' * 64)}")
    with pytest.raises(UnsupportedProof, match=f"'{alg}' is not supported"):
        verify_jws(jws, ED25519.public_key())


# Each row: the token's algorithm, and the (wrong) key a verifier is handed for it.
KEY_CONFUSION = {
    "rsa_key_for_es256": ("ES256", RSA),
    "p384_key_for_es256": ("ES256", P384),
    "secp256k1_key_for_es256": ("ES256", K256),
    "p256_key_for_es256k": ("ES256K", P256),
    "p256_key_for_es384": ("ES384", P256),
    "ed25519_key_for_es256": ("ES256", ED25519),
    "ec_key_for_rs256": ("RS256", P256),
    "ec_key_for_ps256": ("PS256", P256),
    "rsa_key_for_eddsa": ("EdDSA", RSA),
    "p521_key_for_es256": ("ES256", ec.generate_private_key(ec.SECP521R1())),
}


@pytest.mark.parametrize("case", KEY_CONFUSION)
def test_the_key_must_fit_the_algorithm(case):
    alg, wrong = KEY_CONFUSION[case]
    jws = CompactJws.parse(sign_jws({"alg": alg}, CLAIMS, KEYS[alg]))
    with pytest.raises(ProofInvalid, match=f"{alg} needs a"):
        verify_jws(jws, wrong.public_key())


def test_rsa_keys_shorter_than_2048_bits_are_refused():
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    signing_input = f"{seg({'alg': 'RS256'})}.{seg(CLAIMS)}"
    signature = weak.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    jws = CompactJws.parse(f"{signing_input}.{mf.b64url_encode(signature)}")
    with pytest.raises(ProofInvalid, match="1024 bits"):
        verify_jws(jws, weak.public_key())
    with pytest.raises(ValueError, match="1024 bits"):
        sign_jws({"alg": "RS256"}, CLAIMS, weak)


@pytest.mark.parametrize(("header", "key"), [({"alg": "none"}, ED25519), ({"alg": "HS256"}, RSA),
                                             ({"alg": "ES256"}, RSA), ({"alg": "EdDSA"}, P256)])
def test_signing_refuses_an_algorithm_the_key_cannot_use(header, key):
    with pytest.raises(ValueError):
        sign_jws(header, CLAIMS, key)


def test_verifying_with_a_private_key_is_a_programming_error():
    jws = CompactJws.parse(sign_jws({}, CLAIMS, ED25519))
    with pytest.raises(TypeError):
        verify_jws(jws, ED25519)


# -- tampering ----------------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ALGS)
def test_a_tampered_payload_fails(alg):
    header, _, signature = sign_jws({"alg": alg}, CLAIMS, KEYS[alg]).split(".")
    forged = f"{header}.{seg({**CLAIMS, 'name': 'A better badge'})}.{signature}"
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_jws(CompactJws.parse(forged), KEYS[alg].public_key())


@pytest.mark.parametrize("alg", ALGS)
def test_a_tampered_header_fails(alg):
    _, payload, signature = sign_jws({"alg": alg}, CLAIMS, KEYS[alg]).split(".")
    forged = f"{seg({'alg': alg, 'kid': 'did:example:other#key-1'})}.{payload}.{signature}"
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_jws(CompactJws.parse(forged), KEYS[alg].public_key())


@pytest.mark.parametrize("alg", ALGS)
def test_a_truncated_signature_fails(alg):
    header, payload, signature = sign_jws({"alg": alg}, CLAIMS, KEYS[alg]).split(".")
    short = mf.b64url_encode(mf.b64url_decode(signature)[:-1])
    with pytest.raises(ProofInvalid):
        verify_jws(CompactJws.parse(f"{header}.{payload}.{short}"), KEYS[alg].public_key())


def test_an_ecdsa_signature_in_der_form_is_refused_by_length():
    signing_input = f"{seg({'alg': 'ES256'})}.{seg(CLAIMS)}"
    der = P256.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    jws = CompactJws.parse(f"{signing_input}.{mf.b64url_encode(der)}")
    with pytest.raises(ProofInvalid, match="must be 64"):
        verify_jws(jws, P256.public_key())


def test_an_all_zero_ecdsa_signature_fails():
    jws = CompactJws.parse(f"{seg({'alg': 'ES256'})}.{seg(CLAIMS)}.{raw_seg(bytes(64))}")
    with pytest.raises(ProofInvalid, match="does not verify"):
        verify_jws(jws, P256.public_key())


def test_a_signature_by_another_key_fails():
    other = ed25519.Ed25519PrivateKey.generate()
    jws = CompactJws.parse(sign_jws({}, CLAIMS, other))
    with pytest.raises(ProofInvalid):
        verify_jws(jws, ED25519.public_key())


SIGNED = sign_jws({"alg": "EdDSA", "typ": "JWT"}, CLAIMS, ED25519)


@settings(max_examples=300, deadline=None)
@given(part=st.sampled_from([0, 1, 2]), data=st.data())
def test_flipping_any_single_byte_of_any_part_fails(part, data):
    parts = SIGNED.split(".")
    raw = bytearray(parts[part].encode("ascii"))
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    raw[index] ^= data.draw(st.integers(1, 255), label="mask")
    parts[part] = raw.decode("latin-1")
    with pytest.raises(VerificationError):
        verify_jws(CompactJws.parse(".".join(parts)), ED25519.public_key())


JSON_LEAVES = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12)
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=16)


@settings(max_examples=100, deadline=None)
@given(claims=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=6))
def test_any_claims_set_round_trips(claims):
    jws = CompactJws.parse(sign_jws({}, claims, ED25519))
    verify_jws(jws, ED25519.public_key())
    assert jwt_claims(jws) == claims


# -- interoperability with an independent implementation (joserfc, which Authlib brings) ------
INTEROP_ALGS = ["Ed25519", "ES256", "ES384", "ES256K", "RS256", "PS256"]


@pytest.mark.parametrize("alg", INTEROP_ALGS)
def test_tokens_signed_by_joserfc_verify_here(alg):
    jws = pytest.importorskip("joserfc.jws")
    from joserfc.jwk import JWKRegistry

    private = JWKRegistry.import_key(_private_jwk(KEYS[alg]))
    token = jws.serialize_compact({"alg": alg}, json.dumps(CLAIMS).encode(), private,
                                  algorithms=[alg])
    verify_jws(CompactJws.parse(token), KEYS[alg].public_key())


@pytest.mark.parametrize("alg", INTEROP_ALGS)
def test_tokens_signed_here_verify_in_joserfc(alg):
    jws = pytest.importorskip("joserfc.jws")
    from joserfc.jwk import JWKRegistry

    token = sign_jws({"alg": alg}, CLAIMS, KEYS[alg])
    public = JWKRegistry.import_key(public_key_to_jwk(KEYS[alg].public_key()))
    result = jws.deserialize_compact(token, public, algorithms=[alg])
    assert json.loads(result.payload) == CLAIMS


def _private_jwk(key) -> dict:
    """A private JWK, built from the key's numbers (the project never needs to export one)."""
    jwk = dict(public_key_to_jwk(key.public_key()))
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        return {**jwk, "d": mf.b64url_encode(raw)}
    numbers = key.private_numbers()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = (key.curve.key_size + 7) // 8
        return {**jwk, "d": mf.b64url_encode(numbers.private_value.to_bytes(size, "big"))}
    parts = {"d": numbers.d, "p": numbers.p, "q": numbers.q, "dp": numbers.dmp1,
             "dq": numbers.dmq1, "qi": numbers.iqmp}
    return {**jwk, **{name: mf.b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
                      for name, value in parts.items()}}


# -- malformed tokens -------------------------------------------------------------------------
def _non_canonical(token: str) -> str:
    head, body, signature = token.split(".")
    last = B64_ALPHABET[B64_ALPHABET.index(signature[-1]) ^ 1]  # a padding bit set
    return f"{head}.{body}.{signature[:-1]}{last}"


GOOD_HEAD, GOOD_BODY, GOOD_SIG = SIGNED.split(".")
DUPLICATE_ALG = raw_seg(b'{"alg":"EdDSA","alg":"none"}')
DUPLICATE_ISS = raw_seg(b'{"iss":"a","iss":"b"}')
NAN_CLAIM = raw_seg(b'{"n":NaN}')
DEEP = raw_seg(b'{"a":' + b"[" * 100_000)
MALFORMED = {
    "two_parts": (f"{GOOD_HEAD}.{GOOD_BODY}", "three parts"),
    "four_parts": (f"{SIGNED}.{GOOD_SIG}", "three parts"),
    "encrypted_jwe": ("a.b.c.d.e", "JWE"),
    "padded_base64": (f"{GOOD_HEAD}=.{GOOD_BODY}.{GOOD_SIG}", "base64url"),
    "standard_base64_alphabet": (f"{GOOD_HEAD}.{GOOD_BODY}.{GOOD_SIG[:-2]}+/", "base64url"),
    "non_canonical_base64": (_non_canonical(SIGNED), "canonical"),
    "impossible_base64_length": (f"{GOOD_HEAD}.{GOOD_BODY}A.{GOOD_SIG}", "base64url"),
    "non_ascii": (f"{GOOD_HEAD}.{GOOD_BODY}é.{GOOD_SIG}", "base64url"),
    "header_not_json": (f"{raw_seg(b'not json')}.{GOOD_BODY}.{GOOD_SIG}", "not valid JSON"),
    "header_is_an_array": (f"{raw_seg(b'[1]')}.{GOOD_BODY}.{GOOD_SIG}", "not a JSON object"),
    "payload_is_a_string": (f"{GOOD_HEAD}.{raw_seg(b'[]')}.{GOOD_SIG}", "not a JSON object"),
    "payload_not_json": (f"{GOOD_HEAD}.{raw_seg(b'plain text')}.{GOOD_SIG}", "not valid JSON"),
    "payload_not_utf8": (f"{GOOD_HEAD}.{raw_seg(bytes([0xff, 0xfe]))}.{GOOD_SIG}", "JSON"),
    "duplicate_header_member": (f"{DUPLICATE_ALG}.{GOOD_BODY}.{GOOD_SIG}", "duplicate"),
    "duplicate_claim": (f"{GOOD_HEAD}.{DUPLICATE_ISS}.{GOOD_SIG}", "duplicate"),
    "nan_claim": (f"{GOOD_HEAD}.{NAN_CLAIM}.{GOOD_SIG}", "not valid JSON"),
    "deeply_nested_payload": (f"{GOOD_HEAD}.{DEEP}.{GOOD_SIG}", "nested too deeply"),
    "no_alg": (f"{seg({'typ': 'JWT'})}.{GOOD_BODY}.{GOOD_SIG}", "algorithm"),
    "alg_not_a_string": (f"{seg({'alg': 5})}.{GOOD_BODY}.{GOOD_SIG}", "algorithm"),
    "unknown_critical_extension": (
        f"{seg({'alg': 'EdDSA', 'crit': ['exp'], 'exp': 1})}.{GOOD_BODY}.{GOOD_SIG}",
        "does not understand \\(exp\\)"),
    "empty_crit": (f"{seg({'alg': 'EdDSA', 'crit': []})}.{GOOD_BODY}.{GOOD_SIG}", "crit"),
    "crit_lists_a_jws_parameter": (
        f"{seg({'alg': 'EdDSA', 'crit': ['alg']})}.{GOOD_BODY}.{GOOD_SIG}", "understand"),
    "crit_names_an_absent_parameter": (
        f"{seg({'alg': 'EdDSA', 'crit': ['b64']})}.{GOOD_BODY}.{GOOD_SIG}", "may not list"),
    "b64_false_without_crit": (f"{seg({'alg': 'EdDSA', 'b64': False})}.{GOOD_BODY}.{GOOD_SIG}",
                               "RFC 7797"),
    "b64_not_a_boolean": (
        f"{seg({'alg': 'EdDSA', 'b64': 'no', 'crit': ['b64']})}.{GOOD_BODY}.{GOOD_SIG}",
        "true or false"),
    "unencoded_payload_not_detached": (
        f"{seg({'alg': 'EdDSA', 'b64': False, 'crit': ['b64']})}.{GOOD_BODY}.{GOOD_SIG}",
        "detached"),
    "larger_than_5_mb": ("a" * (5 * 1024 * 1024 + 1), "5 MB"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_tokens_are_refused_with_a_sentence(case):
    token, message = MALFORMED[case]
    with pytest.raises(MalformedDocument, match=message):
        CompactJws.parse(token)


def test_a_token_must_be_text():
    with pytest.raises(TypeError):
        CompactJws.parse(SIGNED.encode())  # type: ignore[arg-type]


# -- detached, unencoded payload (RFC 7797) -----------------------------------------------------
@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "ES256K", "RS256", "PS256"])
def test_detached_unencoded_payload_round_trips(alg):
    payload = hashlib.sha256(b"options").digest() + hashlib.sha256(b"document").digest()
    token = jose.detached_jws_sign({"alg": alg}, payload, KEYS[alg])
    header, middle, signature = token.split(".")
    assert middle == ""
    assert json.loads(mf.b64url_decode(header)) == {"alg": alg, "b64": False, "crit": ["b64"]}
    jose.detached_jws_verify(token, payload, KEYS[alg].public_key())
    # RFC 7797 §3: the signing input is ASCII(BASE64URL(header)) || "." || the payload itself.
    jws = CompactJws.parse(token, detached_payload=payload)
    assert jws.signing_input == header.encode() + b"." + payload
    with pytest.raises(ProofInvalid):
        jose.detached_jws_verify(token, payload[:-1] + b"\x00", KEYS[alg].public_key())


def test_detached_payload_may_be_any_bytes():
    payload = b"\xff\x00.~ not utf-8 \x80"
    token = jose.detached_jws_sign({}, payload, ED25519)
    jose.detached_jws_verify(token, payload, ED25519.public_key())


def test_detached_encoded_payload_round_trips():
    token = jose.detached_jws_sign({"b64": True}, b"hello", P256)
    assert "crit" not in json.loads(mf.b64url_decode(token.split(".")[0]))
    jose.detached_jws_verify(token, b"hello", P256.public_key())


def test_a_detached_jws_cannot_be_read_without_its_payload():
    token = jose.detached_jws_sign({}, b"payload", ED25519)
    with pytest.raises(MalformedDocument, match="detached"):
        CompactJws.parse(token)


def test_a_compact_jws_is_not_a_detached_one():
    with pytest.raises(MalformedDocument, match="empty payload part"):
        jose.detached_jws_verify(SIGNED, b"payload", ED25519.public_key())


def test_detached_signing_refuses_alg_none():
    with pytest.raises(ValueError):
        jose.detached_jws_sign({"alg": "none"}, b"payload", ED25519)


def test_sign_jws_refuses_an_unencoded_payload():
    with pytest.raises(ValueError, match="detached"):
        sign_jws({"b64": False, "crit": ["b64"]}, b"payload", ED25519)


# -- published JWT credentials (../shared/corpus) -----------------------------------------------
def needs_corpus(test):
    """Mark a test that reads ../shared/corpus, and skip it where the corpus is absent."""
    skip = pytest.mark.skipif(not corpus.available(), reason="../shared/corpus is not here")
    return pytest.mark.conformance(skip(test))


def read(rel: str) -> str:
    return (corpus.CORPUS / rel).read_text("utf-8")


@pytest.mark.parametrize("alg", ["EdDSA", "ES256K", "ES384"])
@needs_corpus
def test_transmute_vc_jwt_vectors_verify(alg):
    jws = CompactJws.parse(read(f"transmute-vectors/vc-jwt/{alg}.complex.jwt"))
    key = jwk_to_public_key(json.loads(read(f"transmute-vectors/vc-jwt/{alg}.public.jwk.json")))
    verify_jws(jws, key)
    credential, registered = jose.credential_from_jwt(jwt_claims(jws))
    assert jws.alg == alg
    assert credential["expirationDate"] == "2021-12-04T00:33:49Z"
    assert credential["id"] == registered["jti"] == "urn:pic:9f9edadbec644268bcba77e1e9cb191c"
    assert credential["issuer"] == registered["iss"]


OB3_JWTS = [f"1edtech-ob30-spec/jwt/0{n}-{'Endorsement' if n == 4 else 'OpenBadge'}Credential.jwt"
            for n in range(1, 9)]


@pytest.mark.parametrize("rel", OB3_JWTS)
@needs_corpus
def test_open_badges_spec_jwts_verify_with_their_header_key(rel):
    jws = CompactJws.parse(read(rel))
    verify_jws(jws, jwk_to_public_key(jws.header["jwk"]))
    credential, registered = jose.credential_from_jwt(jwt_claims(jws), typ=jws.header["typ"])
    assert set(registered) == {"iss", "sub", "jti"}
    assert not set(registered) & set(credential)  # the claims set minus the JWT claims
    assert credential["issuer"]["id"] == registered["iss"]


@pytest.mark.parametrize(("rel", "error"), [
    ("derived-negative/ob30-jwt-alg-none.jwt", "none"),
    ("derived-negative/ob30-jwt-tampered-payload.jwt", "does not verify"),
])
@needs_corpus
def test_derived_negative_jwts_fail(rel, error):
    key = jwk_to_public_key(CompactJws.parse(read(OB3_JWTS[0])).header["jwk"])
    with pytest.raises(ProofInvalid, match=error):
        verify_jws(CompactJws.parse(read(rel)), key)


@pytest.mark.parametrize("rel", ["1edtech-validator/ob30/simple.jwt",
                                 "1edtech-validator/ob30/velocity.jwt",
                                 "1edtech-validator/clr20/simple.jwt"])
@needs_corpus
def test_vc_claim_jwts_map_their_registered_claims(rel):
    claims = jwt_claims(CompactJws.parse(read(rel)))
    credential, registered = jose.credential_from_jwt(claims)
    assert credential["id"] == registered["jti"]
    assert credential["credentialSubject"]["id"] == registered["sub"]
    assert credential["issuanceDate"].startswith(
        from_numeric_date(registered["nbf"], field="nbf").strftime("%Y-%m-%dT%H:%M:%S"))


@pytest.mark.parametrize(("rel", "kind", "types"), [
    ("01-vc+jwt.jwt", "vc", ["VerifiableCredential", "ExampleDegreeCredential",
                             "ExamplePersonCredential"]),
    ("02-vp+jwt.jwt", "vp", "VerifiablePresentation"),
    ("03-vp+jwt.jwt", "vp", "EnvelopedVerifiablePresentation"),
    ("04-vc+jwt.jwt", "vc", ["VerifiableCredential", "K9UnitCredential"]),
])
@needs_corpus
def test_w3c_vc_jose_cose_examples_parse(rel, kind, types):
    # The examples were signed with a key generated at render time and never published, so
    # only their form can be checked.
    jws = CompactJws.parse(read(f"w3c-vc-jose-cose-examples/{rel}"))
    read_document = jose.credential_from_jwt if kind == "vc" else jose.presentation_from_jwt
    document, registered = read_document(jwt_claims(jws))
    assert (jws.alg, document["type"], registered) == ("ES256", types, {})
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"


LD_DETACHED = ["JsonWebSignature2020-digitalbazaar", "JsonWebSignature2020-transmute",
               "Ed25519Signature2018-digitalbazaar", "Ed25519Signature2018-transmute"]


@pytest.mark.parametrize("name", LD_DETACHED)
@needs_corpus
def test_linked_data_detached_jws_vectors_verify(name):
    """The legacy LD suites sign SHA-256(options) || SHA-256(document) as an RFC 7797 payload."""
    from pyld import jsonld

    from verifier.keys import multikey_decode

    index = json.loads(read("contexts/index.json"))

    def loader(url: str, options: object = None) -> dict:
        return {"contextUrl": None, "documentUrl": url,
                "document": json.loads(read(f"contexts/{index[url]}"))}

    def digest(doc: dict) -> bytes:
        nquads = jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                        "documentLoader": loader})
        return hashlib.sha256(nquads.encode()).digest()

    doc = json.loads(read(f"transmute-vectors/{name}/doc.signed.json"))
    proof = doc.pop("proof")
    token = proof.pop("jws")
    payload = digest({**proof, "@context": doc["@context"]}) + digest(doc)
    key = multikey_decode(proof["verificationMethod"].split("#")[1])
    jose.detached_jws_verify(token, payload, key)
    with pytest.raises(ProofInvalid):
        jose.detached_jws_verify(token, digest({**doc, "issuanceDate": "2030-01-01T00:00:00Z"}
                                               ) + payload[32:], key)


# -- the credential inside a JWT (verifier.suites.vc_jwt) ----------------------------------------
V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"


def vc(**overrides) -> dict:
    doc = {"@context": [V1], "type": ["VerifiableCredential"],
           "credentialSubject": {"name": "Ada"}}
    doc.update(overrides)
    return doc


def test_the_vc_claim_gets_its_properties_from_the_registered_claims():
    claims = {"vc": vc(), "iss": "did:example:issuer", "sub": "did:example:ada",
              "jti": "urn:uuid:1", "nbf": 1262304000, "exp": 1893456000, "iat": 1262300000}
    credential, registered = jose.credential_from_jwt(claims)
    assert credential == vc(issuer="did:example:issuer", id="urn:uuid:1",
                            issuanceDate="2010-01-01T00:00:00Z",
                            expirationDate="2030-01-01T00:00:00Z",
                            credentialSubject={"name": "Ada", "id": "did:example:ada"})
    assert registered == {k: v for k, v in claims.items() if k != "vc"}
    assert claims["vc"] == vc()  # the input is not changed


def test_a_vcdm2_credential_in_a_vc_claim_gets_validfrom_and_validuntil():
    credential, _ = jose.credential_from_jwt({"vc": vc(**{"@context": [V2]}), "nbf": 0, "exp": 60})
    assert (credential["validFrom"], credential["validUntil"]) == ("1970-01-01T00:00:00Z",
                                                                   "1970-01-01T00:01:00Z")


def test_agreeing_values_are_not_conflicts():
    claims = {"vc": vc(issuer={"id": "did:example:i", "name": "U"}, id="urn:uuid:1",
                       issuanceDate="2010-01-01T00:00:00.750Z",
                       credentialSubject={"id": "did:example:ada"}),
              "iss": "did:example:i", "jti": "urn:uuid:1", "nbf": 1262304000,
              "sub": "did:example:ada"}
    credential, _ = jose.credential_from_jwt(claims)
    assert credential == claims["vc"]


def test_an_issuer_object_without_id_gets_iss():
    credential, _ = jose.credential_from_jwt({"vc": vc(issuer={"name": "U"}), "iss": "did:ex:i"})
    assert credential["issuer"] == {"name": "U", "id": "did:ex:i"}


# Each row: the JWT claims, and what must be refused about them.
CONFLICTS = {
    "iss_differs_from_issuer": ({"vc": vc(issuer="did:ex:a"), "iss": "did:ex:b"}, "iss"),
    "iss_differs_from_issuer_id": ({"vc": vc(issuer={"id": "did:ex:a"}), "iss": "did:ex:b"},
                                   "iss"),
    "jti_differs_from_id": ({"vc": vc(id="urn:a"), "jti": "urn:b"}, "jti"),
    "sub_differs_from_subject_id": ({"vc": vc(credentialSubject={"id": "did:ex:a"}),
                                     "sub": "did:ex:b"}, "sub"),
    "sub_names_none_of_several_subjects": ({"vc": vc(credentialSubject=[{"id": "a"}, {"id": "b"}]),
                                            "sub": "c"}, "several subjects"),
    "nbf_differs_from_issuance_date": ({"vc": vc(issuanceDate="2010-01-01T00:00:00Z"),
                                        "nbf": 1262304001}, "nbf"),
    "exp_differs_from_expiration_date": ({"vc": vc(expirationDate="2030-01-01T00:00:00Z"),
                                          "exp": 1}, "exp"),
    "issuance_date_is_not_a_date": ({"vc": vc(issuanceDate="yesterday"), "nbf": 1}, "date-time"),
    "payload_iss_differs_from_issuer": ({**vc(issuer="did:ex:a"), "iss": "did:ex:b"}, "iss"),
    "payload_jti_differs_from_id": ({**vc(id="urn:a"), "jti": "urn:b"}, "jti"),
    "exp_is_not_a_number": ({"vc": vc(), "exp": "2030-01-01"}, "exp is not a number"),
    "exp_is_a_boolean": ({"vc": vc(), "exp": True}, "exp is not a number"),
    "exp_is_out_of_range": ({"vc": vc(), "exp": 10**20}, "representable"),
    "iss_is_not_a_string": ({"vc": vc(), "iss": {"id": "did:ex:a"}}, "iss is not a string"),
    "aud_is_a_number": ({"vc": vc(), "aud": 7}, "aud"),
    "vc_is_not_an_object": ({"vc": "eyJ..."}, "not a JSON object"),
    "both_forms_at_once": ({**vc(), "vc": vc()}, "not clear which"),
    "no_credential_at_all": ({"iss": "did:ex:a", "name": "x"}, "carries no credential"),
    "a_presentation": ({"vp": {"type": "VerifiablePresentation"}}, "presentation"),
}


@pytest.mark.parametrize("case", CONFLICTS)
def test_a_jwt_that_says_two_things_is_malformed(case):
    claims, message = CONFLICTS[case]
    with pytest.raises(MalformedDocument, match=message):
        jose.credential_from_jwt(claims)


def test_vc_jose_cose_separates_the_jwt_claims_from_the_credential():
    claims = {**vc(**{"@context": [V2]}, issuer="did:ex:i", validFrom="2020-01-01T00:00:00Z"),
              "iss": "did:ex:i", "iat": 1, "exp": 2, "cnf": {"jwk": {"kty": "OKP"}}}
    credential, registered = jose.credential_from_jwt(claims, typ="vc+jwt")
    assert credential == vc(**{"@context": [V2]}, issuer="did:ex:i",
                            validFrom="2020-01-01T00:00:00Z")
    assert registered == {"iss": "did:ex:i", "iat": 1, "exp": 2, "cnf": {"jwk": {"kty": "OKP"}}}


@pytest.mark.parametrize(("typ", "claims"), [
    ("vc+jwt", {"vc": vc()}),
    ("application/vc+jwt", {"vc": vc()}),
    ("vp+jwt", vc()),
])
def test_the_typ_must_fit_the_form(typ, claims):
    with pytest.raises(MalformedDocument, match="typ"):
        jose.credential_from_jwt(claims, typ=typ)


def test_the_vp_claim_gets_holder_and_id():
    claims = {"vp": {"@context": [V1], "type": ["VerifiablePresentation"],
                     "verifiableCredential": ["eyJ..."]},
              "iss": "did:ex:holder", "jti": "urn:uuid:p", "aud": "https://verifier.example",
              "nonce": "n-1"}
    presentation, registered = jose.presentation_from_jwt(claims)
    assert (presentation["holder"], presentation["id"]) == ("did:ex:holder", "urn:uuid:p")
    assert (registered["aud"], registered["nonce"]) == ("https://verifier.example", "n-1")


@pytest.mark.parametrize(("claims", "message"), [
    ({"vp": {"type": "VerifiablePresentation", "holder": "did:ex:a"}, "iss": "did:ex:b"}, "iss"),
    ({"@context": [V2], "type": "VerifiablePresentation", "holder": "did:ex:a",
      "iss": "did:ex:b"}, "iss"),
    ({"vc": vc()}, "credential"),
    ({"vp": []}, "not a JSON object"),
])
def test_a_presentation_jwt_that_says_two_things_is_malformed(claims, message):
    with pytest.raises(MalformedDocument, match=message):
        jose.presentation_from_jwt(claims)
