/* libFuzzer target: what a control-socket client sends (native/PROTOCOL.md): a command line, then
 * attach frames, arriving in pieces of any size. Runs control.c's real input handling against a
 * monitor with no container; replies and frames queue to the client, stdin goes to /dev/null.
 * Build and run: scripts/fuzz.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../monitor/monitor-private.h"

/* monitor.c's parts that control.c calls: no container here */
void monitor_write_state(monitor *m)
{
  (void)m;
}

int monitor_release(monitor *m, berr_t *err)
{
  (void)m;
  return fail(err, EINVAL, "no container");
}

void monitor_finalize(monitor *m)
{
  (void)m;
  abort(); /* only reached with a restart pending, which this monitor never has */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static monitor m;
  static monitor_opts o = {.state_dir = "/nonexistent", .id = "fuzz"};
  memset(&m, 0, sizeof m);
  m.o = &o;
  m.status = "created";
  m.proc.out_fd = m.proc.err_fd = m.proc.status_fd = m.proc.start_fd = -1;
  m.proc.in_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  m.proc.tty = size && (data[0] & 0x80);
  if (m.proc.tty) m.proc.out_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* resize: ENOTTY */
  client c;
  client_init(&c, open("/dev/null", O_RDONLY | O_CLOEXEC));
  /* the first byte says how the rest arrives: pieces of 1..64 bytes */
  size_t piece = size ? (size_t)(data[0] & 0x3f) + 1 : 1;
  for (size_t off = size ? 1 : 0; off < size && c.fd >= 0; off += piece) {
    size_t n = size - off < piece ? size - off : piece;
    if (c.inlen + n > c.incap) {
      c.incap = c.inlen + n + 64;
      c.in = xrealloc(c.in, c.incap);
    }
    memcpy(c.in + c.inlen, data + off, n);
    c.inlen += n;
    control_client_input(&m, &c);
  }
  if (c.fd >= 0) client_free(&c);
  free(m.stdin_buf);
  if (m.proc.in_fd >= 0) close(m.proc.in_fd);
  if (m.proc.out_fd >= 0) close(m.proc.out_fd);
  return 0;
}
