/* Restart policies with docker's rules and back-off (moby restartmanager). */
#include <stdlib.h>
#include <string.h>
#include "monitor.h"

int restart_parse(const char *s, restart_policy *out)
{
  out->kind = RESTART_NO;
  out->max_retries = 0;
  if (!s || !*s || !strcmp(s, "no")) return 0;
  if (!strcmp(s, "always")) {
    out->kind = RESTART_ALWAYS;
    return 0;
  }
  if (!strcmp(s, "unless-stopped")) {
    out->kind = RESTART_UNLESS_STOPPED;
    return 0;
  }
  if (!strncmp(s, "on-failure", 10)) {
    out->kind = RESTART_ON_FAILURE;
    if (s[10] == 0) return 0;
    if (s[10] != ':' || !s[11]) return -1;
    char *end;
    long n = strtol(s + 11, &end, 10);
    if (*end || n < 0) return -1;
    out->max_retries = (int)n;
    return 0;
  }
  return -1;
}

bool restart_should(const restart_policy *p, int exit_code, int restart_count, bool stopped_by_user)
{
  if (stopped_by_user) return false;
  switch (p->kind) {
    case RESTART_ALWAYS:
    case RESTART_UNLESS_STOPPED: return true;
    case RESTART_ON_FAILURE: return exit_code != 0 && (p->max_retries == 0 || restart_count < p->max_retries);
    default: return false;
  }
}

int64_t restart_backoff(int64_t prev_ms, int64_t ran_ms)
{
  if (ran_ms >= 10000) prev_ms = 0;
  int64_t next = prev_ms == 0 ? 100 : prev_ms * 2;
  return next > 60000 ? 60000 : next;
}
