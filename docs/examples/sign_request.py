"""Delta Hub request signing in Python, from docs/protocol.md alone (needs `cryptography`).

    python3 docs/examples/sign_request.py infra/local/demo-keys/js-jtt.private.jwk.json js-jtt \
        POST '/v1/echo?trace=worked-example' '{"message":"你好, Delta Hub"}' 1767225600 EBESExQVFhcYGRobHB0eHw

prints the x-jws-signature value. With the arguments above it reproduces the EdDSA worked example
(§14.2) byte for byte; leave out iat and jti for a fresh signature.
"""

import base64
import json
import secrets
import sys
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_request(private_jwk: dict, iss: str, method: str, path_and_query: str, body: bytes,
                 iat: int | None = None, jti: str | None = None) -> str:
    if private_jwk["kty"] == "EC" and private_jwk["crv"] == "P-256":
        alg = "ES256"
    elif private_jwk["kty"] == "OKP" and private_jwk["crv"] == "Ed25519":
        alg = "EdDSA"
    else:
        raise ValueError("use an EC P-256 or OKP Ed25519 key")
    header = {
        "alg": alg,
        "kid": private_jwk["kid"],
        "typ": "delta-hub-request+jws",
        "iss": iss,
        "htm": method.upper(),
        "htu": path_and_query,
        "iat": int(time.time()) if iat is None else iat,
        "jti": jti or b64url(secrets.token_bytes(16)),
    }
    # Compact JSON, UTF-8 (ensure_ascii=False keeps non-ASCII as UTF-8 rather than \u escapes;
    # either is fine as long as you sign exactly the bytes you send).
    protected = b64url(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    signing_input = f"{protected}.{b64url(body)}".encode("ascii")
    d = b64url_decode(private_jwk["d"])
    if alg == "ES256":
        key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))  # DER: convert to raw r||s
        r, s = decode_dss_signature(der)
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = ed25519.Ed25519PrivateKey.from_private_bytes(d).sign(signing_input)
    return f"{protected}..{b64url(signature)}"


if __name__ == "__main__":
    key_file, iss, method, target, body = sys.argv[1:6]
    iat = int(sys.argv[6]) if len(sys.argv) > 6 else None
    jti = sys.argv[7] if len(sys.argv) > 7 else None
    with open(key_file, encoding="utf-8") as f:
        jwk = json.load(f)
    print(sign_request(jwk, iss, method, target, body.encode("utf-8"), iat, jti))
