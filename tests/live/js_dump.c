/*
 * Test helper: prints every message of a JetStream stream, in stream
 * order, one per line as MSG-ID TAB SUBJECT TAB BODY (the body is one
 * JSON record without LF), by direct get of each sequence from the first
 * to the last. Used by tests/live/consent_jetstream.sh to compare the
 * stream with the JSON Lines export.
 *
 * Usage: js_dump [-c CREDS] URL STREAM [CA CERT KEY]
 *   -c CREDS     connect as the user of this NATS credentials file (JWT and NKey seed)
 *   CA CERT KEY  TLS: trusted CAs, client certificate and key
 *   STREAM "-"   only connect and ask for the account's JetStream information:
 *                prints "connected" and exits 0, or the library's error and exits 1
 *                (tests/live/consent_jetstream_creds.sh: is a user accepted)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <nats/nats.h>

int main(int argc, char **argv)
{
	natsConnection *nc = NULL;
	natsOptions *o = NULL;
	jsStreamInfo *si = NULL;
	jsCtx *js = NULL;
	jsErrCode je = 0;
	const char *creds = NULL;
	natsStatus s;
	uint64_t seq;
	int rc = 1;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		creds = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: js_dump [-c CREDS] URL STREAM [CA CERT KEY]\n");
		return 2;
	}
	s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetURL(o, argv[1]);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, 5000);
	if (s == NATS_OK && creds)
		s = natsOptions_SetUserCredentialsFromFiles(o, creds, NULL);
	if (s == NATS_OK && argc == 6) {
		s = natsOptions_SetSecure(o, true);
		if (s == NATS_OK)
			s = natsOptions_LoadCATrustedCertificates(o, argv[3]);
		if (s == NATS_OK)
			s = natsOptions_LoadCertificatesChain(o, argv[4], argv[5]);
	}
	if (s == NATS_OK)
		s = natsConnection_Connect(&nc, o);
	if (s == NATS_OK) {
		jsOptions jo;

		jsOptions_Init(&jo);
		jo.Wait = strcmp(argv[2], "-") ? 5000 : 1000; /* a request refused for permissions is a timeout */
		s = natsConnection_JetStream(&js, nc, &jo);
	}
	if (s == NATS_OK && !strcmp(argv[2], "-")) {
		jsAccountInfo *ai = NULL;

		s = js_GetAccountInfo(&ai, js, NULL, &je);
		if (s == NATS_OK) {
			printf("connected\n");
			jsAccountInfo_Destroy(ai);
			rc = 0;
			goto out;
		}
	} else if (s == NATS_OK) {
		s = js_GetStreamInfo(&si, js, argv[2], NULL, &je);
	}
	if (s != NATS_OK) {
		const char *last = nats_GetLastError(NULL);

		fprintf(stderr, "js_dump: %s (%d)%s%s\n", natsStatus_GetText(s), (int)je, last ? ": " : "",
			last ? last : "");
		goto out;
	}
	for (seq = si->State.FirstSeq; si->State.Msgs && seq <= si->State.LastSeq; seq++) {
		natsMsg *m = NULL;
		const char *id = "";

		s = js_GetMsg(&m, js, argv[2], seq, NULL, &je);
		if (s == NATS_NOT_FOUND)
			continue;
		if (s != NATS_OK) {
			fprintf(stderr, "js_dump: sequence %" PRIu64 ": %s\n", seq, natsStatus_GetText(s));
			goto out;
		}
		natsMsgHeader_Get(m, "Nats-Msg-Id", &id);
		printf("%s\t%s\t%.*s\n", id, natsMsg_GetSubject(m), natsMsg_GetDataLength(m), natsMsg_GetData(m));
		natsMsg_Destroy(m);
	}
	rc = 0;
out:
	jsStreamInfo_Destroy(si);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	natsOptions_Destroy(o);
	nats_Close();
	return rc;
}
