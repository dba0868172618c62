// The load process of bench/propagation, in C: holds N server-sent-event streams with epoll and
// timestamps, per connection, the first event after each "arm". The same protocol and the same
// results as load.mjs, for a fraction of its CPU: the load process shares the machine's two cores
// with the servers it measures, and every microsecond it spends per event is taken from them.
// Times are CLOCK_MONOTONIC ms, the clock of process.hrtime in the parent.
//
// stdin (one command a line):  connect <concurrency> <key> <port> <count> [<port> <count> ...]
//                              arm <round> <timeoutMs>    clock <t>    close
// stdout (one JSON object a line): hello, progress, connected, armed, round, clock, closed
// (the fields of load.mjs's messages). Built by load-control.mjs with the machine's C compiler.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { S_CONNECTING, S_HEAD, S_SIZE, S_DATA, S_CRLF, S_RAW, S_DONE };

typedef struct {
  int fd;
  int index;
  unsigned char state;
  bool ready, closed, settled;
  char head[8192];
  int head_len;
  long size;
  int size_digits;
  bool size_ext;
  long remaining;
  int crlf_left;
  // The current SSE line: its first bytes (enough for "id: <n>" and "event: <name>") and length.
  char line[64];
  long line_len;
  // The current SSE block.
  bool blk_field, blk_comment, blk_has_id;
  long blk_id;
  char blk_event[16];
  long events, comments;
  char error[96];
} conn_t;

static conn_t *conns;
static int nconns, total, connected, failed, inflight, next_conn, concurrency;
static int *order_port;
static char request[4096];
static int request_len;
static int ep;
static double connect_started, last_progress;
static bool connecting;
static long unexpected_closes;
static bool closing;

// Distinct connect errors and how often each was seen.
#define MAX_ERRORS 16
static char err_text[MAX_ERRORS][96];
static int err_count[MAX_ERRORS], nerr;

// The round in progress.
static bool round_on;
static long round_id;
static double *got;  // receipt time per connection: NAN = awaited, -INFINITY = not waited for
static int awaiting, closed_during;
static double round_deadline;
#define MAX_KINDS 16
static char kind_name[MAX_KINDS][16];
static int kind_count[MAX_KINDS], nkinds;
static long id_value[MAX_KINDS];
static int id_count[MAX_KINDS], nids, ids_other;

static unsigned char rbuf[256 * 1024];

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

static void progress(bool force) {
  double t = now_ms();
  if (!force && t - last_progress < 250) return;
  last_progress = t;
  printf("{\"type\":\"progress\",\"connected\":%d,\"failed\":%d,\"total\":%d}\n", connected, failed, total);
  fflush(stdout);
}

static void note_error(const char *e) {
  for (int i = 0; i < nerr; i++)
    if (strcmp(err_text[i], e) == 0) {
      err_count[i]++;
      return;
    }
  if (nerr < MAX_ERRORS) {
    snprintf(err_text[nerr], sizeof err_text[nerr], "%s", e);
    err_count[nerr++] = 1;
  }
}

static void pump(void);

static void connected_report(void) {
  connecting = false;
  progress(true);
  printf("{\"type\":\"connected\",\"connected\":%d,\"failed\":%d,\"total\":%d,\"ms\":%.3f,\"errors\":{", connected,
         failed, total, now_ms() - connect_started);
  for (int i = 0; i < nerr; i++) {
    if (i) fputc(',', stdout);
    json_string(stdout, err_text[i]);
    printf(":%d", err_count[i]);
  }
  printf("}}\n");
  fflush(stdout);
}

// A connection opened (its put arrived) or failed: the next one may start.
static void settle(conn_t *c) {
  if (c->settled) return;
  c->settled = true;
  inflight--;
  if (!c->ready) {
    failed++;
    note_error(c->error[0] ? c->error : "closed before put");
  }
  progress(false);
  if (connecting) {
    if (next_conn >= total && inflight == 0) connected_report();
    else pump();
  }
}

