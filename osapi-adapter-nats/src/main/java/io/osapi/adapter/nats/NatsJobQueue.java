package io.osapi.adapter.nats;

import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link JobQueue} on stream {@code JOBS}.
 *
 * <p>A notification is the job id published on {@link Job#subject()} with header {@code
 * Nats-Msg-Id} = job id, so publishing the same job again within the stream's duplicate window
 * stores nothing new. Workers share durable pull consumers {@code query_any} and {@code
 * modify_any} (each {@code _any} job reaches one worker) and have durables of their own for {@code
 * _all}, their host subject and every label prefix, created with deliver policy new.
 *
 * <p>A delivery from a shared durable is handed out only after the worker claimed the job ({@code
 * claims.<id>} in bucket {@code osapi-jobs}, create-if-absent), which keeps a job that the server
 * delivers twice (lost acks, a server restarted after a hard kill) from running twice; see {@link
 * NatsJobConsumer}.
 */
final class NatsJobQueue implements JobQueue {
  private static final System.Logger LOG = System.getLogger(NatsJobQueue.class.getName());

  private final NatsBackend backend;
  private final JobMetrics metrics;
  private final Set<NatsJobConsumer> open = ConcurrentHashMap.newKeySet();

  NatsJobQueue(NatsBackend backend, JobMetrics metrics) {
    this.backend = backend;
    this.metrics = metrics;
  }

  @Override
  public void publish(Job job) {
    String id = job.id().value();
    PublishOptions po =
        PublishOptions.builder().expectedStream(NatsLayout.STREAM).messageId(id).build();
    long deadline = System.nanoTime() + backend.settings().requestTimeout().multipliedBy(2).toNanos();
    PublishAck ack;
    for (int n = 0; ; n++) {
      try {
        NatsSession s = backend.requireSession();
        ack = s.js.publish(job.subject(), id.getBytes(StandardCharsets.UTF_8), po);
        break;
      } catch (Exception e) {
        // while connected, a publish without an answer is sent again: the same Nats-Msg-Id makes
        // the retry of a publish that was stored after all a no-op
        if (!NatsErrors.outcomeUnknown(e)
            || !backend.isConnected()
            || System.nanoTime() >= deadline) {
          throw NatsErrors.unavailable("publishing job " + id, e);
        }
        try {
          Thread.sleep(Math.min(500L, 100L << Math.min(3, n)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw NatsErrors.unavailable("publishing job " + id, ie);
        }
      }
    }
    if (ack.isDuplicate()) {
      LOG.log(Level.DEBUG, "job {0} was published before; the stream kept one notification", id);
    }
  }

  @Override
  public JobConsumer consumer(ConsumerSpec spec) {
    NatsSession s = backend.requireSession();
    List<NatsJobConsumer.Source> sources = new ArrayList<>();
    try {
      for (OperationKind kind : OperationKind.values()) {
        sources.add(
            NatsJobConsumer.Source.open(
                s,
                NatsLayout.sharedConsumer(kind),
                NatsLayout.sharedSubject(kind),
                spec.ackWait(),
                spec.maxDeliver(),
                true));
        for (String suffix : spec.ownSubjectSuffixes()) {
          sources.add(
              NatsJobConsumer.Source.open(
                  s,
                  NatsLayout.ownConsumer(kind, spec.workerId(), suffix),
                  NatsLayout.ownSubject(kind, suffix),
                  spec.ackWait(),
                  spec.maxDeliver(),
                  false));
        }
      }
    } catch (NatsConfigException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("opening the consumers of worker " + spec.workerId(), e);
    }
    NatsJobConsumer c;
    try {
      c = new NatsJobConsumer(backend, spec, sources, metrics, open::remove);
    } catch (RuntimeException e) {
      throw NatsErrors.unavailable("opening the consumers of worker " + spec.workerId(), e);
    }
    open.add(c);
    LOG.log(
        Level.DEBUG,
        "worker {0} consumes from {1} durables",
        spec.workerId(),
        sources.size());
    return c;
  }

  @Override
  public QueueBacklog backlog() {
    NatsSession s = backend.requireSession();
    long pending = 0;
    long ackPending = 0;
    try {
      for (OperationKind kind : OperationKind.values()) {
        ConsumerInfo ci = s.jsm.getConsumerInfo(NatsLayout.STREAM, NatsLayout.sharedConsumer(kind));
        pending += ci.getNumPending();
        ackPending += ci.getNumAckPending();
      }
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading the queue backlog", e);
    }
    return new QueueBacklog(pending, ackPending);
  }

  /** Closes every consumer still open (the backend is closing). */
  void closeAll() {
    for (NatsJobConsumer c : List.copyOf(open)) {
      c.close();
    }
  }
}
