package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsJetStreamConstants;
import io.osapi.core.audit.AuditCursor;
import io.osapi.core.audit.AuditJson;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.concurrent.Backoff;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@link AuditLog} on stream {@code AUDIT}: one subject per record id ({@link
 * NatsLayout#auditSubject}) and one message per subject, so the final record replaces the pending
 * one and becomes the newest (stream order is append order). The stream has a max age ({@link
 * NatsSettings#auditRetention()}) and a byte limit ({@link NatsLimits#AUDIT_PERCENT} of {@link
 * NatsSettings#maxBytes()}), the oldest records going first; the controllers create it, workers may
 * neither read nor write it.
 *
 * <p>Appends carry {@code Nats-Msg-Id} = id and phase, so a publish retried within the duplicate
 * window is stored once; a pending record is also published only on a subject with no message
 * (expected last subject sequence 0), so a late pending append never takes its final record's
 * place. A publish whose outcome is unknown is sent again while the connection that sent it
 * stays up, until twice the request timeout has passed; then, or on any other failure, the future
 * fails with {@link io.osapi.core.domain.BackendUnavailableException}.
 *
 * <p>{@link #list} reads backwards from the newest message (or the cursor's sequence) in windows
 * of sequences, each through a short-lived consumer that may have no more messages outstanding
 * than its window holds, and filters client-side: the filters are on the record's fields, which
 * are not in the subject (a subject per caller or route would put them in server listings and
 * make the one-message-per-id rule depend on them). One call looks at {@link #SCAN_BUDGET}
 * sequences at most and then returns what it found with a cursor (the sequence to go on below).
 * {@link #export} reads forward with an ordered consumer from a little before {@code since} up to
 * the last message at the time of the call.
 */
final class NatsAuditLog implements AuditLog {
  private static final System.Logger LOG = System.getLogger(NatsAuditLog.class.getName());
  /** A publish whose outcome is unknown, tried again: 100 ms, doubling, at most 500 ms. */
  private static final Backoff PUBLISH_BACKOFF =
      new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), 2, 0.2);
  /** Sequences one {@link #list} call looks at, at most. */
  static final int SCAN_BUDGET = 10_000;
  /**
   * How far before {@code since} an export starts reading by the server's timestamps: a record is
   * stored after its time, by another clock, so this covers a server clock behind the controller's.
   */
  private static final Duration EXPORT_SLACK = Duration.ofMinutes(10);
  /** JetStream's answer to a publish whose expected last subject sequence does not hold. */
  private static final int WRONG_LAST_SUBJECT_SEQUENCE = 10071;

  private final NatsLink backend;

  NatsAuditLog(NatsLink backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  /** The configuration of stream {@code AUDIT} for {@code settings}. */
  static StreamConfiguration stream(NatsSettings settings, StorageType storage) {
    Duration window = settings.duplicateWindow().compareTo(settings.auditRetention()) < 0
        ? settings.duplicateWindow() : settings.auditRetention();
    return StreamConfiguration.builder()
        .name(NatsLayout.AUDIT_STREAM)
        .description("osapi audit trail: one record per audited request")
        .subjects(NatsLayout.AUDIT_SUBJECTS)
        .retentionPolicy(RetentionPolicy.Limits)
        .discardPolicy(DiscardPolicy.Old)
        .storageType(storage)
        .replicas(settings.kvReplicas())
        .maxAge(settings.auditRetention())
        .maxBytes(NatsLimits.share(settings, NatsLimits.AUDIT_PERCENT))
        .maxMessagesPerSubject(1)
        .duplicateWindow(window)
        .build();
  }

  @Override
  public CompletableFuture<Void> append(AuditRecord record) {
    try {
      Objects.requireNonNull(record, "record");
      byte[] body = AuditJson.write(record);
      if (body.length > AuditJson.MAX_BYTES) {
        throw new IllegalArgumentException("audit record " + record.id() + " is " + body.length
            + " bytes, over " + AuditJson.MAX_BYTES);
      }
      Headers h = new Headers().put(NatsJetStreamConstants.MSG_ID_HDR,
          NatsLayout.auditMessageId(record.id(), record.pending()));
      PublishOptions po = record.pending()
          ? PublishOptions.builder().expectedLastSubjectSequence(0).build() : null;
      CompletableFuture<Void> done = new CompletableFuture<>();
      long deadline =
          System.nanoTime() + backend.settings().requestTimeout().multipliedBy(2).toNanos();
      attempt(NatsLayout.auditSubject(record.id()), h, body, po, record, deadline,
          backend.connectionEpoch(), 0, done);
      return done;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void attempt(String subject, Headers h, byte[] body, PublishOptions po, AuditRecord r,
      long deadline, long epoch, int n, CompletableFuture<Void> done) {
    CompletableFuture<PublishAck> f;
    try {
      f = backend.requireSession().js.publishAsync(subject, h, body, po);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((ack, err) -> {
      if (err == null) {
        done.complete(null);
      } else if (r.pending() && NatsErrors.apiErrorCode(err) == WRONG_LAST_SUBJECT_SEQUENCE) {
        done.complete(null); // the id holds a record already: this pending one, or its final
      } else if (NatsErrors.outcomeUnknown(err) && backend.isConnected()
          && backend.connectionEpoch() == epoch && System.nanoTime() < deadline) {
        long delay = PUBLISH_BACKOFF.delayMillis(n);
        LOG.log(Level.DEBUG, "audit record {0}: retrying in {1} ms after {2}", r.id(), delay,
            NatsErrors.describe(err));
        backend.retry().schedule(
            () -> attempt(subject, h, body, po, r, deadline, epoch, n + 1, done), delay);
      } else {
        // a definite "no room" (the server's storage full) is a StoreFullException, answered at
        // once; anything else is an outage
        done.completeExceptionally(NatsErrors.failure("storing audit record " + r.id(), err,
            NatsLimits.share(backend.settings(), NatsLimits.AUDIT_PERCENT)));
      }
    });
  }

  @Override
  public AuditPage list(AuditQuery query) {
    long before = query.cursor() == null ? Long.MAX_VALUE : AuditCursor.position(query.cursor());
    NatsSession s = backend.requireSession();
    try {
      StreamState st = s.jsm.getStreamInfo(NatsLayout.AUDIT_STREAM).getStreamState();
      long first = Math.max(1, st.getFirstSequence());
      long hi = Math.min(before - 1, st.getLastSequence());
      List<AuditRecord> items = new ArrayList<>();
      long window = Math.max(64, 2L * query.limit() + 16);
      long scanned = 0;
      while (hi >= first && st.getMsgCount() > 0) {
        if (scanned >= SCAN_BUDGET) {
          return new AuditPage(items, AuditCursor.before(hi + 1));
        }
        long lo = Math.max(first, hi - Math.min(window, SCAN_BUDGET - scanned) + 1);
        List<Message> msgs = window(s, lo, hi);
        for (int i = msgs.size() - 1; i >= 0; i--) {
          Message m = msgs.get(i);
          AuditRecord r = decode(m);
          if (r != null && query.matches(r)) {
            items.add(r);
            if (items.size() == query.limit()) {
              long seq = m.metaData().streamSequence();
              return new AuditPage(items, seq > first ? AuditCursor.before(seq) : null);
            }
          }
        }
        scanned += hi - lo + 1;
        hi = lo - 1;
        window *= 2;
      }
      return new AuditPage(items, null);
    } catch (Exception e) {
      throw unavailable("listing the audit trail", e);
    }
  }

  /** The messages of sequences {@code lo} to {@code hi}, in order. */
  private static List<Message> window(NatsSession s, long lo, long hi)
      throws IOException, JetStreamApiException, InterruptedException {
    long size = hi - lo + 1;
    ConsumerConfiguration cc = ConsumerConfiguration.builder()
        .ackPolicy(AckPolicy.Explicit) // never acknowledged: at most size messages come
        .maxAckPending(size)
        .deliverPolicy(DeliverPolicy.ByStartSequence)
        .startSequence(lo)
        .filterSubject(NatsLayout.AUDIT_SUBJECTS)
        .inactiveThreshold(Duration.ofSeconds(5)) // removed by the server soon after the read
        .build();
    JetStreamSubscription sub = s.js.subscribe(null, PushSubscribeOptions.builder()
        .stream(NatsLayout.AUDIT_STREAM).configuration(cc).build());
    List<Message> out = new ArrayList<>();
    try {
      if (sub.getConsumerInfo().getCalculatedPending() == 0) {
        return out;
      }
      while (true) {
        Message m = sub.nextMessage(s.settings.requestTimeout());
        if (m == null) {
          throw new IOException("reading audit records " + lo + " to " + hi + " stalled");
        }
        if (!m.isJetStream()) {
          continue; // a status message
        }
        long seq = m.metaData().streamSequence();
        if (seq > hi) {
          return out;
        }
        out.add(m);
        if (seq == hi || m.metaData().pendingCount() == 0) {
          return out;
        }
      }
    } finally {
      unsubscribe(sub);
    }
  }

  @Override
  public long export(Instant since, Consumer<AuditRecord> sink) {
    Objects.requireNonNull(since, "since");
    NatsSession s = backend.requireSession();
    JetStreamSubscription sub = null;
    try {
      long last = s.jsm.getStreamInfo(NatsLayout.AUDIT_STREAM).getStreamState().getLastSequence();
      ConsumerConfiguration cc = ConsumerConfiguration.builder()
          .ackPolicy(AckPolicy.None)
          .deliverPolicy(DeliverPolicy.ByStartTime)
          .startTime(ZonedDateTime.ofInstant(since.isAfter(Instant.EPOCH.plus(EXPORT_SLACK))
              ? since.minus(EXPORT_SLACK) : Instant.EPOCH, ZoneOffset.UTC))
          .filterSubject(NatsLayout.AUDIT_SUBJECTS)
          .build();
      sub = s.js.subscribe(null, PushSubscribeOptions.builder().stream(NatsLayout.AUDIT_STREAM)
          .ordered(true).configuration(cc).build());
      long n = 0;
      if (last == 0 || sub.getConsumerInfo().getCalculatedPending() == 0) {
        return 0;
      }
      while (true) {
        Message m = sub.nextMessage(s.settings.requestTimeout());
        if (m == null) {
          throw new IOException("exporting the audit trail stalled");
        }
        long seq = m.metaData().streamSequence();
        if (seq > last) {
          return n;
        }
        AuditRecord r = decode(m);
        if (r != null && !r.time().isBefore(since)) {
          try {
            sink.accept(r);
          } catch (RuntimeException e) {
            throw new SinkFailure(e);
          }
          n++;
        }
        if (seq == last || m.metaData().pendingCount() == 0) {
          return n;
        }
      }
    } catch (SinkFailure e) {
      throw e.getCause();
    } catch (Exception e) {
      throw unavailable("exporting the audit trail", e);
    } finally {
      unsubscribe(sub);
    }
  }

  private static RuntimeException unavailable(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return NatsErrors.unavailable(what, e);
  }

  /** What the export's sink threw, carried past the catch of NATS failures. */
  private static final class SinkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SinkFailure(RuntimeException cause) {
      super(cause);
    }

    @Override
    public synchronized RuntimeException getCause() {
      return (RuntimeException) super.getCause();
    }
  }

  /** The record of a message, or null (logged) for one that is not a record. */
  private static AuditRecord decode(Message m) {
    try {
      return AuditJson.read(m.getData());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "skipping message {0} of stream {1}: not an audit record ({2})",
          m.metaData().streamSequence(), NatsLayout.AUDIT_STREAM, e.getMessage());
      return null;
    }
  }

  private static void unsubscribe(JetStreamSubscription sub) {
    if (sub == null) {
      return;
    }
    try {
      sub.unsubscribe();
    } catch (IllegalStateException ignored) {
      // connection closed meanwhile
    }
  }
}
