/*
 * The JetStream export when sluice is built without libnats (configure
 * did not find it through pkg-config): opening one fails with a message
 * naming the package, so a configuration that asks for JetStream is
 * refused at start instead of silently exporting to files only.
 */
#include <stddef.h>

#include <talloc.h>

#include "mediation/consent/consent_js_export.h"

struct sl_js_export *sl_js_export_open(void *ctx, const struct sl_js_export_cfg *cfg, const char *dir,
				       const char *recipient, char **err)
{
	*err = talloc_strdup(ctx, "jetstream: this sluiced was built without libnats (install libnats-dev and "
				  "configure again)");
	return NULL;
}

void sl_js_export_durable(struct sl_js_export *x, unsigned seg, uint64_t end)
{
}

int sl_js_export_fd(const struct sl_js_export *x)
{
	return -1;
}

void sl_js_export_acked(struct sl_js_export *x, struct sl_js_pos *pos)
{
}

bool sl_js_export_drain(struct sl_js_export *x, unsigned timeout_ms)
{
	return true;
}

void sl_js_export_stats(struct sl_js_export *x, struct sl_js_export_stats *st)
{
}
