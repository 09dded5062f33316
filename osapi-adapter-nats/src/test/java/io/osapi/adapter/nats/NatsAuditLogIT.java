package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.contract.AuditLogContract;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's {@link AuditLogContract} on stream {@code AUDIT} of a real server, the stream's
 * settings, a filtered list that reads past its scan budget, and ids that are not subject tokens.
 */
class NatsAuditLogIT extends AuditLogContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private final List<AutoCloseable> extra = new ArrayList<>();

  @Override
  protected AuditLog newLog() {
    NATS.purge(NatsLayout.AUDIT_STREAM);
    return NATS.backend().audit();
  }

  /** A backend on a port where no server listens: never ready. */
  @Override
  protected AuditLog unreachableLog() {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    NatsBackend b = NatsBackend.connect(NatsTestSupport.settings(List.of("nats://127.0.0.1:"
        + port)).startupWait(Duration.ZERO).build());
    extra.add(b);
    return b.audit();
  }

  @AfterEach
  void closeExtra() throws Exception {
    for (AutoCloseable c : extra) {
      c.close();
    }
    extra.clear();
  }

  @Test
  void theStreamKeepsOneFileMessagePerIdForTheRetentionWithinItsShare() throws Exception {
    StreamConfiguration c = NATS.backend().requireSession().jsm
        .getStreamInfo(NatsLayout.AUDIT_STREAM).getConfiguration();
    NatsSettings s = NATS.backend().settings();
    assertThat(c.getSubjects()).containsExactly("osapi.audit.>");
    assertThat(c.getMaxMsgsPerSubject()).isEqualTo(1);
    assertThat(c.getMaxAge()).isEqualTo(Duration.ofDays(30)).isEqualTo(s.auditRetention());
    assertThat(c.getMaxBytes()).isEqualTo(s.maxBytes() / 100 * 8);
    assertThat(c.getStorageType()).isEqualTo(StorageType.File);
    assertThat(c.getDiscardPolicy()).isEqualTo(DiscardPolicy.Old);
    assertThat(c.getReplicas()).isEqualTo(s.kvReplicas());

    AuditRecord p = pending("alice", "/api/v1/jobs", 0);
    log.append(p).join();
    log.append(p.completed(201, 4)).join();
    assertThat(NATS.backend().requireSession().jsm.getStreamInfo(NatsLayout.AUDIT_STREAM)
        .getStreamState().getMsgCount()).as("the final message replaced the pending one")
        .isEqualTo(1);
  }

  @Test
  void idsThatAreNoSubjectTokensGetASubjectEachOfTheirOwn() {
    List<AuditRecord> odd = new ArrayList<>();
    for (String id : List.of("a.b", "a_b", "a b", "a>*", "ä", "a/b", "_YQ", "YQ", "a\nb")) {
      AuditRecord r = new AuditRecord(id, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
          "alice", List.of(), "127.0.0.1:1", "POST", "/api/v1/jobs", Map.of(), null, null, 201, 1L,
          "r", null);
      odd.add(r);
      log.append(r).join();
    }
    assertThat(log.list(AuditQuery.newest(100)).items()).containsExactlyInAnyOrderElementsOf(odd);
  }

  @Test
  void aFilteredListStopsAtItsScanBudgetAndGoesOnFromTheCursor() {
    AuditRecord needle = record("needle", "/api/v1/jobs", 0);
    log.append(needle).join();
    List<java.util.concurrent.CompletableFuture<Void>> fs = new ArrayList<>();
    for (int i = 0; i < NatsAuditLog.SCAN_BUDGET + 100; i++) {
      fs.add(log.append(record("hay", "/api/v1/jobs", 1)));
    }
    fs.forEach(java.util.concurrent.CompletableFuture::join);

    AuditPage first = log.list(new AuditQuery("needle", null, null, null, 10, null));
    assertThat(first.items()).isEmpty();
    assertThat(first.next()).isNotNull();
    AuditPage second = log.list(new AuditQuery("needle", null, null, null, 10, first.next()));
    assertThat(second.items()).containsExactly(needle);
    assertThat(second.next()).isNull();
  }

  @Test
  void aNewestPageAmongManyRecordsStartsAtTheNewest() {
    List<java.util.concurrent.CompletableFuture<Void>> fs = new ArrayList<>();
    List<AuditRecord> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      AuditRecord r = record("s" + (i % 7), "/api/v1/jobs", i);
      all.add(r);
      fs.add(log.append(r));
    }
    fs.forEach(java.util.concurrent.CompletableFuture::join);
    AuditPage p = log.list(AuditQuery.newest(50));
    assertThat(p.items()).hasSize(50);
    assertThat(p.items().get(0).id()).isEqualTo(all.get(all.size() - 1).id());
    assertThat(p.next()).isNotNull();
    assertThat(UUID.fromString(p.items().get(49).id())).isNotNull();
  }
}
