#!/usr/bin/env bash
# Writes the known-answer vectors beside this script. The expected signatures come from
# `openssl dgst -sha256 -hmac`, independently of this package's code, so a bug shared by sign()
# and verify() cannot hide. Bodies are stored as base64 so bytes that are not UTF-8 survive.
# Run: bash packages/core/test/vectors/generate.sh   (needs bash, openssl, base64, head, tr)
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C

# vector NAME DESCRIPTION SECRET TIMESTAMP BODY_FILE
vector() {
  local name=$1 description=$2 secret=$3 timestamp=$4 body_file=$5
  local signature body_base64 secret_json
  signature=$({ printf '%s.' "$timestamp"; cat "$body_file"; } | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
  body_base64=$(base64 -w0 < "$body_file")
  # The secrets below hold no quote or backslash, so they are valid JSON strings as written.
  secret_json=$secret
  printf '{\n  "description": "%s",\n  "secret": "%s",\n  "timestamp": %s,\n  "bodyBase64": "%s",\n  "signature": "%s"\n}\n' \
    "$description" "$secret_json" "$timestamp" "$body_base64" "$signature" > "$name.json"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%s' '{"id":"evt_ascii","type":"fine_tune.completed","created":"2025-01-15T10:30:00Z","data":{"id":"ft-0001","status":"completed","model_output_name":"acme/llama-ft"}}' > "$tmp/ascii"
vector ascii-json 'ASCII JSON event' 'whsec_test_ascii_secret' 1736937000 "$tmp/ascii"

printf '%s' '{"id":"evt_unicode","type":"batch.completed","created":"2025-01-15T10:30:00Z","data":{"id":"batch-ü","note":"Grüße, 世界 🚀 — ok"}}' > "$tmp/unicode"
vector unicode-json 'JSON event with non-ASCII characters (UTF-8)' 'whsec_test_unicode_body' 1736937001 "$tmp/unicode"

printf '%s' '{"id":"evt_bytes","type":"resource.updated","created":"2025-01-15T10:30:00Z","data":{"note":"' > "$tmp/invalid"
printf '\xff\xfe\xc3\x28\xed\xa0\x80' >> "$tmp/invalid"
printf '%s' '"}}' >> "$tmp/invalid"
vector invalid-utf8 'JSON event whose string holds bytes that are not valid UTF-8' 'whsec_test_invalid_utf8' 1736937002 "$tmp/invalid"

: > "$tmp/empty"
vector empty-body 'empty body (authentic, but not an event)' 'whsec_test_empty' 1736937003 "$tmp/empty"

prefix='{"id":"evt_64k","type":"resource.updated","created":"2025-01-15T10:30:00Z","data":{"blob":"'
suffix='"}}'
fill=$((65536 - ${#prefix} - ${#suffix}))
{ printf '%s' "$prefix"; head -c "$fill" /dev/zero | tr '\0' 'x'; printf '%s' "$suffix"; } > "$tmp/large"
vector large-64k 'JSON event of exactly 64 KiB' 'whsec_test_large' 1736937004 "$tmp/large"

printf '%s' '{"id":"evt_secret","type":"video.completed","created":"2025-01-15T10:30:00Z","data":{"id":"vid_1","model":"m","status":"completed","seconds":"4","size":"720x1280","created_at":1736937000}}' > "$tmp/secret"
vector unicode-secret 'secret with non-ASCII characters (keyed with its UTF-8 bytes)' 'whsec_ключ_秘密_🔑' 1736937005 "$tmp/secret"

# Longer than SHA-256's 64-byte block: HMAC hashes such a key first (RFC 2104, section 2).
long_secret="whsec_$(printf 'long-secret-%02d-' $(seq 1 8))"
printf '%s' '{"id":"evt_long_secret","type":"endpoint.started","created":"2025-01-15T10:30:00Z","data":{"id":"endpoint-1","state":"STARTED"}}' > "$tmp/long"
vector long-secret 'secret longer than one SHA-256 block (hashed first)' "$long_secret" 1736937006 "$tmp/long"
