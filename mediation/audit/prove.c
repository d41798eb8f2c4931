/* Proofs from a log directory (see prove.h). */
#include "mediation/audit/prove.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/nodes.h"
#include "mediation/audit/reader.h"

struct pass {
	struct sl_audit_hasher *h;
	struct sl_audit_multirange *mr;
	uint64_t want, stop;
	void *ctx;
	struct sl_audit_proof *out;
	bool got;
};

static int on_rec(void *arg, const struct sl_audit_rec *r)
{
	struct pass *p = arg;

	if (p->mr)
		sl_audit_multirange_feed(p->mr, p->h, r->seq, r->leaf);
	if (r->seq == p->want && p->out->record == NULL) {
		p->out->record = talloc_size(p->ctx, r->len + 1);
		if (p->out->record) {
			memcpy(p->out->record, r->data, r->len);
			p->out->record[r->len] = '\0';
			p->out->record_len = r->len;
			memcpy(p->out->leaf, r->leaf, SL_AUDIT_HASH_LEN);
			p->got = true;
		}
	}
	return r->seq + 1 >= p->stop ? 1 : 0;
}

/* One pass over the log: range hashes (if mr) and the record at want. Returns records seen. */
static int log_pass(void *ctx, struct sl_audit_hasher *h, const char *dir, struct sl_audit_multirange *mr,
		    uint64_t want, uint64_t stop, struct sl_audit_proof *out, char **err)
{
	struct pass p = { .h = h, .mr = mr, .want = want, .stop = stop, .ctx = ctx, .out = out };
	struct sl_audit_read_res rr;
	int rc = sl_audit_read_log(ctx, h, dir, on_rec, &p, &rr);

	if (rc < 0) {
		*err = talloc_asprintf(ctx, "%s: %s", dir, strerror(-rc));
		return rc;
	}
	if (rr.records < stop) {
		*err = talloc_asprintf(ctx, "%s: the log holds %" PRIu64 " readable records, %" PRIu64 " needed%s%s",
				       dir, rr.records, stop, rr.problem >= 0 ? "; reading stopped at " : "",
				       rr.problem >= 0 ? sl_audit_problem_name(rr.problem) : "");
		return -ENOENT;
	}
	return 0;
}

static int nodes_fd(void *ctx, const char *dir, uint64_t size)
{
	char *path = talloc_asprintf(ctx, "%s/" SL_AUDIT_NODES_FILE, dir);
	struct stat st;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	talloc_free(path);
	if (fd < 0)
		return -1;
	/* Must hold every node of the tree of size leaves (the last leaf's position and after). */
	if (size == 0 || fstat(fd, &st) != 0 ||
	    (uint64_t)st.st_size < (sl_audit_node_pos(0, size - 1) + 1) * SL_AUDIT_HASH_LEN) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool fill_from_nodes(int fd, struct sl_audit_hasher *h, const struct sl_audit_range *r, unsigned n,
			    struct sl_audit_proof *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!sl_audit_nodes_range(fd, h, r[i].a, r[i].b, out->h[i]))
			return false;
	return true;
}

static void fill_from_mr(struct sl_audit_multirange *mr, struct sl_audit_hasher *h, unsigned n,
			 struct sl_audit_proof *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sl_audit_multirange_get(mr, h, i, out->h[i]);
}

int sl_audit_prove_inclusion(void *ctx, const char *dir, uint64_t index, uint64_t size,
			     const uint8_t root[SL_AUDIT_HASH_LEN], bool use_nodes, struct sl_audit_proof *out,
			     char **err)
{
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_multirange *mr;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!h)
		return -ENOMEM;
	if (index >= size) {
		*err = talloc_asprintf(ctx, "record %" PRIu64 " is not in a tree of %" PRIu64 " records", index, size);
		talloc_free(h);
		return -ENOENT;
	}
	out->index = index;
	out->size = size;
	out->n = sl_audit_inclusion_ranges(index, size, r);
	/* The record itself: straight from its segment with tree.nodes, else in the pass below. */
	fd = use_nodes ? nodes_fd(ctx, dir, size) : -1;
	if (fd >= 0 && sl_audit_read_one(ctx, h, dir, index, &out->record, &out->record_len, out->leaf) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0) {
		bool ok = fill_from_nodes(fd, h, r, out->n, out);

		close(fd);
		if (ok && sl_audit_verify_inclusion(h, index, size, out->leaf, (const uint8_t(*)[SL_AUDIT_HASH_LEN])out->h,
						    out->n, root)) {
			out->from_nodes = true;
			goto done;
		}
	}
	talloc_free(out->record);
	out->record = NULL;
	mr = sl_audit_multirange_new(ctx, r, out->n);
	rc = mr ? log_pass(ctx, h, dir, mr, index, size, out, err) : -ENOMEM;
	if (rc == 0) {
		fill_from_mr(mr, h, out->n, out);
		if (!sl_audit_verify_inclusion(h, index, size, out->leaf, (const uint8_t(*)[SL_AUDIT_HASH_LEN])out->h,
					       out->n, root)) {
			*err = talloc_asprintf(ctx, "%s: the log's tree of %" PRIu64 " records does not have the "
					       "checkpoint's root: record %" PRIu64 " cannot be proved", dir, size, index);
			rc = -EBADMSG;
		}
	}
	talloc_free(mr);
done:
	talloc_free(h);
	return rc;
}

int sl_audit_prove_consistency(void *ctx, const char *dir, uint64_t m, const uint8_t root_m[SL_AUDIT_HASH_LEN],
			       uint64_t n, const uint8_t root_n[SL_AUDIT_HASH_LEN], bool use_nodes,
			       struct sl_audit_proof *out, char **err)
{
	struct sl_audit_range r[SL_AUDIT_MAX_PROOF];
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_multirange *mr;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!h)
		return -ENOMEM;
	if (m > n) {
		*err = talloc_asprintf(ctx, "old size %" PRIu64 " is larger than new size %" PRIu64, m, n);
		talloc_free(h);
		return -EINVAL;
	}
	out->index = m;
	out->size = n;
	out->n = sl_audit_consistency_ranges(m, n, r);
	fd = use_nodes ? nodes_fd(ctx, dir, n) : -1;
	if (fd >= 0) {
		bool ok = fill_from_nodes(fd, h, r, out->n, out);

		close(fd);
		if (ok && sl_audit_verify_consistency(h, m, n, root_m, root_n, (const uint8_t(*)[SL_AUDIT_HASH_LEN])out->h,
						      out->n)) {
			out->from_nodes = true;
			goto done;
		}
	}
	mr = sl_audit_multirange_new(ctx, r, out->n);
	rc = !mr ? -ENOMEM : n ? log_pass(ctx, h, dir, mr, UINT64_MAX, n, out, err) : 0;
	if (rc == 0) {
		fill_from_mr(mr, h, out->n, out);
		if (!sl_audit_verify_consistency(h, m, n, root_m, root_n, (const uint8_t(*)[SL_AUDIT_HASH_LEN])out->h,
						 out->n)) {
			*err = talloc_asprintf(ctx, "%s: no consistency proof from size %" PRIu64 " to %" PRIu64
					       ": the log's trees do not have those roots", dir, m, n);
			rc = -EBADMSG;
		}
	}
	talloc_free(mr);
done:
	talloc_free(h);
	return rc;
}
