/*
 * Known-answer generator for tests/audit/kat.py: prints the tree hash of
 * every size 0..64 and every inclusion and consistency proof among them
 * (leaf i is the ASCII bytes "leaf <i>"), as this implementation computes
 * them, and writes a checkpoint signed with the key whose Ed25519 seed is
 * the bytes 0x00..0x1f, so that an independent implementation (Python's
 * hashlib and the openssl CLI) can check every byte.
 *
 * Usage: audit_kat OUTDIR   (writes OUTDIR/kat.txt, OUTDIR/note.txt, OUTDIR/vkey.txt)
 */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "mediation/audit/checkpoint.h"
#include "mediation/audit/merkle.h"
#include "mediation/audit/note.h"

static void put_hashes(FILE *f, const uint8_t (*h)[32], unsigned n)
{
	char x[65];
	unsigned i;

	for (i = 0; i < n; i++) {
		sl_audit_hex(h[i], 32, x);
		fprintf(f, "%s%s", i ? "," : " ", x);
	}
	if (!n)
		fputs(" -", f);
	fputc('\n', f);
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	uint8_t leaves[64][32], root[32], proof[SL_AUDIT_MAX_PROOF][32], seed[32];
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	struct sl_audit_ckpt c;
	struct sl_audit_skey *k;
	char path[4096], x[65], *body, *note;
	unsigned n, m, i, np;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: audit_kat OUTDIR\n");
		return 2;
	}
	for (i = 0; i < 64; i++) {
		char b[16];
		int len = snprintf(b, sizeof(b), "leaf %u", i);

		sl_audit_leaf_hash(h, (const uint8_t *)b, (size_t)len, leaves[i]);
	}
	snprintf(path, sizeof(path), "%s/kat.txt", argv[1]);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	for (n = 0; n <= 64; n++) {
		sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, n, root);
		sl_audit_hex(root, 32, x);
		fprintf(f, "root %u %s\n", n, x);
	}
	for (n = 1; n <= 64; n++)
		for (m = 0; m < n; m++) {
			np = sl_audit_inclusion_ranges(m, n, r);
			for (i = 0; i < np; i++)
				sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, r[i].a, r[i].b, proof[i]);
			fprintf(f, "incl %u %u", m, n);
			put_hashes(f, (const uint8_t(*)[32])proof, np);
		}
	for (n = 1; n <= 64; n++)
		for (m = 1; m <= n; m++) {
			np = sl_audit_consistency_ranges(m, n, r);
			for (i = 0; i < np; i++)
				sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, r[i].a, r[i].b, proof[i]);
			fprintf(f, "cons %u %u", m, n);
			put_hashes(f, (const uint8_t(*)[32])proof, np);
		}
	fclose(f);

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	k = sl_audit_skey_from_seed(ctx, h, "sluice.example/audit-kat", seed);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "sluice.example/audit-kat");
	c.size = 37;
	sl_audit_mth_leaves(h, (const uint8_t(*)[32])leaves, 0, 37, c.root);
	c.has_time = true;
	c.time_us = 1764748800000000; /* 2025-12-03T08:00:00Z */
	body = sl_audit_ckpt_body(ctx, &c);
	note = k && body ? sl_audit_note_sign(ctx, k, body) : NULL;
	if (!note) {
		fprintf(stderr, "audit_kat: signing failed\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/note.txt", argv[1]);
	f = fopen(path, "w");
	if (!f || fputs(note, f) < 0 || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/vkey.txt", argv[1]);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", sl_audit_vkey_format(ctx, sl_audit_skey_vkey(k))) < 0 || fclose(f) != 0) {
		perror(path);
		return 1;
	}
	talloc_free(ctx);
	return 0;
}
