// OpenSSL's libcrypto (not libssl): message digests, HMAC, constant-time comparison and the
// CSPRNG. Only HeraldCore's Crypto/ folder imports it.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
