/*
 * Key files: generation, loading with the permission rule, and keyed
 * pseudonyms (see keys.h). Private key bytes only ever pass through
 * memory that is cleansed before it is freed.
 */
#include "mediation/audit/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <talloc.h>

#define MAX_KEY_FILE 8192

static int write_new_file(const char *path, mode_t mode, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	const uint8_t *b = p;
	int err;

	if (fd < 0)
		return -errno;
	/* umask may have removed bits we want (never added any): set exactly. */
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		b += w;
		n -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	close(fd);
	return 0;
fail:
	err = -errno;
	close(fd);
	unlink(path);
	return err;
}

/* Reads a secret file after checking it is a regular file only its owner can read or write. */
static int read_secret(void *ctx, const char *path, char *buf, size_t cap, size_t *len, char **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t r;

	if (fd < 0) {
		int e = errno;

		*err = talloc_asprintf(ctx, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = talloc_asprintf(ctx, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (st.st_mode & 077) {
		*err = talloc_asprintf(ctx, "%s: mode %04o lets group or others at the key; chmod 600 it",
				       path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	r = read(fd, buf, cap);
	close(fd);
	if (r < 0 || (size_t)r >= cap) {
		*err = talloc_asprintf(ctx, "%s: %s", path, r < 0 ? strerror(errno) : "too large for a key file");
		return r < 0 ? -EIO : -EFBIG;
	}
	*len = (size_t)r;
	return 0;
}

int sl_audit_keygen(void *ctx, struct sl_audit_hasher *h, const char *name, const char *key_path,
		    const char *vkey_path, char **err)
{
	EVP_PKEY *pk = NULL;
	BIO *mem = NULL;
	struct sl_audit_skey *sk;
	char *pem = NULL, *vk;
	long pemlen;
	int rc;

	if (!sl_audit_key_name_ok(name)) {
		*err = talloc_asprintf(ctx, "key name '%s' must be 1-128 printable ASCII bytes without space or '+'",
				       name);
		return -EINVAL;
	}
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	mem = BIO_new(BIO_s_secmem());
	if (!pk || !mem || !PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL)) {
		*err = talloc_strdup(ctx, "Ed25519 key generation failed in OpenSSL");
		EVP_PKEY_free(pk);
		BIO_free(mem);
		return -EIO;
	}
	pemlen = BIO_get_mem_data(mem, &pem);
	rc = write_new_file(key_path, 0600, pem, (size_t)pemlen);
	BIO_free(mem);
	if (rc < 0) {
		*err = talloc_asprintf(ctx, "%s: %s", key_path, strerror(-rc));
		EVP_PKEY_free(pk);
		return rc;
	}
	sk = sl_audit_skey_wrap(ctx, h, name, pk);
	if (!sk) {
		*err = talloc_strdup(ctx, "cannot derive the verifier key");
		return -EIO;
	}
	vk = talloc_asprintf(sk, "%s\n", sl_audit_vkey_format(sk, sl_audit_skey_vkey(sk)));
	rc = vk ? write_new_file(vkey_path, 0644, vk, strlen(vk)) : -ENOMEM;
	talloc_free(sk);
	if (rc < 0) {
		*err = talloc_asprintf(ctx, "%s: %s", vkey_path, strerror(-rc));
		return rc;
	}
	return 0;
}

struct sl_audit_skey *sl_audit_skey_load(void *ctx, struct sl_audit_hasher *h, const char *key_path,
					 const char *name, char **err)
{
	char *buf = OPENSSL_secure_malloc(MAX_KEY_FILE);
	EVP_PKEY *pk = NULL;
	struct sl_audit_skey *sk;
	size_t len;
	BIO *mem;

	if (!buf) {
		*err = talloc_strdup(ctx, "out of memory");
		return NULL;
	}
	if (read_secret(ctx, key_path, buf, MAX_KEY_FILE, &len, err) < 0) {
		OPENSSL_secure_clear_free(buf, MAX_KEY_FILE);
		return NULL;
	}
	mem = BIO_new_mem_buf(buf, (int)len);
	if (mem)
		pk = PEM_read_bio_PrivateKey(mem, NULL, NULL, NULL);
	BIO_free(mem);
	OPENSSL_secure_clear_free(buf, MAX_KEY_FILE);
	if (!pk || !EVP_PKEY_is_a(pk, "ED25519")) {
		*err = talloc_asprintf(ctx, "%s: not a PEM PKCS#8 Ed25519 private key", key_path);
		EVP_PKEY_free(pk);
		return NULL;
	}
	sk = sl_audit_skey_wrap(ctx, h, name, pk);
	if (!sk)
		*err = talloc_asprintf(ctx, "%s: unusable key or bad key name '%s'", key_path, name);
	return sk;
}

bool sl_audit_vkey_load(void *ctx, struct sl_audit_hasher *h, const char *path, struct sl_audit_vkey *out,
			char **err)
{
	char buf[1024];
	const char *why = NULL;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		*err = talloc_asprintf(ctx, "%s: %s", path, strerror(errno));
		return false;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n == 0) {
		*err = talloc_asprintf(ctx, "%s: empty verifier key file", path);
		return false;
	}
	if (strlen(buf) != n) {
		*err = talloc_asprintf(ctx, "%s: NUL byte in verifier key file", path);
		return false;
	}
	if (!sl_audit_vkey_parse(h, buf, out, &why)) {
		*err = talloc_asprintf(ctx, "%s: bad verifier key: %s", path, why);
		return false;
	}
	return true;
}

int sl_audit_pseudo_keygen(void *ctx, const char *path, char **err)
{
	uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN];
	char line[2 * SL_AUDIT_PSEUDO_KEY_LEN + 2];
	int rc;

	if (RAND_priv_bytes(key, sizeof(key)) != 1) {
		*err = talloc_strdup(ctx, "no randomness from OpenSSL");
		return -EIO;
	}
	sl_audit_hex(key, sizeof(key), line);
	line[2 * SL_AUDIT_PSEUDO_KEY_LEN] = '\n';
	line[2 * SL_AUDIT_PSEUDO_KEY_LEN + 1] = '\0';
	rc = write_new_file(path, 0600, line, sizeof(line) - 1);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(line, sizeof(line));
	if (rc < 0)
		*err = talloc_asprintf(ctx, "%s: %s", path, strerror(-rc));
	return rc;
}

int sl_audit_pseudo_key_load(void *ctx, const char *path, uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], char **err)
{
	char buf[256];
	size_t len, i;
	int rc = read_secret(ctx, path, buf, sizeof(buf), &len, err);

	if (rc < 0)
		return rc;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len != 2 * SL_AUDIT_PSEUDO_KEY_LEN)
		goto bad;
	for (i = 0; i < SL_AUDIT_PSEUDO_KEY_LEN; i++) {
		unsigned v;
		char pair[3] = { buf[2 * i], buf[2 * i + 1], 0 };
		char *end;

		if (!((pair[0] >= '0' && pair[0] <= '9') || (pair[0] >= 'a' && pair[0] <= 'f')) ||
		    !((pair[1] >= '0' && pair[1] <= '9') || (pair[1] >= 'a' && pair[1] <= 'f')))
			goto bad;
		v = (unsigned)strtoul(pair, &end, 16);
		key[i] = (uint8_t)v;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
bad:
	OPENSSL_cleanse(buf, sizeof(buf));
	*err = talloc_asprintf(ctx, "%s: not 64 lowercase hex digits", path);
	return -EINVAL;
}

int sl_audit_pseudonym(const uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], const char *type, const char *value,
		       char out[SL_AUDIT_PSEUDONYM_STRLEN])
{
	size_t tn = strlen(type), vn = strlen(value), mlen = 0;
	uint8_t mac[32];
	uint8_t *msg;
	uint8_t *r;

	if (tn == 0)
		return -EINVAL;
	msg = OPENSSL_malloc(tn + 1 + vn);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, type, tn);
	msg[tn] = 0x00;
	memcpy(msg + tn + 1, value, vn);
	r = EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, SL_AUDIT_PSEUDO_KEY_LEN, msg, tn + 1 + vn, mac,
		      sizeof(mac), &mlen);
	OPENSSL_clear_free(msg, tn + 1 + vn);
	if (!r || mlen != 32)
		return -EIO;
	memcpy(out, "hmac-sha256:", 12);
	sl_audit_hex(mac, 32, out + 12);
	return 0;
}
