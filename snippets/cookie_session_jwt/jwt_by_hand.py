"""Build and verify an HS256 JWT with the standard library only, then attack the verifier.

Shows that anyone can read the payload, that a tampered, expired or wrongly keyed token is
rejected, and that a verifier which lets the token's own "alg" choose the check accepts a forged
"alg": "none" token, while one that pins the algorithm rejects it. Standard library only.
"""

import base64
import hashlib
import hmac
import json
import platform
import secrets
import sys
import time


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_json(value: dict) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def sign(header: dict, claims: dict, key: bytes) -> str:
    signing_input = encode_json(header) + "." + encode_json(claims)
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


class Rejected(Exception):
    pass


def verify_pinned(token: str, key: bytes, now: float) -> dict:
    """The safe verifier: the algorithm is ours (HS256), never the token's."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    if header.get("alg") != "HS256":
        raise Rejected(f"alg {header.get('alg')!r} is not the one we accept (HS256)")
    expected = hmac.new(key, f"{header_b64}.{payload_b64}".encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, b64url_decode(signature_b64)):
        raise Rejected("signature does not match")
    claims = json.loads(b64url_decode(payload_b64))
    if not now < claims["exp"]:  # RFC 7519 4.1.4: reject on or after exp
        raise Rejected(f"expired {now - claims['exp']:.0f} s ago")
    return claims


def verify_trusting_alg(token: str, key: bytes, now: float) -> dict:
    """The broken verifier old libraries had: it lets the header pick the check, "none" included."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    if header["alg"] == "HS256":
        return verify_pinned(token, key, now)
    if header["alg"] == "none" and signature_b64 == "":  # "Unsecured JWS", RFC 7518 section 3.6
        claims = json.loads(b64url_decode(payload_b64))
        if not now < claims["exp"]:
            raise Rejected("expired")
        return claims
    raise Rejected(f"unknown alg {header['alg']!r}")


def outcome(verifier, token: str, key: bytes, now: float) -> str:
    try:
        claims = verifier(token, key, now)
    except Rejected as why:
        return f"rejected: {why}"
    return f"ACCEPTED as {claims['sub']} (role {claims['role']})"


def rfc_example_matches() -> bool:
    """RFC 7519 section 3.1's token, signed with the key of RFC 7515 appendix A.1: same signature?"""
    key = b64url_decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
    signing_input = (
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    )
    signature = b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())
    return signature == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def main() -> int:
    print(f"Python {platform.python_version()}: base64, hmac, hashlib, json only\n")
    key = secrets.token_bytes(32)  # 256 bits, as RFC 7518 3.2 requires for HS256 (at least the hash size)
    now = int(time.time())
    claims = {"sub": "ana", "role": "user", "iat": now, "exp": now + 300, "jti": secrets.token_hex(8)}
    token = sign({"alg": "HS256", "typ": "JWT"}, claims, key)
    header_b64, payload_b64, signature_b64 = token.split(".")
    print("The token (header.payload.signature),", len(token), "characters:")
    print(" ", header_b64)
    print(" ", payload_b64)
    print(" ", signature_b64)
    print("\nAnyone holding it can read it, no key needed (base64url is an encoding, not encryption):")
    print("  header: ", b64url_decode(header_b64).decode())
    print("  payload:", b64url_decode(payload_b64).decode())
    print(f"  (iat and exp are seconds since 1970; the clock now reads {now})")

    tampered_claims = dict(claims, role="admin")
    tampered = header_b64 + "." + encode_json(tampered_claims) + "." + signature_b64
    expired = sign({"alg": "HS256", "typ": "JWT"}, dict(claims, iat=now - 900, exp=now - 600), key)
    other_key = sign({"alg": "HS256", "typ": "JWT"}, dict(claims, role="admin"), secrets.token_bytes(32))
    forged_none = encode_json({"alg": "none", "typ": "JWT"}) + "." + encode_json(tampered_claims) + "."
    print("\nA forged token: alg none, role admin, and an empty signature part (anyone can make one):")
    for part in forged_none.split("."):
        print(" ", part or "(empty)")

    cases = {
        "genuine": token,
        "payload edited (role user -> admin)": tampered,
        "expired 600 s ago, correctly signed": expired,
        "signed with another key": other_key,
        'forged, "alg": "none"': forged_none,
    }
    results = {}
    print("\nTwo verifiers, the same key:")
    for name, candidate in cases.items():
        pinned = outcome(verify_pinned, candidate, key, now)
        trusting = outcome(verify_trusting_alg, candidate, key, now)
        results[name] = (pinned, trusting)
        print(f"{name}\n  pins HS256:         {pinned}\n  trusts token's alg: {trusting}")
    print()

    checks = {
        "the RFC 7519 3.1 example token's signature is reproduced (RFC 7515 A.1 key)": rfc_example_matches(),
        "the encoded parts use the base64url alphabet without padding": all(
            set(part) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            for part in token.split(".")
        ),
        "the payload was read without the key": json.loads(b64url_decode(payload_b64)) == claims,
        "both verifiers accept the genuine token": all(r.startswith("ACCEPTED") for r in results["genuine"]),
        "an edited payload is rejected: signature does not match": results["payload edited (role user -> admin)"]
        == ("rejected: signature does not match",) * 2,
        "an expired token is rejected although its signature is good": results["expired 600 s ago, correctly signed"]
        == ("rejected: expired 600 s ago",) * 2,
        "a token signed with another key is rejected by both: signature does not match": results[
            "signed with another key"
        ]
        == ("rejected: signature does not match",) * 2,
        "the verifier that trusts alg ACCEPTS the forged none token as admin": results['forged, "alg": "none"'][1]
        == "ACCEPTED as ana (role admin)",
        "the verifier that pins HS256 rejects it": results['forged, "alg": "none"'][0]
        == "rejected: alg 'none' is not the one we accept (HS256)",
    }
    for claim, holds in checks.items():
        print(f"{'yes' if holds else 'NO ':<4} {claim}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
