/*
 * Reading a byte range of a file whole: pread() may return fewer bytes
 * than asked (a signal during a read of a slow file system, a read cut
 * short by the kernel) or fail with EINTR, and every caller that needs
 * "these bytes, or the end of the file" would otherwise repeat the same
 * loop. The JetStream outbox reader and the pending-batch check of the
 * consent export (mediation/consent/consent_js_outbox.c,
 * consent_js_pending.c) and the block reader of classic pcap files
 * (capture/pcap_direct.c) are the users.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads len bytes at offset off of fd into buf, going on after short reads
 * and EINTR. Returns the number of bytes read, less than len only when the
 * end of the file came first (0: off is at or past it), or a negative
 * errno when a read failed (what was read before is in buf, not counted).
 */
ssize_t sl_pread_full(int fd, void *buf, size_t len, uint64_t off);
