/*
 * Location events from SIP signalling: the cell a P-Access-Network-Info
 * header names (sip_pani.c, 3GPP TS 24.229 clause 7.2A.4) is where the
 * party that sent the message is, since the UE puts the header into the
 * requests and responses it sends (TS 24.229 5.1.1.2 and following). A
 * location event is emitted when a tracked dialog (call, registration,
 * message) first shows a cell, and again whenever the cell changes;
 * retransmissions and the rest of a dialog in the same cell add nothing.
 * The event's time is the packet's. Messages outside any tracked dialog
 * (OPTIONS, SUBSCRIBE...) make no location event: their cell is still on
 * their sip event. A cell a message has from the UE binding table (no
 * header, sip_handle.c) makes none either: gtp_handle.c reported it as a
 * "gtpv2-uli" location event when the ULI came.
 */
#include <string.h>

#include "capture/capture_int.h"
#include "capture/dialog_int.h"

static bool same_cell(const struct sl_cell *a, const struct sl_cell *b)
{
	return a->access == b->access && a->area == b->area && a->cell == b->cell && !strcmp(a->mcc, b->mcc)
	       && !strcmp(a->mnc, b->mnc);
}

void sl_sip_location(struct sl_capture *cap, const struct sl_sig *sig, const struct sl_sip_msg *m,
		     const struct sl_event *sipev)
{
	struct sl_dialog *d = sipev->dialog;
	struct sl_event ev;

	/* a PANI cell only: a cell from the binding table has its location event from GTPv2-C (gtp_handle.c) */
	if (!d || !sipev->cell || !sipev->location.len)
		return;
	if (d->loc_reported && same_cell(&d->loc_cell, sipev->cell))
		return;
	d->loc_reported = true;
	d->loc_cell = *sipev->cell;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_LOCATION;
	ev.ts_us = sig->ts_us;
	ev.sig = sig;
	ev.call_id = sipev->call_id;
	ev.dialog = d;
	/* the subscriber located is the sender of the message */
	ev.from = m->is_request ? sipev->from : sipev->to;
	ev.dir = sipev->dir;
	ev.location = sipev->location;
	ev.cell = &d->loc_cell;
	ev.u.loc.source = "sip-pani";
	ev.u.loc.cell = d->loc_cell;
	sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_LOCATIONS);
	sl_cap_emit(cap, &ev);
}
