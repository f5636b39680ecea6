/* Clients of the control socket: one command line each; `attach` turns a
 * client into a stream of frames (docker's 8-byte stream header). */
#ifndef BERTH_ATTACH_H
#define BERTH_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "berth-constants.h"

/* the frame types (native/constants.json attachFrame, as the engine's runtime/monitor.ts reads them) */
#define FRAME_STDIN        BERTH_ATTACH_FRAME_STDIN
#define FRAME_STDOUT       BERTH_ATTACH_FRAME_STDOUT
#define FRAME_STDERR       BERTH_ATTACH_FRAME_STDERR
#define FRAME_EXIT         BERTH_ATTACH_FRAME_EXIT
#define FRAME_RESIZE       BERTH_ATTACH_FRAME_RESIZE
#define FRAME_CLOSE_STDIN  BERTH_ATTACH_FRAME_CLOSE_STDIN
#define FRAME_ATTACHED     BERTH_ATTACH_FRAME_ATTACHED

#define CLIENT_MAX_BACKLOG (8u << 20) /* a client this far behind is dropped */
#define FRAME_MAX_PAYLOAD  (1u << 20) /* a client announcing a longer frame is dropped */

typedef struct {
  int fd;
  bool attach, want[3]; /* stdin, stdout, stderr */
  char *in;
  size_t inlen, incap;
  char *out;
  size_t outlen, outcap;
  bool closing; /* close once out is flushed */
  bool cleanup; /* removes the container itself after the exit frame: no exit command then */
} client;

void client_init(client *c, int fd);
void client_free(client *c);
/* Queue a frame; returns false when the client fell too far behind. */
bool client_frame(client *c, int type, const char *data, uint32_t len);
void client_queue(client *c, const char *data, size_t len);
/* Write what is queued (non-blocking); false on a fatal error. */
bool client_flush(client *c);
/* Frame header helpers (pure; unit tested). */
void frame_header(unsigned char out[8], int type, uint32_t len);
/* The payload length a frame header announces (buf holds at least 8 bytes). */
uint32_t frame_length(const char *buf);
/* Parse one complete frame at buf; returns bytes used (0 if incomplete). */
size_t frame_parse(const char *buf, size_t len, int *type, const char **payload, uint32_t *plen);

#endif
