/*
 * The delivery and capture-table gauges as libosmocore stat items, so that
 * every reporter libosmocore offers (`stats reporter statsd`, `stats
 * reporter log`, configured with osmo_stats_vty_add_cmds) exports them
 * beside the rate counters, which already include the kernel and
 * interface drops of each capture source (group `source`, counters
 * drops:kernel and drops:interface).
 *
 * Groups, each instance named so a reporter line says which one it is:
 *   delivery (index: destination number * 2 + stream, name
 *     "<destination>-hi2" or "-hi3"): queued_records, queued_bytes,
 *     oldest_undelivered_s, link_up, link_state (sl_link_state value),
 *     link_state_s (seconds in that state), spool_fill_pct (spool bytes on
 *     disk over spool-max-mb);
 *   capture_table (index 0..6, names flows, dialogs, media, rtp_streams,
 *     frag_bytes, stream_bytes, tcp_ooo_bytes): used, limit, fill_pct.
 * Item names are fixed strings: no path, no destination name (those are
 * the group's name, chosen by the operator).
 *
 * Updated from the daemon's one-second tick (sl_daemon_metrics_tick), the
 * same values /metrics computes when scraped; /metrics keeps its own
 * families for these (sluice_delivery_*, sluice_capture_table_*) and skips
 * these groups, so its output does not change.
 */
#include <stdint.h>
#include <stdio.h>

#include <osmocom/core/stat_item.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>

#include "handover/link.h"
#include "handover/spool.h"
#include "src/daemon.h"

enum {
	DI_QUEUED_RECORDS,
	DI_QUEUED_BYTES,
	DI_OLDEST_S,
	DI_LINK_UP,
	DI_LINK_STATE,
	DI_LINK_STATE_S,
	DI_SPOOL_FILL,
};

static const struct osmo_stat_item_desc delivery_items[] = {
	[DI_QUEUED_RECORDS] = { "queued_records", "Records spooled and not yet delivered", OSMO_STAT_ITEM_NO_UNIT, 16, 0 },
	[DI_QUEUED_BYTES] = { "queued_bytes", "Payload bytes spooled and not yet delivered", "B", 16, 0 },
	[DI_OLDEST_S] = { "oldest_undelivered_s", "Age of the oldest undelivered record (0: none)", "s", 16, 0 },
	[DI_LINK_UP] = { "link_up", "1 while the link to the receiver is up", OSMO_STAT_ITEM_NO_UNIT, 16, 0 },
	[DI_LINK_STATE] = { "link_state", "Link state (0 disconnected, 1 connecting, 2 TLS handshake, 3 up, 4 backing off, 5 negotiating)",
			    OSMO_STAT_ITEM_NO_UNIT, 16, 0 },
	[DI_LINK_STATE_S] = { "link_state_s", "Seconds since the link entered its current state", "s", 16, 0 },
	[DI_SPOOL_FILL] = { "spool_fill_pct", "Spool bytes on disk over the spool cap (spool-max-mb)", "%", 16, 0 },
};

static const struct osmo_stat_item_group_desc delivery_desc = {
	.group_name_prefix = "delivery",
	.group_description = "Delivery to one destination stream",
	.class_id = OSMO_STATS_CLASS_GLOBAL, /* reported at a reporter's default level */
	.num_items = ARRAY_SIZE(delivery_items),
	.item_desc = delivery_items,
};

enum { TI_USED, TI_LIMIT, TI_FILL };

static const struct osmo_stat_item_desc table_items[] = {
	[TI_USED] = { "used", "Entries (or bytes) in use in a bounded capture table", OSMO_STAT_ITEM_NO_UNIT, 16, 0 },
	[TI_LIMIT] = { "limit", "The table's configured limit", OSMO_STAT_ITEM_NO_UNIT, 16, 0 },
	[TI_FILL] = { "fill_pct", "Use over limit", "%", 16, 0 },
};

static const struct osmo_stat_item_group_desc table_desc = {
	.group_name_prefix = "capture_table",
	.group_description = "A bounded capture table against its limit",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_items = ARRAY_SIZE(table_items),
	.item_desc = table_items,
};

#define N_TABLES 7

static struct osmo_stat_item_group *g_dest[SL_HO_MAX_DEST][2];
static struct osmo_stat_item_group *g_table[N_TABLES];

bool sl_daemon_stats_own(const struct osmo_stat_item_group_desc *desc)
{
	return desc == &delivery_desc || desc == &table_desc;
}

