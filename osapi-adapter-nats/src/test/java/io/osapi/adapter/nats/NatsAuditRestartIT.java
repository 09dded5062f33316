package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Audit appends through a nats-server kill -9 and restart, as the API's edge makes them: pending,
 * then final, each tried again until it is stored. Every record is then in stream {@code AUDIT}
 * once, final; none whose append completed was lost.
 */
class NatsAuditRestartIT {
  private static final int RECORDS = 3000;

  @Test
  void appendsThroughARestartAreStoredOnceEachAndNoneAcknowledgedIsLost() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start();
        NatsBackend backend = NatsTestSupport.backend(server)) {
      AuditLog log = backend.audit();
      Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      List<AuditRecord> finals = new ArrayList<>();
      for (int i = 0; i < RECORDS; i++) {
        String id = UUID.randomUUID().toString();
        finals.add(new AuditRecord(id, t0.plusMillis(i), "s" + (i % 4), List.of("write"),
            "127.0.0.1:4000", "POST", "/api/v1/jobs", Map.of(), "diag.echo", "_any", 201, 3L, id,
            null));
      }
      AtomicInteger acknowledged = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      List<AuditRecord> ackedBeforeKill = new ArrayList<>();
      CompletableFuture<Void> appender = CompletableFuture.runAsync(() -> {
        for (AuditRecord f : finals) {
          AuditRecord p = new AuditRecord(f.id(), f.time(), f.subject(), f.roles(), f.source(),
              f.method(), f.route(), f.ids(), f.operation(), f.target(), null, null,
              f.requestId(), f.traceId());
          untilStored(backend, log, p, failed);
          untilStored(backend, log, f, failed);
          acknowledged.incrementAndGet();
        }
      });

      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= 300);
      int before = acknowledged.get();
      ackedBeforeKill.addAll(finals.subList(0, before));
      server.kill9();
      await().atMost(Duration.ofSeconds(5)).until(() -> !backend.isConnected());
      Thread.sleep(1000); // the fault itself: the server stays down for a second
      server.restart();
      appender.get(120, TimeUnit.SECONDS);

      assertThat(failed.get()).as("appends failed while the server was down").isPositive();
      assertThat(before).as("the server died with appends still to make").isLessThan(RECORDS);
      List<AuditRecord> exported = new ArrayList<>();
      log.export(Instant.EPOCH, exported::add);
      Map<String, Integer> times = new HashMap<>();
      exported.forEach(r -> times.merge(r.id(), 1, Integer::sum));
      assertThat(times.values()).as("each record once").allMatch(n -> n == 1);
      assertThat(exported).as("every record, final").containsExactlyInAnyOrderElementsOf(finals);
      assertThat(exported).as("those acknowledged before the kill").containsAll(ackedBeforeKill);
      assertThat(backend.requireSession().jsm.getStreamInfo(NatsLayout.AUDIT_STREAM)
          .getStreamState().getMsgCount()).isEqualTo(RECORDS);

      List<AuditRecord> listed = new ArrayList<>();
      AuditQuery q = AuditQuery.newest(AuditQuery.MAX_LIMIT);
      while (true) {
        AuditPage page = log.list(q);
        listed.addAll(page.items());
        if (page.next() == null) {
          break;
        }
        q = new AuditQuery(null, null, null, null, AuditQuery.MAX_LIMIT, page.next());
      }
      assertThat(listed).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(finals);
    }
  }

  /** Appends {@code r} until it is stored, waiting for the backend between tries. */
  private static void untilStored(NatsBackend backend, AuditLog log, AuditRecord r,
      AtomicInteger failed) {
    for (int tries = 0; tries < 100; tries++) {
      try {
        log.append(r).get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        failed.incrementAndGet();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(backend::isReady);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("record " + r.id() + " was never stored");
  }
}
