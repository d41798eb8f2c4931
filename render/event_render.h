/*
 * Rendering of capture events for people and programs: one JSON object per
 * line (the format documented in docs/events.md) or one line of text.
 */
#pragma once

#include <stdio.h>

#include "capture/event.h"
#include "render/json_out.h"

void sl_event_to_json(struct sl_json *j, const struct sl_event *ev);
/* Render a one-line human summary into buf. */
void sl_event_to_text(char *buf, size_t len, const struct sl_event *ev);
