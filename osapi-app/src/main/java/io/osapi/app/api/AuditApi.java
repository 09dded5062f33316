package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import io.osapi.core.audit.AuditJson;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code GET /api/v1/audit} (a page of the audit trail, newest first, with the filters {@code
 * subject}, {@code since}, {@code until}, {@code route} and the cursor {@code after}) and {@code GET
 * /api/v1/audit/export?since=} (every record since then as JSON Lines, oldest first). A time is
 * RFC 3339 ({@code 2026-12-05T10:00:00Z}) or a duration back from now ({@code 24h}).
 */
final class AuditApi {
  private static final Set<String> LIST_PARAMS =
      Set.of("subject", "since", "until", "route", "limit", "after");
  private static final Set<String> EXPORT_PARAMS = Set.of("since");
  private static final int DEFAULT_LIMIT = 50;

  private final AuditLog log;
  private final Clock clock;

  AuditApi(AuditLog log, Clock clock) {
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A page as JSON: {@code {"items": [...], "next": cursor}} (no {@code next} on the last). */
  byte[] list(Map<String, String> q) {
    JobsApi.onlyParams(q, LIST_PARAMS);
    int limit = JobsApi.intParam(q, "limit", DEFAULT_LIMIT);
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw ApiException.badRequest("limit",
          "limit must be between 1 and " + AuditQuery.MAX_LIMIT + ", got " + limit);
    }
    String route = q.get("route");
    if (route != null && ApiRoute.match(route).map(m -> !m.route().template().equals(route))
        .orElse(true)) {
      throw ApiException.badRequest("route", "route must be a route template such as"
          + " /api/v1/jobs/{id}, got '" + JobsApi.abbreviate(route) + "'");
    }
    AuditPage page = log.list(new AuditQuery(q.get("subject"), time(q, "since"), time(q, "until"),
        route, limit, q.get("after")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"items\":[".getBytes(StandardCharsets.UTF_8));
    boolean first = true;
    for (AuditRecord r : page.items()) {
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes(AuditJson.write(r));
    }
    out.writeBytes(("]" + (page.next() == null ? ""
        : ",\"next\":" + new String(ApiJson.write(page.next()), StandardCharsets.UTF_8)) + "}").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Streams the export: 200 with chunked JSON Lines (the records as they are when it starts). */
  void export(HttpExchange ex, Map<String, String> q) throws IOException {
    JobsApi.onlyParams(q, EXPORT_PARAMS);
    Instant since = time(q, "since");
    ex.getResponseHeaders().set("Content-Type", "application/jsonl; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
      log.export(since == null ? Instant.EPOCH : since, r -> {
        try {
          out.write(AuditJson.write(r));
          out.write('\n');
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Instant time(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      // not a time: a duration back from now?
    }
    try {
      return clock.instant().minus(Durations.parse(name, v));
    } catch (ConfigException | IllegalArgumentException e) {
      throw ApiException.badRequest(name, name + " must be a time such as 2026-12-05T10:00:00Z"
          + " or a duration back from now such as 24h, got '" + JobsApi.abbreviate(v) + "'");
    }
  }
}