static void finish_round(void) {
  if (!round_on) return;
  round_on = false;
  int missing = 0;
  printf("{\"type\":\"round\",\"round\":%ld,\"times\":[", round_id);
  bool first = true;
  for (int i = 0; i < nconns; i++) {
    double t = got[i];
    if (isnan(t)) missing++;
    else if (!isinf(t)) {
      printf(first ? "%.4f" : ",%.4f", t);
      first = false;
    }
  }
  printf("],\"missing\":%d,\"events\":{", missing);
  for (int i = 0; i < nkinds; i++) {
    if (i) fputc(',', stdout);
    json_string(stdout, kind_name[i]);
    printf(":%d", kind_count[i]);
  }
  printf("},\"ids\":{");
  for (int i = 0; i < nids; i++) printf("%s\"%ld\":%d", i ? "," : "", id_value[i], id_count[i]);
  if (ids_other) printf("%s\"other\":%d", nids ? "," : "", ids_other);
  printf("},\"closedDuring\":%d}\n", closed_during);
  fflush(stdout);
}

static void close_conn(conn_t *c, const char *why) {
  if (c->closed) return;
  if (why && !c->error[0]) snprintf(c->error, sizeof c->error, "%s", why);
  c->closed = true;
  c->state = S_DONE;
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  if (closing) return;
  if (c->ready) {
    unexpected_closes++;
    if (round_on && isnan(got[c->index])) {
      got[c->index] = -INFINITY;
      closed_during++;
      if (--awaiting == 0) finish_round();
    }
  }
  settle(c);
}

static void on_event(conn_t *c, double at) {
  c->events++;
  const char *name = c->blk_event[0] ? c->blk_event : "message";
  if (!c->ready) {
    if (strcmp(name, "put") == 0) {
      c->ready = true;
      connected++;
      settle(c);
    }
    return;
  }
  if (!round_on || !isnan(got[c->index])) return;
  got[c->index] = at;
  int k = 0;
  while (k < nkinds && strcmp(kind_name[k], name) != 0) k++;
  if (k == nkinds && nkinds < MAX_KINDS) snprintf(kind_name[nkinds++], 16, "%s", name);
  if (k < MAX_KINDS) kind_count[k]++;
  if (c->blk_has_id) {
    int j = 0;
    while (j < nids && id_value[j] != c->blk_id) j++;
    if (j == nids && nids < MAX_KINDS) id_value[nids++] = c->blk_id, id_count[j] = 0;
    if (j < MAX_KINDS) id_count[j]++;
    else ids_other++;
  }
  if (--awaiting == 0) finish_round();
}

static bool starts(const conn_t *c, const char *prefix) {
  size_t n = strlen(prefix);
  return c->line_len >= (long)n && memcmp(c->line, prefix, n) == 0;
}

static void end_line(conn_t *c, double at) {
  if (c->line_len == 0) {
    if (c->blk_field) on_event(c, at);
    else if (c->blk_comment) c->comments++;
    c->blk_field = c->blk_comment = c->blk_has_id = false;
    c->blk_event[0] = 0;
    return;
  }
  long shown = c->line_len < (long)sizeof c->line ? c->line_len : (long)sizeof c->line;
  if (c->line[0] == ':') c->blk_comment = true;
  else if (starts(c, "id:")) {
    long v = 0;
    int digits = 0;
    for (long k = 3; k < shown; k++)
      if (c->line[k] >= '0' && c->line[k] <= '9') v = v * 10 + (c->line[k] - '0'), digits++;
    c->blk_has_id = digits > 0;
    c->blk_id = v;
    c->blk_field = true;
  } else if (starts(c, "event:")) {
    long from = 6 + (shown > 6 && c->line[6] == ' ');
    long len = shown - from;
    if (len > 15) len = 15;
    memcpy(c->blk_event, c->line + from, (size_t)len);
    c->blk_event[len] = 0;
    c->blk_field = true;
  } else c->blk_field = true;  // data: or another field
}

static void sse_bytes(conn_t *c, const unsigned char *p, long n, double at) {
  for (long i = 0; i < n; i++) {
    unsigned char b = p[i];
    if (b == '\n') {
      end_line(c, at);
      c->line_len = 0;
    } else if (b != '\r') {
      if (c->line_len < (long)sizeof c->line) c->line[c->line_len] = (char)b;
      c->line_len++;
    }
  }
}

