#!/usr/bin/env bash
# Development keys, generated once into .data/keys/ (git-ignored); prints the env exports that
# point the API at them and writes the same lines to .data/keys/keys.env.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DIR="$ROOT/.data/keys"
mkdir -p "$DIR"; chmod 0700 "$DIR"          # .data itself keeps its mode: PostgreSQL's user needs it
umask 077                                   # keys are never readable by others

SIGN="$DIR/receipt-signing.pem" KID="$DIR/receipt-signing.kid"
WRAP="$DIR/key-wrapping.key" TOKEN="$DIR/dev-token.key"

if [[ ! -s $SIGN ]]; then
  # EC P-256, PKCS#8 PEM ("BEGIN PRIVATE KEY"): what .NET's ImportFromPem reads.
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$SIGN" 2>/dev/null
  rm -f "$KID"
fi
if [[ ! -s $KID ]]; then
  # Key id = hash of the public key (SubjectPublicKeyInfo DER), so it changes with the key.
  echo "dev-$(openssl pkey -in "$SIGN" -pubout -outform DER | sha256sum | cut -c1-8)" >"$KID"
fi
[[ -s $WRAP ]] || openssl rand -base64 32 >"$WRAP"              # AES-256 key-wrapping key
# HMAC-SHA256 key for dev JWTs; openssl wraps base64 at 64 columns, so join it into one line.
[[ -s $TOKEN ]] || { openssl rand -base64 64 | tr -d '\n'; echo; } >"$TOKEN"
chmod 0600 "$SIGN" "$KID" "$WRAP" "$TOKEN"

cat <<ENV | tee "$DIR/keys.env"
export Trading__Signing__KeyFile="$SIGN"
export Trading__Signing__KeyId="$(cat "$KID")"
export Trading__Sealing__KeyWrappingKeyFile="$WRAP"
export Trading__Auth__DevTokenKeyFile="$TOKEN"
ENV
