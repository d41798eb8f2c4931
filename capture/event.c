/* Names of event enums, used by every output format (see event.h). */
#include "capture/event.h"

const char *const sl_event_type_names[_SL_EV_COUNT] = {
	[SL_EV_SIP] = "sip", [SL_EV_CALL] = "call", [SL_EV_MESSAGE] = "message",
	[SL_EV_REGISTRATION] = "registration", [SL_EV_RTP_STREAM] = "rtp_stream",
	[SL_EV_SMS] = "sms", [SL_EV_IDENTITY] = "identity",
	[SL_EV_LOCATION] = "location", [SL_EV_BEARER] = "bearer",
};

const char *const sl_transport_names[_SL_TRANSPORT_COUNT] = {
	[SL_TRANSPORT_UDP] = "udp", [SL_TRANSPORT_TCP] = "tcp", [SL_TRANSPORT_WS] = "ws",
};

const char *const sl_call_step_names[_SL_CALL_STEP_COUNT] = {
	[SL_CALL_ATTEMPT] = "attempt", [SL_CALL_RINGING] = "ringing",
	[SL_CALL_ANSWER] = "answer", [SL_CALL_END] = "end",
};

const char *const sl_call_end_names[_SL_END_COUNT] = {
	[SL_END_NONE] = "none", [SL_END_BYE] = "bye", [SL_END_CANCEL] = "cancel",
	[SL_END_REJECTED] = "rejected", [SL_END_TIMEOUT] = "timeout",
	[SL_END_EVICTED] = "evicted", [SL_END_CAPTURE_END] = "capture_end",
};

const char *const sl_dir_names[_SL_DIR_COUNT] = {
	[SL_DIR_NONE] = "none", [SL_DIR_FROM_CALLER] = "from_caller", [SL_DIR_FROM_CALLEE] = "from_callee",
};

const char *const sl_reg_result_names[_SL_REG_COUNT] = {
	[SL_REG_REGISTERED] = "registered", [SL_REG_DEREGISTERED] = "deregistered",
	[SL_REG_CHALLENGED] = "challenged", [SL_REG_FAILED] = "failed",
	[SL_REG_NO_RESPONSE] = "no_response",
};

const char *const sl_cc_kind_names[_SL_CC_KIND_COUNT] = {
	[SL_CC_RTP] = "rtp", [SL_CC_RTCP] = "rtcp", [SL_CC_MESSAGE_BODY] = "message_body",
	[SL_CC_SMS_TEXT] = "sms_text",
};