static void on_bytes(conn_t *c, unsigned char *buf, long n, double at) {
  long i = 0;
  if (c->state == S_HEAD) {
    long take = n;
    if (c->head_len + take > (long)sizeof c->head - 1) take = (long)sizeof c->head - 1 - c->head_len;
    memcpy(c->head + c->head_len, buf, (size_t)take);
    c->head_len += (int)take;
    c->head[c->head_len] = 0;
    char *end = strstr(c->head, "\r\n\r\n");
    if (!end) {
      if (c->head_len >= (int)sizeof c->head - 1) close_conn(c, "response head too large");
      return;
    }
    long body_at = (end - c->head) + 4;
    *end = 0;
    int status = c->head_len > 12 ? atoi(c->head + 9) : 0;
    if (status != 200) {
      char e[96];
      snprintf(e, sizeof e, "HTTP %d", status);
      close_conn(c, e);
      return;
    }
    c->state = strcasestr(c->head, "\r\ntransfer-encoding: chunked") ? S_SIZE : S_RAW;
    // What followed the head in this read: it was copied into head, so take it from there.
    long extra = c->head_len - body_at;
    unsigned char tmp[sizeof c->head];
    memcpy(tmp, c->head + body_at, (size_t)extra);
    c->head_len = 0;
    if (extra > 0) on_bytes(c, tmp, extra, at);
    i = take;
  }
  while (i < n && c->state != S_DONE) {
    switch (c->state) {
      case S_RAW:
        sse_bytes(c, buf + i, n - i, at);
        i = n;
        break;
      case S_SIZE:
        for (; i < n; i++) {
          unsigned char b = buf[i];
          if (b == '\n') break;
          if (c->size_ext || b == '\r') continue;
          int d = (b >= '0' && b <= '9') ? b - '0' : ((b | 32) >= 'a' && (b | 32) <= 'f') ? (b | 32) - 'a' + 10 : -1;
          if (d < 0) {
            if (b == ';' && c->size_digits > 0) c->size_ext = true;
            else {
              close_conn(c, "bad chunk size");
              return;
            }
          } else c->size = c->size * 16 + d, c->size_digits++;
        }
        if (i >= n) break;
        i++;
        if (c->size_digits == 0) {
          close_conn(c, "bad chunk size");
          return;
        }
        c->remaining = c->size;
        c->size = 0;
        c->size_digits = 0;
        c->size_ext = false;
        c->state = c->remaining == 0 ? S_DONE : S_DATA;
        break;
      case S_DATA: {
        long take = c->remaining < n - i ? c->remaining : n - i;
        sse_bytes(c, buf + i, take, at);
        i += take;
        c->remaining -= take;
        if (c->remaining == 0) c->state = S_CRLF, c->crlf_left = 2;
        break;
      }
      case S_CRLF: {
        long skip = c->crlf_left < n - i ? c->crlf_left : n - i;
        i += skip;
        c->crlf_left -= (int)skip;
        if (c->crlf_left == 0) c->state = S_SIZE;
        break;
      }
    }
  }
}

