#include "attach.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"

void client_init(client *c, int fd)
{
  memset(c, 0, sizeof *c);
  c->fd = fd;
}

void client_free(client *c)
{
  if (c->fd >= 0) close(c->fd);
  free(c->in);
  free(c->out);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

void frame_header(unsigned char out[8], int type, uint32_t len)
{
  out[0] = (unsigned char)type;
  out[1] = out[2] = out[3] = 0;
  out[4] = (unsigned char)(len >> 24);
  out[5] = (unsigned char)(len >> 16);
  out[6] = (unsigned char)(len >> 8);
  out[7] = (unsigned char)len;
}

uint32_t frame_length(const char *buf)
{
  const unsigned char *b = (const unsigned char *)buf;
  return ((uint32_t)b[4] << 24) | ((uint32_t)b[5] << 16) | ((uint32_t)b[6] << 8) | b[7];
}

size_t frame_parse(const char *buf, size_t len, int *type, const char **payload, uint32_t *plen)
{
  if (len < 8) return 0;
  const unsigned char *b = (const unsigned char *)buf;
  uint32_t n = frame_length(buf);
  if (len < 8 + (size_t)n) return 0;
  *type = b[0];
  *payload = buf + 8;
  *plen = n;
  return 8 + (size_t)n;
}

void client_queue(client *c, const char *data, size_t len)
{
  if (c->outlen + len > c->outcap) {
    size_t cap = c->outcap ? c->outcap : 4096;
    while (cap < c->outlen + len) cap *= 2;
    c->out = xrealloc(c->out, cap);
    c->outcap = cap;
  }
  memcpy(c->out + c->outlen, data, len);
  c->outlen += len;
}

bool client_frame(client *c, int type, const char *data, uint32_t len)
{
  if (c->outlen + len > CLIENT_MAX_BACKLOG) return false;
  unsigned char h[8];
  frame_header(h, type, len);
  client_queue(c, (const char *)h, 8);
  client_queue(c, data, len);
  return true;
}

bool client_flush(client *c)
{
  while (c->outlen > 0) {
    ssize_t n = write(c->fd, c->out, c->outlen);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN;
    }
    memmove(c->out, c->out + n, c->outlen - (size_t)n);
    c->outlen -= (size_t)n;
  }
  if (c->outcap > 65536) {
    /* give back memory after a burst */
    free(c->out);
    c->out = NULL;
    c->outcap = 0;
  }
  return true;
}
