/* SPDX-License-Identifier: MIT */
/*
 * metrics_client.h - reading a running `vigil run`'s metrics endpoint (the
 * Prometheus text of output/metrics.h), for `vigil health` and for
 * `vigil stats` while the engine holds /dev/vigil.
 */
#ifndef VIGIL_CLI_METRICS_CLIENT_H
#define VIGIL_CLI_METRICS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

/* http://LISTEN:PORT/metrics of the configuration at cfgpath (LISTEN
 * 0.0.0.0 is reached on 127.0.0.1). 0; 1 when its metrics are off (err
 * says so); -1 when it does not load (err). */
int mc_url_from_config(const char *cfgpath, char *url, size_t len, char *err, size_t errlen);
/* GET url: the body (malloc'd, NUL-terminated), or NULL with err. */
char *mc_fetch(const char *url, double timeout_s, char *err, size_t errlen);
/* Sum of the samples of metric `name` that carry every label of kv
 * ({key, value, key, value, ..., NULL}; NULL: every sample). *found:
 * whether any sample counted. */
double mc_sum(const char *text, const char *name, const char *const *kv, bool *found);

#endif
