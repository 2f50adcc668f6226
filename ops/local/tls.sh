#!/usr/bin/env bash
# Makes the certificates and secrets the local services use for their TLS and SASL listeners:
# a private CA, a server certificate for 127.0.0.1/localhost, a client certificate (mTLS), a PEM
# key store for Kafka, and random passwords for the Kafka SCRAM user and the TLS Redis. Files
# that exist and are still valid are kept, so the services' certificates do not change under them.
#
#   ops/local/tls.sh          make what is missing; print the directory
#   ops/local/tls.sh path     print the directory only
#
# $MAILSCORE_STATE_DIR/tls (default .local/tls):
#   ca.crt            the CA clients trust (KAFKA_SSL_CA_FILE, sslrootcert=, REDIS_TLS_CA_FILE)
#   server.crt/.key   127.0.0.1, ::1 and localhost; used by Kafka, PostgreSQL and Redis
#   kafka-server.pem  server key + certificate chain, Kafka's ssl.keystore.type=PEM
#   client.crt/.key   CN=mailscore, for Kafka's mTLS listener (KAFKA_SSL_CERT_FILE/KEY_FILE)
#   untrusted-ca.crt  a CA that signed nothing here; tests use it to check a wrong CA is refused
#   kafka.password    the SCRAM (and PLAIN) password of the Kafka user "mailscore"
#   redis.password    the password of the TLS Redis
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${MAILSCORE_STATE_DIR:-$(cd "$here/../.." && pwd)/.local}/tls"
days=825

log() { printf 'tls.sh: %s\n' "$*" >&2; }

if [[ "${1:-}" == path ]]; then echo "$dir"; exit 0; fi
command -v openssl >/dev/null || { log "openssl is required (apt-get install openssl)"; exit 1; }
mkdir -p "$dir"
chmod 0755 "$dir"
umask 077

# Valid for at least 30 more days and, for leaf certificates, signed by our CA.
still_good() {
  [[ -s "$1" ]] && openssl x509 -in "$1" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 &&
    { [[ "$1" == "$dir/ca.crt" || "$1" == "$dir/untrusted-ca.crt" ]] || openssl verify -CAfile "$dir/ca.crt" "$1" >/dev/null 2>&1; }
}

make_ca() { # file stem, subject
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$1.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/$1.key" -sha256 -days 3650 -subj "$2" \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -out "$dir/$1.crt"
}

make_leaf() { # file stem, subject, extensions
  local csr; csr="$(mktemp)"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/$1.key" 2>/dev/null
  openssl req -new -key "$dir/$1.key" -subj "$2" -out "$csr"
  openssl x509 -req -in "$csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" -sha256 \
    -extfile <(printf '%s\n' "$3") -out "$dir/$1.crt" 2>/dev/null
  rm -f "$csr"
}

renewed=0
if ! still_good "$dir/ca.crt"; then
  log "making the local CA in $dir"
  make_ca ca '/O=mailscore local/CN=mailscore local CA'
  renewed=1
fi
if [[ $renewed == 1 ]] || ! still_good "$dir/server.crt"; then
  log "making the server certificate (127.0.0.1, ::1, localhost)"
  make_leaf server '/O=mailscore local/CN=localhost' \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
  renewed=1
fi
if [[ $renewed == 1 ]] || ! still_good "$dir/client.crt"; then
  log "making the client certificate (CN=mailscore)"
  make_leaf client '/O=mailscore local/CN=mailscore' \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
fi
if ! still_good "$dir/untrusted-ca.crt"; then
  make_ca untrusted-ca '/O=somebody else/CN=untrusted CA'
  rm -f "$dir/untrusted-ca.key"
fi
# Kafka's PEM key store: a PKCS#8 key (genpkey writes PKCS#8) followed by the chain.
cat "$dir/server.key" "$dir/server.crt" "$dir/ca.crt" >"$dir/kafka-server.pem.new"
mv "$dir/kafka-server.pem.new" "$dir/kafka-server.pem"

for secret in kafka redis; do
  [[ -s "$dir/$secret.password" ]] || openssl rand -hex 24 >"$dir/$secret.password"
done

# Certificates are public; keys and passwords stay readable by this user only.
chmod 0644 "$dir"/*.crt
chmod 0600 "$dir"/*.key "$dir"/*.password "$dir/kafka-server.pem"
echo "$dir"
