/* berth-dns's diagnostics: one timestamped line each, to a log file (beside the pidfile) or stderr. */
#ifndef BERTH_DNS_LOG_H
#define BERTH_DNS_LOG_H

#define DNS_LOG_MAX (1024 * 1024) /* a log file that grows past this starts over */

/* Log to fd (not owned: never truncated), e.g. 2. */
void dns_log_fd(int fd);
/* Log to the file at path (appended; kept under DNS_LOG_MAX). -1 with errno if it cannot be opened. */
int dns_log_open(const char *path);
void dns_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
