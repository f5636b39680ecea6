#include "rows.h"

#include "../monitor/strbuf.h"

static void attrs_open(strbuf *b, const char *name, const char *image)
{
  sb_init(b);
  sb_puts(b, "{\"name\":");
  sb_json_str(b, name, JSON_JS);
  sb_puts(b, ",\"image\":");
  sb_json_str(b, image, JSON_JS);
}

char *event_attrs(const char *name, const char *image)
{
  strbuf b;
  attrs_open(&b, name, image);
  sb_putc(&b, '}');
  return sb_take(&b);
}

char *event_attrs_with(const char *name, const char *image, const char *key, const char *value)
{
  strbuf b;
  attrs_open(&b, name, image);
  sb_putc(&b, ',');
  sb_json_str(&b, key, JSON_JS);
  sb_putc(&b, ':');
  sb_json_str(&b, value, JSON_JS);
  sb_putc(&b, '}');
  return sb_take(&b);
}

char *exec_failed_state(int code, const char *msg, const char *time)
{
  strbuf b;
  sb_init(&b);
  sb_printf(&b, "{\"status\":\"exited\",\"exitCode\":%d,\"error\":", code);
  sb_json_str(&b, msg, JSON_JS);
  sb_puts(&b, ",\"startedAt\":");
  sb_json_str(&b, time, JSON_JS);
  sb_puts(&b, ",\"finishedAt\":");
  sb_json_str(&b, time, JSON_JS);
  sb_puts(&b, ",\"oomKilled\":false,\"restartCount\":0,\"stoppedByUser\":false}");
  return sb_take(&b);
}