static void open_conn(int port) {
  conn_t *c = &conns[nconns];
  memset(c, 0, sizeof *c);
  c->index = nconns++;
  c->state = S_CONNECTING;
  inflight++;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (c->fd < 0) {
    c->closed = true;
    snprintf(c->error, sizeof c->error, "socket: %s", strerror(errno));
    settle(c);
    return;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
    char e[96];
    snprintf(e, sizeof e, "connect: %s", strerror(errno));
    close(c->fd);
    c->closed = true;
    snprintf(c->error, sizeof c->error, "%s", e);
    settle(c);
    return;
  }
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void pump(void) {
  while (inflight < concurrency && next_conn < total) open_conn(order_port[next_conn++]);
}

static void on_ready(conn_t *c, uint32_t events) {
  if (c->closed) return;
  if (c->state == S_CONNECTING) {
    if (!(events & EPOLLOUT) && !(events & (EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
      char e[96];
      snprintf(e, sizeof e, "connect: %s", strerror(err));
      close_conn(c, e);
      return;
    }
    if (write(c->fd, request, (size_t)request_len) != request_len) {
      close_conn(c, "request write failed");
      return;
    }
    c->state = S_HEAD;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    return;
  }
  for (;;) {
    ssize_t n = read(c->fd, rbuf, sizeof rbuf);
    if (n > 0) {
      on_bytes(c, rbuf, n, now_ms());
      if (c->closed || n < (ssize_t)sizeof rbuf) return;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    close_conn(c, n == 0 ? "closed by server" : strerror(errno));
    return;
  }
}

static void command(char *line) {
  char *save = NULL;
  char *verb = strtok_r(line, " ", &save);
  if (!verb) return;
  if (strcmp(verb, "connect") == 0) {
    concurrency = atoi(strtok_r(NULL, " ", &save));
    const char *key = strtok_r(NULL, " ", &save);
    int ports[8], counts[8], nt = 0;
    char *tok;
    while (nt < 8 && (tok = strtok_r(NULL, " ", &save))) {
      ports[nt] = atoi(tok);
      counts[nt++] = atoi(strtok_r(NULL, " ", &save));
    }
    int want = 0;
    for (int k = 0; k < nt; k++) want += counts[k];
    conns = calloc((size_t)want, sizeof *conns);
    order_port = calloc((size_t)want, sizeof *order_port);
    got = calloc((size_t)want, sizeof *got);
    // Interleave the targets so that both nodes fill up together.
    int left[8];
    memcpy(left, counts, sizeof left);
    while (total < want)
      for (int k = 0; k < nt; k++)
        if (left[k]-- > 0) order_port[total++] = ports[k];
    request_len = snprintf(request, sizeof request,
                           "GET /sdk/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           "Authorization: %s\r\n\r\n",
                           key);
    connecting = true;
    connect_started = now_ms();
    if (total == 0) connected_report();
    else pump();
  } else if (strcmp(verb, "arm") == 0) {
    finish_round();
    round_id = atol(strtok_r(NULL, " ", &save));
    double timeout = atof(strtok_r(NULL, " ", &save));
    awaiting = 0;
    closed_during = 0;
    nkinds = nids = ids_other = 0;
    memset(kind_count, 0, sizeof kind_count);
    for (int i = 0; i < nconns; i++) {
      if (conns[i].ready && !conns[i].closed) got[i] = NAN, awaiting++;
      else got[i] = -INFINITY;
    }
    round_on = true;
    round_deadline = now_ms() + timeout;
    printf("{\"type\":\"armed\",\"round\":%ld,\"awaiting\":%d}\n", round_id, awaiting);
    fflush(stdout);
  } else if (strcmp(verb, "clock") == 0) {
    const char *t = strtok_r(NULL, " ", &save);
    printf("{\"type\":\"clock\",\"parent\":%s,\"child\":%.6f}\n", t ? t : "0", now_ms());
    fflush(stdout);
  } else if (strcmp(verb, "close") == 0) {
    closing = true;
    finish_round();
    int open = 0;
    long heartbeats = 0;
    for (int i = 0; i < nconns; i++) {
      heartbeats += conns[i].comments;
      if (!conns[i].closed) open++, close(conns[i].fd);
    }
    printf("{\"type\":\"closed\",\"open\":%d,\"unexpectedCloses\":%ld,\"heartbeats\":%ld}\n", open, unexpected_closes,
           heartbeats);
    fflush(stdout);
    exit(0);
  }
}

int main(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  ep = epoll_create1(0);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  struct epoll_event sev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &sev);
  printf("{\"type\":\"hello\",\"pid\":%d,\"nofile\":%ld}\n", getpid(), (long)rl.rlim_cur);
  fflush(stdout);
  static char cmd[65536];
  size_t cmd_len = 0;
  static struct epoll_event evs[1024];
  for (;;) {
    int timeout = -1;
    if (round_on) {
      double left = round_deadline - now_ms();
      timeout = left <= 0 ? 0 : (int)left + 1;
    }
    if (connecting && (timeout < 0 || timeout > 250)) timeout = 250;
    int n = epoll_wait(ep, evs, 1024, timeout);
    for (int k = 0; k < n; k++) {
      conn_t *c = evs[k].data.ptr;
      if (c) {
        on_ready(c, evs[k].events);
        continue;
      }
      for (;;) {
        ssize_t r = read(0, cmd + cmd_len, sizeof cmd - 1 - cmd_len);
        if (r == 0) exit(0);  // the parent went away
        if (r < 0) break;
        cmd_len += (size_t)r;
        char *nl;
        while ((nl = memchr(cmd, '\n', cmd_len))) {
          *nl = 0;
          command(cmd);
          size_t used = (size_t)(nl - cmd) + 1;
          memmove(cmd, nl + 1, cmd_len - used);
          cmd_len -= used;
        }
      }
    }
    if (round_on && now_ms() >= round_deadline) finish_round();
    if (connecting) progress(false);
  }
}