static void set(struct osmo_stat_item_group *g, unsigned item, int64_t v)
{
	osmo_stat_item_set(osmo_stat_item_group_get_item(g, item), (int32_t)(v > INT32_MAX ? INT32_MAX : v));
}

static void update_dest(struct sl_daemon *d, unsigned i, unsigned s, int64_t now_us)
{
	static const char *const streams[2] = { "hi2", "hi3" };
	struct sl_link *l = d->ho.dest[i].link[s];
	struct sl_spool *sp = d->ho.dest[i].spool[s];
	struct osmo_stat_item_group *g = g_dest[i][s];
	uint64_t cap = (uint64_t)d->cfg.ho.spool_max_mb << 20;
	struct sl_link_status st;
	struct sl_spool_stats ss;

	if (!l || !sp)
		return;
	if (!g) {
		char name[96];

		g = g_dest[i][s] = osmo_stat_item_group_alloc(d->ctx, &delivery_desc, i * 2 + s);
		if (!g)
			return;
		snprintf(name, sizeof(name), "%s-%s", d->ho.dest[i].cfg->name, streams[s]);
		osmo_stat_item_group_set_name(g, name);
	}
	sl_link_get_status(l, &st);
	sl_spool_get_stats(sp, &ss);
	set(g, DI_QUEUED_RECORDS, (int64_t)st.queued_records);
	set(g, DI_QUEUED_BYTES, (int64_t)st.queued_bytes);
	set(g, DI_OLDEST_S, st.oldest_age_ms > 0 ? st.oldest_age_ms / 1000 : 0);
	set(g, DI_LINK_UP, st.state == SL_LINK_UP);
	set(g, DI_LINK_STATE, st.state);
	set(g, DI_LINK_STATE_S, (now_us - d->link_since_us[i][s]) / 1000000);
	set(g, DI_SPOOL_FILL, cap ? (int64_t)(ss.disk_bytes * 100 / cap) : 0);
}

static void update_tables(struct sl_daemon *d)
{
	static const char *const names[N_TABLES] = { "flows", "dialogs", "media", "rtp_streams", "frag_bytes",
						     "stream_bytes", "tcp_ooo_bytes" };
	const struct sl_capture_cfg *c = &d->cfg.cap;
	struct sl_capture_usage u;
	int64_t used[N_TABLES], limit[N_TABLES];
	unsigned t;

	if (!d->cap)
		return;
	sl_capture_usage(d->cap, &u);
	used[0] = u.flows, limit[0] = c->flows.max_flows;
	used[1] = u.dialogs, limit[1] = c->max_dialogs;
	used[2] = u.media, limit[2] = c->max_media;
	used[3] = u.rtp_streams, limit[3] = c->max_rtp_streams;
	used[4] = (int64_t)u.frag_bytes, limit[4] = (int64_t)c->defrag.max_bytes;
	used[5] = (int64_t)u.stream_bytes, limit[5] = (int64_t)c->max_stream_bytes;
	used[6] = (int64_t)u.tcp_ooo_bytes, limit[6] = (int64_t)c->tcp.max_total_bytes;
	for (t = 0; t < N_TABLES; t++) {
		if (!g_table[t]) {
			g_table[t] = osmo_stat_item_group_alloc(d->ctx, &table_desc, t);
			if (!g_table[t])
				continue;
			osmo_stat_item_group_set_name(g_table[t], names[t]);
		}
		set(g_table[t], TI_USED, used[t]);
		set(g_table[t], TI_LIMIT, limit[t]);
		set(g_table[t], TI_FILL, limit[t] ? used[t] * 100 / limit[t] : 0);
	}
}

void sl_daemon_stats_update(struct sl_daemon *d, int64_t now_us)
{
	unsigned i, s;

	for (i = 0; i < d->ho.n_dest; i++)
		for (s = 0; s < 2; s++)
			update_dest(d, i, s, now_us);
	update_tables(d);
}

void sl_daemon_stats_free(void)
{
	unsigned i, s;

	for (i = 0; i < SL_HO_MAX_DEST; i++)
		for (s = 0; s < 2; s++) {
			if (g_dest[i][s])
				osmo_stat_item_group_free(g_dest[i][s]);
			g_dest[i][s] = NULL;
		}
	for (i = 0; i < N_TABLES; i++) {
		if (g_table[i])
			osmo_stat_item_group_free(g_table[i]);
		g_table[i] = NULL;
	}
}
